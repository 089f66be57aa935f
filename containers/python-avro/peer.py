"""The Python Avro reference peer (avro from PyPI) for the conformance suite (containers/README.md).

    peer.py server --plan FILE     every listener of the plan in this process (server.py)
    peer.py client --plan FILE     every cell of the plan, one TAP 13 block per cell (client.py)
    peer.py datafile ...           Avro object container files (datafile.py)
"""

import json
import os
import signal
import sys

from logs import PROCESS


def read_plan(argv, role):
    if len(argv) != 2 or argv[0] != "--plan":
        raise ValueError(f"usage: peer.py {role} --plan FILE")
    with open(argv[1], encoding="utf-8") as f:
        plan = json.load(f)
    if not isinstance(plan, dict):
        raise ValueError("a plan is a JSON object")
    return plan


def main(argv):
    # [datafile] Avro object container files: a role of its own, with its own options (datafile.py).
    if argv[:1] == ["datafile"]:
        import datafile
        return datafile.main(argv[1:])
    if argv[:1] == ["bench"]:  # [bench] bench/README.md
        import bench
        return bench.main(argv[1:])
    # SIGTERM ends the process at once, whatever its threads are doing (no graceful drain).
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    role = argv[0] if argv else None
    if role not in ("server", "client"):
        PROCESS("usage: peer.py server|client --plan FILE, or peer.py datafile ...")
        return 2
    try:
        plan = read_plan(argv[1:], role)
    except (OSError, ValueError) as e:
        PROCESS(f"cannot read the plan: {e}")
        return 2
    if role == "server":
        import server
        server.serve_plan(plan, sys.stdout)
        return 0
    import client
    client.run_plan(plan, sys.stdout)
    sys.stdout.flush()
    sys.stderr.flush()
    # Threads of a case that timed out may still be blocked; they must not keep the process alive.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
