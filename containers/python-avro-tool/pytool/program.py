"""Python's avro command-line tool, `python -m avro.tool rpcsend|rpcreceive`, run as people run it.

Each call runs in a fork of one process that has imported what avro.tool imports and never ran a
call (forkserver.py; ../README.md says what is identical to a fresh process and what is not):
rpcsend from here, rpcreceive through a stand-in process (forkcall.py) that the relay starts.

The tool takes values only as data files (`-file`): the program cases' files in upstream's interop
layout, or a data file this wrapper writes with the same avro library for a conformance case.
rpcsend prints the response with print(): Python's repr inside containers, a top-level string as it
is. rpcreceive shows only the response it was given (on stderr, "Message: <name> Datum: ..."), never
the request, so a request is checked only where the client is the program (the ts-server direction,
by our server).
"""

import io
import json
import os
import re
import subprocess
import sys
import tempfile

import avro.datafile
import avro.io
import avro.protocol
import avro.schema

import values
from tooldriver import catalogue
from tooldriver.program import Arrival, Failure, Program

from . import pyrepr
from .forkclient import ForkServer

PYTHON = os.environ.get("AVRO_TOOL_PYTHON", sys.executable)
# The command as people run it (the image build's checks run it so, and compare it with the fork server).
TOOL = [PYTHON, "-m", "avro.tool"]
RECEIVED = re.compile(r"^Message: (\S*) Datum: ", re.M)


def request_schema(message):
    """The request as upstream's data files hold it: a record named after the message, one field per
    parameter, named types defined where they first occur."""
    names = avro.schema.Names()
    fields = [{"name": field.name, "type": field.type.to_json(names)} for field in message.request.fields]
    return avro.schema.parse(json.dumps({"type": "record", "name": message.name, "fields": fields}))


def response_schema(message):
    return avro.schema.parse(json.dumps(message.response.to_json(avro.schema.Names())))


def write_datum(path, schema, datum):
    with open(path, "wb") as out, avro.datafile.DataFileWriter(out, avro.io.DatumWriter(), schema) as writer:
        writer.append(datum)


class PythonAvroTool(Program):
    name = "python-avro-tool"
    schemes = {"http": "http"}
    # It reads a chunked body as Avro frames and waits for more, never answering (known-failures.json):
    # the relay sees it blocked reading past the request and answers for it at once (stall.py); 3 s
    # is the bound where that look cannot see. Any other request gets the default bound, since a
    # 1 MiB echo took over 3 s on a loaded machine (parsing the request and writing the answer).
    chunked_answer_seconds = 3

    def __init__(self):
        super().__init__()
        self.forks = ForkServer(PYTHON)

    def parse_protocol(self, path):
        with open(path, encoding="utf-8") as f:
            return avro.protocol.parse(f.read())

    # --- client: rpcsend ---------------------------------------------------------------------

    def _rpcsend(self, uri, case, message_name, request, timeout):
        path, message = self.message(case, message_name, "client")
        with tempfile.TemporaryDirectory(prefix="rpcsend-") as directory:
            files = catalogue.files_dir(case)
            if files is not None and message_name == case.get("message"):
                data = os.path.join(files, "request.avro")
            else:
                data = os.path.join(directory, "request.avro")
                write_datum(data, request_schema(message), values.to_python(message.request, request))
            try:
                run = self.forks.run(["rpcsend", uri, path, message_name, "-file", data], timeout)
            except subprocess.TimeoutExpired:
                raise Failure(f"rpcsend {message_name}: no answer within {timeout} s (the process was killed)") from None
        return message, run

    def call(self, uri, case, message_name, request, expect, timeout):
        message, run = self._rpcsend(uri, case, message_name, request, timeout)
        check(message, expect, run)

    def send_oneway(self, uri, case, message_name, request, timeout):
        message, run = self._rpcsend(uri, case, message_name, request, timeout)
        if run.returncode != 0:
            raise Failure(f"rpcsend of one-way {message_name} failed: {_last_line(run.stderr)}", None, {"stderr": _tail(run.stderr)})

    # --- server: rpcreceive ------------------------------------------------------------------

    def receiver(self, uri, case, workdir):
        setup_message, files = catalogue.server_setup(case)
        path, message = self.message(case, setup_message)
        if files is not None:
            data = os.path.join(files, "response.avro")
        else:
            data = os.path.join(workdir, "response.avro")
            write_datum(data, response_schema(message), values.to_python(message.response, case["expect"]["response"]))
        return self.forks.stand_in_argv(["rpcreceive", uri, path, setup_message, "-file", data])

    def expected_parameters(self, case):
        _, message = self.message(case, case["message"])
        buffer = io.BytesIO()
        avro.io.DatumWriter(message.request).write(values.to_python(message.request, case["request"]), avro.io.BinaryEncoder(buffer))
        return buffer.getvalue()

    def arrival(self, case, stdout, stderr):
        # Only the message rpcreceive was set up for is announced; another one gets no line.
        found = RECEIVED.search(stderr.decode("utf-8", "replace"))
        if not found:
            return None
        if "serverSetup" in case:
            return Arrival(found.group(1), f"the case sends {case['message']}, rpcreceive received {found.group(1)}")
        return Arrival(found.group(1))


