"""The peer command line (containers/README.md): `server --plan FILE` or `client --plan FILE`."""

import argparse
import json
import os
import signal
import sys
import tempfile

from . import catalogue, client, server
from .tap import log


def main(argv, program):
    parser = argparse.ArgumentParser(prog="peer", description=f"{program.name}, driven by plan files")
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("--plan", required=True)
    args = parser.parse_args(argv)

    def terminate(*_):
        # SIGTERM ends the process at once, and with it every rpcreceive it started.
        server.stop_all_backends()
        os._exit(0)

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    try:
        with open(args.plan, encoding="utf-8") as f:
            plan = json.load(f)
        cases = catalogue.load_cases()
    except (OSError, ValueError) as error:
        log(f"cannot read the plan or the catalogues: {error}")
        return 2
    if args.role == "client":
        client.run(plan, cases, program)
        return 0
    server.serve(plan, cases, program, tempfile.mkdtemp(prefix="rpcreceive-"))
    return 0
