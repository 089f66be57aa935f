"""`python -m pytool.fork_check`, run by the image build: the tool as people run it, and the fork server
against it.

1. Smoke test: `python -m avro.tool rpcsend` against `python -m avro.tool rpcreceive`, both plain
   processes, for two program cases; the build fails unless rpcsend prints the case's answer.
2. The same calls with rpcsend in the fork server, and with rpcreceive in the fork server (through
   the stand-in the relay starts): the bytes on the wire (recorded by a proxy between the two), both
   programs' stdout and stderr, and their exit statuses must be those of the plain run.
3. Failing calls compared the same way: rpcsend to a port where nothing listens (a traceback, status
   1), rpcsend with a missing argument (argparse's usage, status 2), and rpcreceive stopped with
   SIGTERM while it waits (killed by the signal).

Only what differs between any two runs of the same process is normalised before comparing: the
ephemeral port rpcreceive prints, the HTTP Date header and http.server's log timestamp.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

from tooldriver import catalogue

from .program import PYTHON, TOOL
from .forkclient import ForkServer

CASES = ("interop-merge-parcels", "interop-greet-unicode")
NORMALISE = [
    (re.compile(rb"Port: \d+"), b"Port: N"),
    (re.compile(rb"\r\nDate: [^\r\n]*\r\n"), b"\r\nDate: D\r\n"),
    (re.compile(rb"\[\d\d/\w{3}/\d{4} \d\d:\d\d:\d\d\]"), b"[T]"),
]
SECONDS = 30


def normalise(data):
    for pattern, replacement in NORMALISE:
        data = pattern.sub(replacement, data)
    return data


class Proxy:
    """One loopback port for every run (rpcsend's Host header names it), recording each connection's
    bytes both ways, passed on unchanged to the current rpcreceive."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.target = None
        self.recorded = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            upstream = socket.create_connection(("127.0.0.1", self.target))
            record = {"request": bytearray(), "response": bytearray()}
            self.recorded.append(record)
            threading.Thread(target=self._pipe, args=(client, upstream, record["request"]), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, record["response"]), daemon=True).start()

    @staticmethod
    def _pipe(source, sink, into):
        while chunk := source.recv(65536):
            into += chunk
            sink.sendall(chunk)
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def start_receiver(argv):
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = process.stdout.readline()
    found = re.match(rb"Port: (\d+)", line)
    if not found:
        process.kill()
        raise SystemExit(f"rpcreceive printed {line!r} instead of its port: {process.communicate()[1][-800:]!r}")
    return process, line, int(found.group(1))


def outcome(status, stdout, stderr):
    return {"status": status, "stdout": normalise(stdout), "stderr": normalise(stderr)}


def call(forks, proxy, case, send_forked, receive_forked):
    """One case through the proxy; every output of both sides and the bytes on the wire."""
    path = catalogue.protocol_path(case["protocol"])
    files = catalogue.files_dir(case)
    receive = ["rpcreceive", "http://127.0.0.1:0/", path, case["message"], "-file", os.path.join(files, "response.avro")]
    send = ["rpcsend", f"http://127.0.0.1:{proxy.port}/", path, case["message"], "-file", os.path.join(files, "request.avro")]
    receiver, port_line, proxy.target = start_receiver(forks.stand_in_argv(receive) if receive_forked else [*TOOL, *receive])
    before = len(proxy.recorded)
    sent = forks.run(send, SECONDS) if send_forked else subprocess.run([*TOOL, *send], capture_output=True, timeout=SECONDS)
    out, err = receiver.communicate(timeout=SECONDS)
    time.sleep(0.2)  # the proxy's threads pass on the last bytes
    return {
        "rpcsend": outcome(sent.returncode, sent.stdout, sent.stderr),
        "rpcreceive": outcome(receiver.returncode, port_line + out, err),
        "wire": [{key: normalise(bytes(value)) for key, value in record.items()} for record in proxy.recorded[before:]],
    }


def failures(forks, send_forked):
    """rpcsend to a port where nothing listens, rpcsend without its message argument."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        uri = f"http://127.0.0.1:{closed.getsockname()[1]}/"
        path = catalogue.protocol_path("interop")
        results = []
        for arguments in (["rpcsend", uri, path, "greet"], ["rpcsend", uri]):
            run = forks.run(arguments, SECONDS) if send_forked else subprocess.run([*TOOL, *arguments], capture_output=True, timeout=SECONDS)
            results.append(outcome(run.returncode, run.stdout, run.stderr))
        return results


def terminated(forks, receive_forked):
    """rpcreceive stopped with SIGTERM while it waits, as the relay stops one it no longer needs."""
    receive = ["rpcreceive", "http://127.0.0.1:0/", catalogue.protocol_path("interop"), "greet"]
    receiver, port_line, _ = start_receiver(forks.stand_in_argv(receive) if receive_forked else [*TOOL, *receive])
    time.sleep(0.5)
    receiver.send_signal(signal.SIGTERM)
    out, err = receiver.communicate(timeout=SECONDS)
    return outcome(receiver.returncode, port_line + out, err)


def differences(name, plain, forked):
    if plain == forked:
        return []
    return [f"{name}: the fork server gave\n  {forked!r}\nwhere the plain process gave\n  {plain!r}"]


def main():
    cases = catalogue.load_cases()
    forks = ForkServer(PYTHON)
    proxy = Proxy()
    problems = []
    for case_id in CASES:
        case = cases[case_id]
        plain = call(forks, proxy, case, False, False)
        printed = plain["rpcsend"]["stdout"].decode("utf-8")
        # The smoke test: the plain tool answers the case (the adapter reads it as the suite does).
        if plain["rpcsend"]["status"] != 0 or plain["rpcreceive"]["status"] != 0 or len(plain["wire"]) != 1:
            raise SystemExit(f"{case_id}: python -m avro.tool rpcsend / rpcreceive did not make one call: {plain!r}")
        print(f"{case_id}: python -m avro.tool rpcsend printed {printed.strip()[:200]}")
        problems += differences(f"{case_id}, rpcsend forked", plain, call(forks, proxy, case, True, False))
        problems += differences(f"{case_id}, rpcreceive forked", plain, call(forks, proxy, case, False, True))
    plain_failures = failures(forks, False)
    if plain_failures[0]["status"] != 1 or plain_failures[1]["status"] != 2:
        raise SystemExit(f"the failing rpcsend calls did not fail as expected: {plain_failures!r}")
    problems += differences("failing rpcsend", plain_failures, failures(forks, True))
    plain_term = terminated(forks, False)
    if plain_term["status"] != -signal.SIGTERM:
        raise SystemExit(f"rpcreceive did not end by SIGTERM: {plain_term!r}")
    problems += differences("rpcreceive stopped with SIGTERM", plain_term, terminated(forks, True))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"fork server: {len(CASES)} calls with each side forked, 2 failing rpcsend calls and a SIGTERM'd "
          "rpcreceive gave the plain processes' bytes, outputs and statuses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
