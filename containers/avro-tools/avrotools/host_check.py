"""Image build check: the tool host runs the tools as separate processes would.

For each transport, two rpcsend calls go through one proxy address to two rpcreceive calls (all in
the host). A fresh process sends the same handshake to a server address every time and closes its
connection when it exits: so must the host (FreshProcessState: Requestor's remembered hashes, the
JDK's keep-alive cache, channels left open). And a failing call must end with the status and the
exception line a `java -jar` process gives.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

from tooldriver import catalogue

from .program import java
from .toolhost import ToolHost

PROTOCOL = os.path.abspath(catalogue.protocol_path("interop"))


def server_protocol():
    """The same protocol with another doc: another hash, so the first handshake is answered CLIENT
    and Requestor remembers the server's hash by the address (what must not reach the next call)."""
    with open(PROTOCOL, encoding="utf-8") as f:
        protocol = json.load(f)
    protocol["doc"] = "The server's copy, which hashes differently."
    path = os.path.join(tempfile.mkdtemp(prefix="host-check-"), "server.avpr")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(protocol, f)
    return path


class Proxy:
    """Accepts on one port; the n-th connection goes to the n-th backend port; records what clients send."""

    def __init__(self, backends):
        self.backends = list(backends)
        self.sent = []  # per connection: (bytes the client sent, whether it closed its side)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.backends:
            conn, _ = self.sock.accept()
            back = socket.create_connection(("127.0.0.1", self.backends.pop(0)))
            record = [bytearray(), False]
            self.sent.append(record)
            threading.Thread(target=self._pump, args=(conn, back, record), daemon=True).start()
            threading.Thread(target=self._pump, args=(back, conn, None), daemon=True).start()

    @staticmethod
    def _pump(source, target, record):
        try:
            while chunk := source.recv(1 << 16):
                if record is not None:
                    record[0] += chunk
                target.sendall(chunk)
            if record is not None:
                record[1] = True
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def receiver(host, scheme, protocol):
    argv = [sys.executable, "-m", "avrotools.hostcall", host.socket_path(), "rpcreceive",
            f"{scheme}://127.0.0.1:0/", protocol, "greet", "-data", '"hi"']
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = process.stdout.readline().decode()
    if not line.startswith("Port: "):
        raise SystemExit(f"rpcreceive in the host printed {line!r}: {process.stderr.read()[-800:]!r}")
    return process, int(line.split()[1])


def check(condition, text):
    if not condition:
        raise SystemExit(f"tool host check failed: {text}")


def main():
    host = ToolHost()
    served = server_protocol()
    for scheme in ("http", "avro"):
        receivers = [receiver(host, scheme, served) for _ in range(2)]
        proxy = Proxy(port for _, port in receivers)
        for _ in range(2):
            sent = host.run(["rpcsend", f"{scheme}://127.0.0.1:{proxy.port}/", PROTOCOL, "greet", "-data", '{"name": "x"}'], 60)
            check(sent.returncode == 0 and sent.stdout.strip() == b'"hi"', f"rpcsend over {scheme}: {sent}")
        for process, _ in receivers:
            out, err = process.communicate(timeout=30)
            check(process.returncode == 0 and b'greet\t{"name":"x"}' in out, f"rpcreceive over {scheme}: {out!r} {err!r}")
            check(b"Closing server." in err, f"rpcreceive's stderr over {scheme}: {err!r}")
            if scheme == "http":  # Ipc.warned is reset: every rpcreceive logs as a process does
                check(b"Using Ipc.createServer to create http instances is deprecated" in err, f"no deprecation line: {err!r}")
        check(len(proxy.sent) == 2, f"{scheme}: two rpcsend calls made {len(proxy.sent)} connection(s)")
        first, second = (bytes(record[0]) for record in proxy.sent)
        check(all(record[1] for record in proxy.sent), f"{scheme}: an rpcsend connection was not closed by the client")
        # The handshake (and the call after it) must be byte for byte the first call's; HTTP heads
        # differ only in the port-free parts, which are the same here (one proxy address).
        check(first == second, f"{scheme}: the second rpcsend sent other bytes than the first:\n{first!r}\n{second!r}")
        print(f"tool host: two rpcsend calls over {scheme}:// sent the same {len(first)} bytes on two connections")
    # A failing call: the same status and exception line as a process.
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    arguments = ["rpcsend", f"avro://127.0.0.1:{port}/", PROTOCOL, "greet", "-data", '{"name": "x"}']
    hosted = host.run(arguments, 60)
    process = subprocess.run(java(*arguments), capture_output=True, timeout=120)
    first_line = [run.stderr.decode().splitlines()[0] for run in (hosted, process)]
    check(hosted.returncode == process.returncode and first_line[0] == first_line[1],
          f"a failing rpcsend: host {hosted.returncode} {first_line[0]!r}, process {process.returncode} {first_line[1]!r}")
    print(f"tool host: a failing rpcsend ends as a process does: status {hosted.returncode}, {first_line[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
