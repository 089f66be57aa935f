"""The bench role (bench/README.md): this peer's own part of it; the command loop and the closed loop
are bench_role.py (../python-bench-role), shared with python-thrift.

  serve  starts listeners with this peer's servers (server.start_listener, as the server role does)
  run    echo calls with this peer's clients (client.Client: avro's Requestor over HTTPTransceiver or
         the socket transceiver), one client (one connection) per thread
"""

import bench_role
import client
import server


def serve(command):
    failed = {}
    for listener in command.get("listeners", []):
        try:
            server.start_listener(listener)
        except Exception as e:  # one listener that cannot start must not stop the others
            failed[listener.get("key", "?")] = f"{type(e).__name__}: {e}"
    return {"failed": failed}


class EchoClient:
    """One client.Client and one echo message, called as the peer's client role calls it."""

    def __init__(self, target, message, value):
        cell = {"transport": target["transport"], "host": target.get("host", "127.0.0.1"), "port": int(target["port"])}
        self.client = client.Client(cell, target.get("protocol", "conformance"))
        self.message = message
        self.request = {"value": value}
        self.value = value

    def echo(self):
        answer = self.client.call(self.message, self.request)
        if answer != self.value:
            raise ValueError(f"the echo differs from the request ({type(answer).__name__} of length {len(answer) if hasattr(answer, '__len__') else '-'})")

    def close(self):
        self.client.close()


def run(command):
    message, value = bench_role.payload_of(command["payload"], "echoInt", "echoBytes")
    return bench_role.run(command, lambda: EchoClient(command["target"], message, value), "an avro Requestor")


def main(argv):
    bench_role.main(serve, run)
