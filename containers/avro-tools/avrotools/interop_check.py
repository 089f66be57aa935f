"""Build-time check: avro-tools reads every committed interop data file as exactly the case's value.

The files under suites/avro/data/programs/interop/ were written once (containers/python-avro-tool/
interop_files.py); this keeps them from drifting from programs/cases.json, read by the program
under test itself (`avro-tools tojson`).
"""

import json
import os
import subprocess
import sys

from tooldriver import catalogue

from . import values
from .program import AvroTools, java


def main():
    tools = AvroTools()
    problems = 0
    checked = 0
    for case in catalogue.load_cases().values():
        files = catalogue.files_dir(case)
        if files is None:
            continue
        _, message = tools.message(case, case["message"])
        for stem, schema, wanted in (("request", message.request, case["request"]),
                                     ("response", message.response, case["expect"]["response"])):
            path = os.path.join(files, f"{stem}.avro")
            run = subprocess.run(java("tojson", path), capture_output=True, timeout=120)
            lines = run.stdout.decode("utf-8").splitlines()
            try:
                if run.returncode != 0 or len(lines) != 1:
                    raise ValueError(f"tojson gave {len(lines)} records, status {run.returncode}: {run.stderr[-500:]!r}")
                read = values.from_avro_json(schema, json.loads(lines[0]))
                if not values.same(schema, values.from_notation(schema, wanted), read):
                    raise ValueError(f"reads as {values.to_notation(schema, read)}")
            except ValueError as error:
                print(f"{path}: {error}", file=sys.stderr)
                problems += 1
            checked += 1
    print(f"avro-tools read {checked} interop data files; {problems} differ from programs/cases.json")
    return 1 if problems or not checked else 0


if __name__ == "__main__":
    sys.exit(main())
