"""TAP 13 as containers/README.md asks for it: per cell, per case, flushed line by line."""

import json
import sys
import time


def log(text):
    print(text, file=sys.stderr, flush=True)


def instants():
    """When, as "<epoch ms> monotonic <ms>" to the microsecond: the harness cuts what its server saw
    by the monotonic clock (containers share it with the host), which no step of the real-time
    clock moves."""
    return f"{time.time_ns() / 1e6:.3f} monotonic {time.monotonic_ns() / 1e6:.3f}"


def _yaml(value):
    # JSON is YAML (flow style); very long renderings are cut, as a quoted string.
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 4000 else json.dumps(text[:4000] + "... (cut)", ensure_ascii=False)


class Tap:
    def __init__(self, out=sys.stdout):
        self.out = out

    def line(self, text):
        print(text, file=self.out, flush=True)

    def cell(self, key, count):
        self.line(f"# cell {key} begins")
        self.line("TAP version 13")
        self.line(f"1..{count}")

    def cell_ends(self, key):
        # When the cell's last case ended (the harness's measure of that case's own time).
        self.line(f"# cell {key} ends {instants()}")

    def case_begins(self, case_id):
        # The harness cuts what its server saw at these instants.
        self.line(f"# case {case_id} begins {instants()}")

    def ok(self, number, case_id):
        self.line(f"ok {number} - {case_id}")

    def skip(self, number, case_id, why):
        self.line(f"ok {number} - {case_id} # SKIP {why}")

    def not_ok(self, number, case_id, message, expected=None, actual=None):
        self.line("\n".join([
            f"not ok {number} - {case_id}",
            "  ---",
            f"  message: {_yaml(message)}",
            f"  expected: {_yaml(expected)}",
            f"  actual: {_yaml(actual)}",
            "  ...",
        ]))
