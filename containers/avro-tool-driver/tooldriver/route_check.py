"""Image-build check of how the relay routes requests to cases: `python -m tooldriver.route_check`.

Two things a full release grid run showed (server.py, LATE_ARRIVAL_SECONDS), with stand-in programs
(small Python processes) in place of rpcreceive:
- a case whose program answered its call, but showed it only after the relay stopped waiting, is
  done when the next case's request comes, not abandoned;
- a request waiting for a program that is stopped meanwhile (a request for a later case abandoned
  its case) is routed again, not dropped.
Exits non-zero, saying which, when not.
"""

import sys
import tempfile
import threading
import types

from .checks import finish
from .server import CaseListener

# A stand-in rpcreceive: waits, prints its port line, waits, shows the call it "received", ends.
PROGRAM = """
import sys, time
before, after, name = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
time.sleep(before)
print("Port: 1", flush=True)
time.sleep(after)
print("ARRIVED " + name, flush=True)
"""


class StandIn:
    """The program interface server.py uses, with per-case delays: case id -> (before port, before line)."""

    name = "stand-in"

    def __init__(self, delays):
        self.delays = delays

    def uri(self, transport, host, port):
        return f"{transport}://{host}:{port}/"

    def server_skip(self, transport, case):
        return None

    def expected_parameters(self, case):
        return b""

    def receiver(self, uri, case, directory):
        before, after = self.delays[case["id"]]
        return [sys.executable, "-c", PROGRAM, str(before), str(after), case["id"]]

    def arrival(self, case, stdout, stderr):
        shown = f"ARRIVED {case['id']}".encode() in stdout
        return types.SimpleNamespace(message=case["message"], problem=None) if shown else None


def listener_of(delays, workdir):
    cases = {case_id: {"id": case_id, "kind": "call", "message": f"m-{case_id}", "expect": {"response": None}} for case_id in delays}
    plan = {"key": "check", "transport": "http", "host": "127.0.0.1", "port": 0, "cases": list(delays)}
    listener = CaseListener(plan, cases, StandIn(delays), workdir)
    listener.log = lambda _text: None
    with listener.lock:
        listener._ensure_backends(ahead=1)
    return listener


def late_line(workdir):
    """Case a answered, its line due 0.5 s later; then b's request comes."""
    listener = listener_of({"a": (0, 0.5), "b": (0, 0)}, workdir)
    first = listener.slots[0]
    first.backend.wait_port()
    first.answered_unseen = True
    routed = listener.route("m-b", b"")
    wrong = []
    if first.state != "done":
        wrong.append(f"a case whose line came late was left {first.state}, not done, by the next case's request")
    if routed is None or routed.case_id != "b":
        wrong.append(f"the next case's request went to {getattr(routed, 'case_id', None)}, not to b")
    return wrong


def waiting_request(workdir):
    """A ping goes to case a, whose program takes 1 s to listen; b's request abandons a meanwhile."""
    listener = listener_of({"a": (1.0, 30), "b": (0, 30)}, workdir)
    outcome = {}

    def ping():
        try:
            outcome["slot"] = listener.route("", None)
        except Exception as error:  # the failure this check is about
            outcome["error"] = error

    thread = threading.Thread(target=ping)
    thread.start()
    threading.Event().wait(0.2)
    listener.route("m-b", b"")
    thread.join(15)
    wrong = []
    if "error" in outcome:
        wrong.append(f"a request waiting for an abandoned case's program failed: {outcome['error']!r}")
    elif getattr(outcome.get("slot"), "case_id", None) != "b":
        wrong.append(f"a request waiting for an abandoned case's program went to {outcome.get('slot')!r}, not to b")
    for slot in listener.slots:
        if slot.backend is not None:
            slot.backend.stop()
    return wrong


def main():
    with tempfile.TemporaryDirectory() as workdir:
        wrong = late_line(workdir) + waiting_request(workdir)
    finish("route_check", wrong)


if __name__ == "__main__":
    main()
