"""Client plans: each cell's cases in order, one program run per call, TAP out."""

import traceback

from .program import Failure
from .tap import Tap, log

CALL_TIMEOUT_SECONDS = 20  # one program run, JVM start included


# Kinds whose calls must share one client or connection (suites/avro/data/README.md).
SEVERAL_CALLS = {"sequence", "concurrent", "pipelined", "oneway-interleaved", "reconnect", "many-clients"}


def common_skip(case):
    kind = case["kind"]
    if kind in SEVERAL_CALLS:
        return f"kind {kind} needs several calls on one client or connection; the program makes one call per invocation"
    if kind not in ("call", "oneway"):
        return f"kind {kind} is a TypeScript-only procedure"
    return None


def run_case(program, uri, transport, case):
    if case["kind"] == "call":
        program.call(uri, case, case["message"], case["request"], case["expect"], CALL_TIMEOUT_SECONDS)
    else:  # oneway: two runs, the one-way message and then the call that shows it arrived
        program.send_oneway(uri, case, case["message"], case["request"], CALL_TIMEOUT_SECONDS)
        then = case["then"]
        program.call(uri, case, then["message"], then["request"], {"response": then["response"]}, CALL_TIMEOUT_SECONDS)


def run(plan, cases, program):
    tap = Tap()
    for cell in plan["cells"]:
        key = cell["key"]
        ids = list(cell.get("cases", []))
        tap.cell(key, len(ids))
        transport = cell["transport"]
        offered = transport in program.schemes and cell.get("socket", "tcp") == "tcp"
        uri = program.uri(transport, cell["host"], cell["port"]) if offered else None
        for number, case_id in enumerate(ids, 1):
            tap.case_begins(case_id)
            case = cases.get(case_id)
            if case is None:
                tap.not_ok(number, case_id, "no such case id in the catalogues")
                continue
            if not offered:
                tap.not_ok(number, case_id, f"{program.name} has no client for transport {transport} socket {cell.get('socket', 'tcp')}")
                continue
            reason = common_skip(case) or program.client_skip(transport, case)
            if reason:
                tap.skip(number, case_id, reason)
                continue
            try:
                run_case(program, uri, transport, case)
            except Failure as failure:
                tap.not_ok(number, case_id, str(failure), failure.expected, failure.actual)
            except Exception as error:  # a bug of the wrapper or a case it cannot read: still a TAP line
                log(f"[{key}] case {case_id}:\n{traceback.format_exc()}")
                tap.not_ok(number, case_id, f"{type(error).__name__}: {error}")
            else:
                tap.ok(number, case_id)
        tap.cell_ends(key)
