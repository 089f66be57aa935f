"""The bench role (bench/README.md): one JSON command per line on stdin, one JSON answer per line on stdout.

  serve  starts listeners with this peer's servers (server.start_listener, as the server role does)
  cpu    this process's CPU time so far (seconds, every thread)
  run    a closed loop of echo calls for a given time with this peer's clients (client.Client: avro's
         Requestor over HTTPTransceiver or the socket transceiver), and how many completed
  exit   ends the process

Each in-flight call is a thread with its own connection: avro's Requestor and transceivers are not
thread-safe. Threads share the GIL, as they would in any Python program that does this.
"""

import json
import os
import sys
import threading
import time

import client
import server

WARMUP, MEASURE, STOP = 0, 1, 2


def payload_of(spec):
    """The message, the request and the value the answer must equal."""
    if spec.get("kind") == "int":
        return "echoInt", 42
    size = int(spec["size"])
    return "echoBytes", bytes((i * 31 + 7) & 0xFF for i in range(size))  # the pattern every bench client sends


def serve(command):
    failed = {}
    for listener in command.get("listeners", []):
        try:
            server.start_listener(listener)
        except Exception as e:  # one listener that cannot start must not stop the others
            failed[listener.get("key", "?")] = f"{type(e).__name__}: {e}"
    return {"failed": failed}


def sleep_watching(seconds, failures):
    until = time.monotonic() + seconds
    while not failures and time.monotonic() < until:
        time.sleep(min(0.05, max(0.0, until - time.monotonic())))


def run(command):
    target = command["target"]
    if int(command.get("inflight", 1)) != 1:
        raise ValueError("an avro Requestor carries one call at a time (inflight 1)")
    message, value = payload_of(command["payload"])
    cell = {"transport": target["transport"], "host": target.get("host", "127.0.0.1"), "port": int(target["port"])}
    clients = [client.Client(cell, target.get("protocol", "conformance")) for _ in range(int(command.get("connections", 1)))]
    phase = [WARMUP]
    counts = [0] * len(clients)
    totals = [0] * len(clients)
    failures = []

    def loop(index, c):
        request = {"value": value}
        try:
            while phase[0] != STOP and not failures:
                answer = c.call(message, request)
                if answer != value:
                    raise ValueError(f"the echo differs from the request ({type(answer).__name__} of length {len(answer) if hasattr(answer, '__len__') else '-'})")
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
    drain_by = time.monotonic() + command.get("timeoutMs", 20000) / 1000
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
    print(json.dumps({"ready": True}), file=out, flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        answer = {"id": command.get("id")}
        op = command.get("op")
        try:
            if op == "serve":
                answer.update(serve(command))
            elif op == "run":
                answer.update(run(command))
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
