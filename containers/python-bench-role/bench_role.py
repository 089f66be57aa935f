"""The bench role of the Python peers (bench/README.md): the JSON line command loop and the closed loop.

  serve  starts listeners with the peer's own servers
  cpu    this process's CPU time so far (seconds, every thread)
  run    a closed loop of echo calls for a given time with the peer's own clients, and how many completed
  exit   ends the process

What is the peer's own (how it serves, how it makes one client and one call) it hands to main();
this module is the rest, the same for python-avro and python-thrift, so that their figures are
measured by the same code.

Each in-flight call is a thread with its own client (one connection): neither avro's Requestor nor a
Thrift client is thread-safe. Threads share the GIL, as they would in any Python program that does
this.
"""

import json
import os
import sys
import threading
import time

WARMUP, MEASURE, STOP = 0, 1, 2


def payload_of(spec, int_message, bytes_message):
    """The message to call, and the value it sends and its echo must equal."""
    if spec.get("kind") == "int":
        return int_message, 42
    return bytes_message, bytes((i * 31 + 7) & 0xFF for i in range(int(spec["size"])))  # the pattern every bench client sends


def sleep_watching(seconds, failures):
    """Sleeps, waking early when a call failed (the run is void then)."""
    until = time.monotonic() + seconds
    while not failures and time.monotonic() < until:
        time.sleep(min(0.05, max(0.0, until - time.monotonic())))


def run(command, connect, carrier):
    """A closed loop over `connections` clients from connect(), one thread each, calling client.echo().

    client.echo() makes one call and raises when the answer is not the request; client.close() ends
    the connection. `carrier` names what carries one call at a time, for refusing another inflight.
    """
    if int(command.get("inflight", 1)) != 1:
        raise ValueError(f"{carrier} carries one call at a time (inflight 1)")
    timeout_ms = int(command.get("timeoutMs", 20000))
    clients = [connect() for _ in range(int(command.get("connections", 1)))]
    phase = [WARMUP]
    counts = [0] * len(clients)
    totals = [0] * len(clients)
    failures = []

    def loop(index, c):
        try:
            while phase[0] != STOP and not failures:
                c.echo()
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


def main(serve, run_command):
    """Answers commands until stdin ends or `exit`: serve(command) and run_command(command) return the answer's fields."""
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
                answer.update(run_command(command))
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
