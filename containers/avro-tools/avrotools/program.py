"""avro-tools `rpcsend` and `rpcreceive`: avro-tools' own Tool classes, run in the tool host (one JVM
per container, toolhost.py) with the arguments `java -jar avro-tools.jar` would take; README.md says
what differs from a process per call and why the bytes do not.

Values go in as the tools take them: `-data` with Avro's JSON encoding, or `-file` with a data file
(the program cases' files in upstream's interop layout; and, for a value too long for one command
line argument, a data file that avro-tools' own `fromjson` makes from the same JSON). What the tools
print (rpcsend: the response in JSON; rpcreceive: the request in JSON) is compared with the case.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

from tooldriver import catalogue
from tooldriver.program import Arrival, Failure, Program

from . import schemas, values
from .toolhost import JAR, JVM_OPTIONS, TRUST, ToolHost

# Linux caps one argument at 128 KiB (MAX_ARG_STRLEN); longer values go through a data file.
MAX_DATA_ARGUMENT_CHARS = 100_000
EXCEPTION_LINE = re.compile(r'^Exception in thread "main" ([\w.$]+)(?:: (.*))?$')


def java(*arguments):
    """A process per call, exactly as people run the jar (the image build's checks use it)."""
    return ["java", TRUST, *JVM_OPTIONS, "-jar", JAR, *arguments]


class AvroTools(Program):
    name = "avro-tools"
    schemes = {"http": "http", "sasl": "avro"}

    def __init__(self):
        super().__init__()
        self.host = ToolHost()

    def parse_protocol(self, path):
        return schemas.load_protocol(path)

    def datum_arguments(self, schema, plain, directory, stem, timeout):
        """-data JSON, or -file made by `fromjson` from that JSON when it is too long for argv."""
        text = json.dumps(values.to_avro_json(schema, plain), ensure_ascii=True, allow_nan=False)
        if len(text) <= MAX_DATA_ARGUMENT_CHARS:
            return ["-data", text]
        directory = os.path.abspath(directory)
        schema_path = os.path.join(directory, f"{stem}.avsc")
        json_path = os.path.join(directory, f"{stem}.json")
        data_path = os.path.join(directory, f"{stem}.avro")
        with open(schema_path, "w", encoding="utf-8") as f:
            json.dump(schema.to_json(), f)
        with open(json_path, "w", encoding="utf-8") as f:
            f.write(text)
        made = self.host.run(["fromjson", "--schema-file", schema_path, json_path], timeout)
        if made.returncode != 0:
            raise Failure(f"avro-tools fromjson could not write the {stem} data file: {_tail(made.stderr)}")
        with open(data_path, "wb") as out:
            out.write(made.stdout)
        return ["-file", data_path]

    # --- client: rpcsend ---------------------------------------------------------------------

    def _rpcsend(self, uri, case, message_name, request, timeout, directory):
        path, message = self.message(case, message_name, "client")
        files = catalogue.files_dir(case)
        if files is not None and message_name == case.get("message"):
            arguments = ["-file", os.path.abspath(os.path.join(files, "request.avro"))]
        else:
            arguments = self.datum_arguments(message.request, values.from_notation(message.request, request),
                                             directory, "request", timeout)
        try:
            run = self.host.run(["rpcsend", uri, path, message_name, *arguments], timeout)
        except subprocess.TimeoutExpired:
            raise Failure(f"rpcsend {message_name}: no answer within {timeout} s (the call was abandoned)") from None
        return message, run

    def call(self, uri, case, message_name, request, expect, timeout):
        with tempfile.TemporaryDirectory(prefix="rpcsend-") as directory:
            message, run = self._rpcsend(uri, case, message_name, request, timeout, directory)
        check(message, expect, run)

    def send_oneway(self, uri, case, message_name, request, timeout):
        with tempfile.TemporaryDirectory(prefix="rpcsend-") as directory:
            message, run = self._rpcsend(uri, case, message_name, request, timeout, directory)
        if run.returncode != 0:
            raise Failure(f"rpcsend of one-way {message_name} failed: {_exception(run.stderr) or _tail(run.stderr)}")

    # --- server: rpcreceive ------------------------------------------------------------------

    def receiver(self, uri, case, workdir):
        setup_message, files = catalogue.server_setup(case)
        path, message = self.message(case, setup_message)
        if files is not None:
            arguments = ["-file", os.path.abspath(os.path.join(files, "response.avro"))]
        else:
            plain = values.from_notation(message.response, case["expect"]["response"])
            arguments = self.datum_arguments(message.response, plain, workdir, "response", 60)
        # The host resolves relative paths against its own directory, not the case's: all are absolute.
        return [sys.executable, "-m", "avrotools.hostcall", self.host.socket_path(),
                "rpcreceive", uri, path, setup_message, *arguments]

    def expected_parameters(self, case):
        _, message = self.message(case, case["message"])
        return values.to_binary(message.request, values.from_notation(message.request, case["request"]))

    def arrival(self, case, stdout, stderr):
        # rpcreceive prints "Port: N", then "<message>\t<request as JSON>" before it answers, or
        # "Expected message 'a' but received 'b'." when another message came.
        text = stdout.decode("utf-8", "replace")
        after_port = text.split("\n", 1)[1] if text.startswith("Port:") and "\n" in text else ""
        wrong = re.search(r"Expected message '([^']*)' but received '([^']*)'", after_port)
        if wrong:
            if "serverSetup" in case and wrong.group(2) == case["message"]:
                return Arrival(wrong.group(2))  # what the case is about: the answer is its error
            return Arrival(wrong.group(2), f"rpcreceive was set up for {wrong.group(1)} and received {wrong.group(2)}")
        if "\t" not in after_port:
            return None
        name, rest = after_port.split("\t", 1)
        if "serverSetup" in case:
            return Arrival(name, f"the case sends {case['message']}, rpcreceive (set up for {name}) received {name}")
        try:
            printed, _ = json.JSONDecoder().raw_decode(rest)
        except ValueError:
            return None  # not all of it yet
        _, message = self.message(case, case["message"])
        if name != case["message"]:
            return Arrival(name, f"expected a {case['message']} request")
        try:
            arrived = values.from_avro_json(message.request, printed)
        except values.EncodingError as error:
            return Arrival(name, f"rpcreceive printed a request that does not fit the schema: {error}")
        wanted = values.from_notation(message.request, case["request"])
        if not values.same(message.request, wanted, arrived):
            return Arrival(name, f"expected {json.dumps(values.to_notation(message.request, wanted))[:1500]}, "
                                 f"received {json.dumps(values.to_notation(message.request, arrived))[:1500]}")
        return Arrival(name)


# --- what rpcsend printed, against what the case expects ----------------------------------------


def _tail(data, limit=1500):
    text = data.decode("utf-8", "replace").strip()
    return text[-limit:]


def _exception(stderr):
    """(class, message) of the exception that ended the tool, message up to the stack trace."""
    lines = stderr.decode("utf-8", "replace").splitlines()
    for index, line in enumerate(lines):
        found = EXCEPTION_LINE.match(line)
        if found:
            rest = [found.group(2) or ""]
            for more in lines[index + 1:]:
                if more.startswith("\tat ") or more.startswith("Caused by:"):
                    break
                rest.append(more)
            return found.group(1), "\n".join(rest)
    return None


def _declared_error(message, text):
    """The declared error whose fields the printed record has, with its value; else None.

    GenericRequestor raises AvroRemoteException(record) and the tool prints the record's toString,
    which shows the fields but not the type: the type is the declared error with exactly those fields.
    """
    try:
        printed = json.loads(text)
    except ValueError:
        return None
    if not isinstance(printed, dict):
        return None
    for branch in message.errors.branches[1:]:
        if {field.name for field in branch.fields} == set(printed):
            try:
                return branch, values.from_avro_json(branch, printed)
            except values.EncodingError:
                continue
    return None


def check(message, expect, run):
    exception = None if run.returncode == 0 else _exception(run.stderr)
    if run.returncode == 0:
        try:
            answer = values.from_avro_json(message.response, json.loads(run.stdout.decode("utf-8")))
        except (ValueError, values.EncodingError) as error:
            raise Failure(f"rpcsend printed something that is not the response's JSON: {error}", None,
                          run.stdout.decode("utf-8", "replace")[:2000]) from None
        if "response" not in expect:
            raise Failure(f"{message.name}: expected an error, got a response", expect,
                          {"response": values.to_notation(message.response, answer)})
        wanted = values.from_notation(message.response, expect["response"])
        if not values.same(message.response, wanted, answer):
            raise Failure(f"{message.name}: the response differs", expect["response"], values.to_notation(message.response, answer))
        return
    if exception is None:
        raise Failure(f"rpcsend exited with status {run.returncode}", expect, {"stderr": _tail(run.stderr)})
    kind, text = exception
    # A declared error arrives as AvroRemoteException(record); a system error (the string branch)
    # as AvroRuntimeException(text) from GenericRequestor.readError.
    remote = kind in ("org.apache.avro.AvroRemoteException", "org.apache.avro.AvroRuntimeException")
    declared = _declared_error(message, text) if kind == "org.apache.avro.AvroRemoteException" else None
    if "error" in expect and declared is not None:
        branch, value = declared
        if branch.name != expect["error"]["type"]:
            raise Failure(f"{message.name}: expected error {expect['error']['type']}, got {branch.name}", expect["error"],
                          {"type": branch.name, "value": values.to_notation(branch, value)})
        if not values.same(branch, values.from_notation(branch, expect["error"]["value"]), value):
            raise Failure(f"{message.name}: the error's fields differ", expect["error"],
                          {"type": branch.name, "value": values.to_notation(branch, value)})
        return
    if "systemError" in expect and remote and declared is None:
        if expect["systemError"] not in text:
            raise Failure(f"{message.name}: the system error does not contain {expect['systemError']!r}", expect, {"systemError": text[:2000]})
        return
    raise Failure(f"{message.name}: rpcsend ended with {kind}", expect, {"exception": f"{kind}: {text}"[:2000]})
