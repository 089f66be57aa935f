"""The program cases' data files, in upstream's interop layout (programs/interop/rpc/<message>/<case>/):

    python -m pytool.interop_files write DIR    writes request.avro and response.avro for every case
    python -m pytool.interop_files verify       reads the committed ones back (run by the image build)

The files were written once with `write` and committed; the build checks that they still read as
exactly the values of programs/cases.json, so the two cannot drift (avro-tools checks the same with
its own reader, containers/avro-tools/avrotools/interop_check.py).
"""

import os
import sys

import avro.datafile
import avro.io

import values
from tooldriver import catalogue

from .program import PythonAvroTool, request_schema, response_schema, write_datum


def interop_cases():
    tool = PythonAvroTool()
    for case in catalogue.load_cases().values():
        if "files" in case:
            _, message = tool.message(case, case["message"])
            yield case, message


def write(root):
    for case, message in interop_cases():
        directory = os.path.join(root, case["files"])
        os.makedirs(directory, exist_ok=True)
        write_datum(os.path.join(directory, "request.avro"), request_schema(message),
                    values.to_python(message.request, case["request"]))
        write_datum(os.path.join(directory, "response.avro"), response_schema(message),
                    values.to_python(message.response, case["expect"]["response"]))
        print(f"wrote {directory}")
    return 0


def verify():
    problems = checked = 0
    for case, message in interop_cases():
        directory = catalogue.files_dir(case)
        for stem, schema, wanted in (("request", message.request, case["request"]),
                                     ("response", message.response, case["expect"]["response"])):
            path = os.path.join(directory, f"{stem}.avro")
            with open(path, "rb") as f, avro.datafile.DataFileReader(f, avro.io.DatumReader()) as reader:
                data = list(reader)
            checked += 1
            if len(data) != 1 or not values.same(schema, values.to_python(schema, wanted), data[0]):
                print(f"{path}: holds {data!r:.300}", file=sys.stderr)
                problems += 1
    print(f"python avro read {checked} interop data files; {problems} differ from programs/cases.json")
    return 1 if problems or not checked else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"] and len(sys.argv) == 3:
        sys.exit(write(sys.argv[2]))
    if sys.argv[1:] == ["verify"]:
        sys.exit(verify())
    sys.exit("usage: python -m pytool.interop_files write DIR | verify")
