"""Reference Python Thrift peer for the conformance suite (containers/README.md).

    peer.py server --plan FILE    serve every listener of the plan, in this one process
    peer.py client --plan FILE    run every cell's cases, print TAP per cell

The thrift library is the released `thrift` package from PyPI (the version is the image's build
argument), used the documented way. Our own code is the handler, the case runner, the value
notation, and the IDL classes built from the compiler's JSON description (idl.py says why).
"""
import argparse
import json
import os
import signal
import sys

IDL_DESCRIPTION = '/opt/peer/conformance.json'


def main():
    # As PID 1 in a container, a process gets no default SIGTERM action: the harness removes the
    # container with SIGTERM and expects the process gone at once, without draining.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(143))
    if sys.argv[1:2] == ['bench']:  # [bench] bench/README.md
        import bench
        return bench.main(sys.argv[2:])
    parser = argparse.ArgumentParser()
    parser.add_argument('role', choices=['server', 'client'])
    parser.add_argument('--plan', required=True)
    args = parser.parse_args()
    with open(args.plan) as f:
        plan = json.load(f)
    from idl import Idl
    idl = Idl(IDL_DESCRIPTION)
    if args.role == 'server':
        from server import serve
        serve(plan, idl)
    else:
        from client import run_plan
        run_plan(plan, idl)
    return 0


if __name__ == '__main__':
    sys.exit(main())
