"""The case catalogues and protocols, as baked into the image under /spec (peer.json "shared")."""

import json
import os

DATA_DIR = os.environ.get("AVRO_CONFORMANCE_DATA", "/spec/suites/avro/data")
PROGRAMS_DIR = os.path.join(DATA_DIR, "programs")


def load_cases():
    """Every case by id: the conformance catalogue and the program catalogue (programs/cases.json)."""
    cases = {}
    for path in (os.path.join(DATA_DIR, "cases.json"), os.path.join(PROGRAMS_DIR, "cases.json")):
        with open(path, encoding="utf-8") as f:
            for case in json.load(f)["cases"]:
                if case["id"] in cases:
                    raise ValueError(f"case id {case['id']} appears twice ({path})")
                cases[case["id"]] = case
    return cases


def protocol_path(name):
    """programs/protocols/<name>.avpr for the program protocols, else protocols/<name>.avpr."""
    program = os.path.join(PROGRAMS_DIR, "protocols", f"{name}.avpr")
    return program if os.path.exists(program) else os.path.join(DATA_DIR, "protocols", f"{name}.avpr")


def client_protocol(case):
    """The protocol a client speaks for a case: its copy ("clientProtocol") or the server's."""
    return case.get("clientProtocol", case["protocol"])


def files_dir(case):
    """A program case's data files in upstream's interop layout (rpc/<message>/<case>/), or None."""
    return os.path.join(PROGRAMS_DIR, case["files"]) if "files" in case else None


def server_setup(case):
    """(message, data-file folder or None) an rpcreceive is set up with for a case: the case's own,
    or its "serverSetup" (a case that sends rpcreceive another message than it expects)."""
    setup = case.get("serverSetup")
    if setup is None:
        return case["message"], files_dir(case)
    return setup["message"], os.path.join(PROGRAMS_DIR, setup["files"]) if "files" in setup else None