# --- what rpcsend printed, against what the case expects ----------------------------------------


def _tail(data, limit=1500):
    return data.decode("utf-8", "replace").strip()[-limit:]


def _last_line(stderr):
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _declared_error(message, datum):
    """avro raises AvroRemoteException(datum) and prints the datum, without its type: the type is
    the declared error whose fields the printed record has."""
    if not isinstance(datum, dict):
        return None
    for branch in message.errors.schemas[1:]:
        if {field.name for field in branch.fields} == set(datum):
            return branch
    return None


def check(message, expect, run):
    if run.returncode == 0:
        text = run.stdout.decode("utf-8", "replace")
        if "response" not in expect:
            raise Failure(f"{message.name}: expected an error, got a response", expect, {"printed": text[:2000]})
        wanted = values.to_python(message.response, expect["response"])
        if isinstance(wanted, str):
            # print() shows a string as it is, without quotes (a repr only inside containers): the
            # output must be exactly the text and print's newline. (So a string "5" and the int 5
            # print alike; the tool's output cannot tell them apart.)
            if text != wanted + "\n":
                raise Failure(f"{message.name}: the response differs", expect["response"], {"printed": text[:2000]})
            return
        try:
            answer = pyrepr.parse(text)
        except (pyrepr.ReprError, TypeError, ValueError) as error:
            raise Failure(f"rpcsend printed something that is not a value: {error}", expect["response"], {"printed": text[:2000]}) from None
        if not values.same(message.response, wanted, answer):
            raise Failure(f"{message.name}: the response differs", expect["response"], values.to_notation(message.response, answer))
        return
    last = _last_line(run.stderr)
    prefix = "avro.errors.AvroRemoteException: "
    if not last.startswith(prefix):
        raise Failure(f"{message.name}: rpcsend failed: {last[:500]}", expect, {"stderr": _tail(run.stderr)})
    text = last[len(prefix):]
    try:
        datum = pyrepr.parse(text)
    except (pyrepr.ReprError, TypeError, ValueError):
        datum = text  # a system error's text is printed as it is
    branch = _declared_error(message, datum)
    if "error" in expect and branch is not None:
        if branch.fullname != expect["error"]["type"]:
            raise Failure(f"{message.name}: expected error {expect['error']['type']}, got {branch.fullname}", expect["error"],
                          {"type": branch.fullname, "value": values.to_notation(branch, datum)})
        if not values.same(branch, values.to_python(branch, expect["error"]["value"]), datum):
            raise Failure(f"{message.name}: the error's fields differ", expect["error"],
                          {"type": branch.fullname, "value": values.to_notation(branch, datum)})
        return
    if "systemError" in expect and branch is None:
        if expect["systemError"] not in text:
            raise Failure(f"{message.name}: the system error does not contain {expect['systemError']!r}", expect, {"systemError": text[:2000]})
        return
    raise Failure(f"{message.name}: rpcsend raised AvroRemoteException", expect, {"exception": text[:2000]})
