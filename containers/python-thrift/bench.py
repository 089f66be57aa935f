"""The bench role (bench/README.md): this peer's own part of it; the command loop and the closed loop
are bench_role.py (../python-bench-role), shared with python-avro.

  serve  starts listeners with this peer's own servers (server.Listener, as the server role builds
         them: the library's TThreadedServer, TSimpleServer or THttpServer with the IDL's processor)
  run    echo calls with this peer's client connections (wiring.Connection) and the IDL's argument
         and result classes, one connection per thread
"""

import sys
import threading

from thrift.Thrift import TMessageType

import bench_role
from client import read_result
from idl import Idl
from server import KeyedStderr, Listener
from wiring import Connection

IDL_DESCRIPTION = '/opt/peer/conformance.json'


def serve(command, idl, stderr):
    failed = {}
    listeners = []
    for entry in command.get("listeners", []):
        listener = Listener({"socket": "tcp", "host": "127.0.0.1", **entry}, idl, stderr)
        threading.Thread(target=listener.run, name=listener.key, daemon=True).start()
        listeners.append(listener)
    for listener in listeners:
        if not listener.listening.wait(20):
            listener.fail("not listening after 20 s")
        if listener.failure is not None:
            failed[listener.key] = listener.failure
    return {"failed": failed}


class EchoClient:
    """One connection and one echo method, called as the peer's client role calls it."""

    def __init__(self, target, function, value, timeout_ms):
        self.conn = Connection({"socket": "tcp", "host": "127.0.0.1", **target}, timeout_ms / 1000)
        self.function = function
        self.value = value
        self.oprot = self.conn.output("Conformance")

    def echo(self):
        self.oprot.writeMessageBegin(self.function.name, TMessageType.CALL, 0)
        self.function.args(value=self.value).write(self.oprot)
        self.oprot.writeMessageEnd()
        self.oprot.trans.flush()
        if read_result(self.conn.iprot, self.function).success != self.value:
            raise ValueError("the echo differs from the request")

    def close(self):
        self.conn.close()


def run(command, idl):
    method, value = bench_role.payload_of(command["payload"], "echoI32", "echoBinary")
    timeout_ms = int(command.get("timeoutMs", 20000))
    function = idl.function("Conformance", method)
    return bench_role.run(command, lambda: EchoClient(command["target"], function, value, timeout_ms), "a Thrift client")


def main(argv):
    idl = Idl(IDL_DESCRIPTION)
    # The listeners' own log lines go to stderr, prefixed with their key, as in the server role.
    stderr = KeyedStderr(sys.stderr)
    bench_role.main(lambda command: serve(command, idl, stderr), lambda command: run(command, idl))
