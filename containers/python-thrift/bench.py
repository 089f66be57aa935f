"""The bench role (bench/README.md): one JSON command per line on stdin, one JSON answer per line on stdout.

  serve  starts listeners with this peer's own servers (server.Listener, as the server role builds
         them: the library's TThreadedServer, TSimpleServer or THttpServer with the IDL's processor)
  cpu    this process's CPU time so far (seconds, every thread)
  run    a closed loop of echo calls for a given time with this peer's client connections
         (wiring.Connection) and the IDL's argument and result classes, and how many completed
  exit   ends the process

Each in-flight call is a thread with its own connection (a Thrift client is not shared between
threads). Threads share the GIL, as they would in any Python program that does this.
"""

import json
import os
import sys
import threading
import time

from thrift.Thrift import TMessageType

from client import read_result
from idl import Idl
from server import KeyedStderr, Listener
from wiring import Connection

IDL_DESCRIPTION = '/opt/peer/conformance.json'
WARMUP, MEASURE, STOP = 0, 1, 2


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

    def __init__(self, target, function, timeout_ms):
        self.conn = Connection({"socket": "tcp", "host": "127.0.0.1", **target}, timeout_ms / 1000)
        self.function = function
        self.oprot = self.conn.output("Conformance")

    def call(self, value):
        self.oprot.writeMessageBegin(self.function.name, TMessageType.CALL, 0)
        self.function.args(value=value).write(self.oprot)
        self.oprot.writeMessageEnd()
        self.oprot.trans.flush()
        return read_result(self.conn.iprot, self.function).success

    def close(self):
        self.conn.close()


def payload_of(spec):
    if spec.get("kind") == "int":
        return "echoI32", 42
    return "echoBinary", bytes((i * 31 + 7) & 0xFF for i in range(int(spec["size"])))  # the pattern every bench client sends


def sleep_watching(seconds, failures):
    until = time.monotonic() + seconds
    while not failures and time.monotonic() < until:
        time.sleep(min(0.05, max(0.0, until - time.monotonic())))


def run(command, idl):
    if int(command.get("inflight", 1)) != 1:
        raise ValueError("a Thrift client carries one call at a time (inflight 1)")
    method, value = payload_of(command["payload"])
    timeout_ms = int(command.get("timeoutMs", 20000))
    function = idl.function("Conformance", method)
    clients = [EchoClient(command["target"], function, timeout_ms) for _ in range(int(command.get("connections", 1)))]
    phase = [WARMUP]
    counts = [0] * len(clients)
    totals = [0] * len(clients)
    failures = []

    def loop(index, c):
        try:
            while phase[0] != STOP and not failures:
                if c.call(value) != value:
                    raise ValueError("the echo differs from the request")
                totals[index] += 1
                if phase[0] == MEASURE:
                    counts[index] += 1
        except Exception as e:
            failures.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=loop, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    cpu_before = time.process_time()
    for t in threads:
        t.start()
    sleep_watching(command.get("warmupMs", 300) / 1000, failures)
    started = time.perf_counter()
    phase[0] = MEASURE
    sleep_watching(command.get("durationMs", 1000) / 1000, failures)
    phase[0] = STOP
    ended = time.perf_counter()
    counted = sum(counts)
    drain_by = time.monotonic() + timeout_ms / 1000
    for t in threads:
        t.join(max(0.001, drain_by - time.monotonic()))
    cpu = time.process_time() - cpu_before
    for c in clients:
        c.close()
    if failures:
        raise RuntimeError(f"a call failed: {failures[0]}")
    if any(t.is_alive() for t in threads):
        raise RuntimeError("calls still outstanding after the timeout")
    return {"calls": counted, "seconds": ended - started, "totalCalls": sum(totals), "cpuSeconds": cpu}


def main(argv):
    out = sys.stdout
    idl = Idl(IDL_DESCRIPTION)
    # The listeners' own log lines go to stderr, prefixed with their key, as in the server role.
    stderr = KeyedStderr(sys.stderr)
    print(json.dumps({"ready": True}), file=out, flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        answer = {"id": command.get("id")}
        op = command.get("op")
        try:
            if op == "serve":
                answer.update(serve(command, idl, stderr))
            elif op == "run":
                answer.update(run(command, idl))
            elif op == "cpu":
                answer["cpuSeconds"] = time.process_time()
            elif op == "exit":
                print(json.dumps({**answer, "ok": True}), file=out, flush=True)
                os._exit(0)
            else:
                raise ValueError(f"unknown op {op!r}")
            answer["ok"] = True
        except Exception as e:
            answer.update(ok=False, error=f"{type(e).__name__}: {e}")
        print(json.dumps(answer), file=out, flush=True)
    os._exit(0)
