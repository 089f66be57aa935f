"""The client role: runs every cell of a plan and prints one TAP 13 block per cell (containers/README.md).

  http  avro.ipc.HTTPTransceiver with avro.ipc.Requestor.
  tcp   our SocketTransceiver (wire.py) under the library's Requestor, stateful like Java's
        SocketTransceiver: the handshake happens once per connection.

avro's Requestor and transceivers are not thread-safe, so a client shared by threads (the
`concurrent` kind) takes a lock around each call: its calls go out one at a time on the one
connection, as Java's SocketTransceiver does under its own lock. Clients of the `many-clients`
kind are one thread with its own transceiver each.
"""

import concurrent.futures
import io
import json
import os
import threading
import time
import traceback

import avro.errors
import avro.io
import avro.ipc

import protocols
import values
from logs import KeyedLog
from wire import SocketTransceiver

CALL_TIMEOUT_SECONDS = 10
TRANSPORTS = ("http", "tcp")
RUNNABLE_KINDS = ("call", "sequence", "oneway", "concurrent", "oneway-interleaved", "reconnect", "many-clients")


class RemoteError(Exception):
    """An error response, with the branch of the error union it came in."""

    def __init__(self, type_name, datum):
        super().__init__(f"{type_name}: {datum!r}")
        self.type_name = type_name
        self.datum = datum


class CheckingRequestor(avro.ipc.Requestor):
    def read_call_response(self, message_name, decoder):
        # The stock method raises AvroRemoteException(datum) for an error response, which drops the
        # branch of the error union: a declared error could not be told from a string. Same reading,
        # but keeping the branch.
        avro.ipc.META_READER.read(decoder)
        remote = self.remote_protocol.messages.get(message_name)
        local = self.local_protocol.messages.get(message_name)
        if remote is None or local is None:
            raise avro.errors.AvroException(f"unknown message {message_name!r}")
        if not decoder.read_boolean():
            return self.read_response(remote.response, local.response, decoder)
        index = decoder.read_long()
        if not 0 <= index < len(remote.errors.schemas):
            raise avro.errors.AvroException(f"error union branch {index} does not exist in {remote.errors}")
        writer = remote.errors.schemas[index]
        # The library's own resolution picks the reader's branch (DatumReader.read_data on a union).
        datum = avro.io.DatumReader(writer, local.errors).read(decoder)
        raise RemoteError(reader_branch_name(local.errors, writer), datum)


def instants():
    """When, as "<epoch ms> monotonic <ms>" to the microsecond: the harness cuts what its server saw
    by the monotonic clock (containers share it with the host), which no step of the real-time
    clock moves (containers/README.md)."""
    return f'{time.time_ns() / 1e6:.3f} monotonic {time.monotonic_ns() / 1e6:.3f}'


def reader_branch_name(union, writer):
    """The name of the reader's union branch that the library resolves writer to."""
    for branch in union.schemas:
        if branch.match(writer):
            return values.branch_name(branch)
    return values.branch_name(writer)


class ConnectionRequestor(CheckingRequestor):
    """A Requestor that handshakes once per connection, as Java's Requestor does on a socket.

    After a handshake answered BOTH or CLIENT, requests carry no handshake and responses start with
    the call response; a one-way message is written and nothing is read back.
    """

    def __init__(self, protocol, transceiver, oneway):
        super().__init__(protocol, transceiver)
        self.oneway = oneway
        self.connected = False

    def read_handshake_response(self, decoder):
        call_follows = super().read_handshake_response(decoder)
        self.connected = self.connected or call_follows
        return call_follows

    def request(self, message_name, request_datum):
        if not self.connected:
            return super().request(message_name, request_datum)
        buffer = io.BytesIO()
        self.write_call_request(message_name, request_datum, avro.io.BinaryEncoder(buffer))
        if message_name in self.oneway:
            self.transceiver.write(buffer.getvalue())
            return None
        response = self.transceiver.transceive(buffer.getvalue())
        return self.read_call_response(message_name, avro.io.BinaryDecoder(io.BytesIO(response)))


class HttpStatusError(avro.errors.AvroException):
    """The server answered an HTTP status other than 200: its body is not an Avro response."""


class BodyReader:
    """An HTTP response body that raises at its end instead of returning b"" (see below)."""

    def __init__(self, response):
        self.response = response

    def read(self, count):
        data = self.response.read(count)
        if count > 0 and not data:
            raise avro.errors.ConnectionClosedException("the HTTP response body ended inside an Avro frame")
        return data


class CheckedHTTPTransceiver(avro.ipc.HTTPTransceiver):
    """The library's HTTP transceiver plus two checks it lacks, so that a call always ends:

    - the HTTP status: the library reads any body as Avro frames, so a server's "400 Bad Request"
      text would be taken for a frame length;
    - the end of the body: avro 1.11.x to 1.12.1's FramedReader compares what it read with the
      str "" (never equal to bytes) and loops forever, at full CPU and past every timeout, when a
      body ends inside a frame (fixed in 1.12.2 by apache/avro#3710). The library's FramedReader
      still does the reading.
    """

    def read_framed_message(self):
        response = self.conn.getresponse()
        if response.status != 200:
            text = response.read(512).decode("utf-8", "replace").strip()
            raise HttpStatusError(f"HTTP {response.status} {response.reason}: {text}")
        message = avro.ipc.FramedReader(BodyReader(response)).read_framed_message()
        response.read()  # ready for the next request on this connection, as the library does
        return message


def forget_closed_connection(remote_name):
    """Drops what the library cached under this connection's key before its first call.

    The library keys its module-level caches (avro.ipc REMOTE_HASHES, REMOTE_PROTOCOLS) by the
    transceiver's remote_name, which is the connection's own local address (ipc.py
    HTTPTransceiver: conn.sock.getsockname()). When the system hands a new connection an
    ephemeral port that an earlier, closed connection of this process had, the new Requestor finds
    that connection's server hash, sends it, and leaves remote_protocol None; a server that knows
    the client's protocol then answers BOTH (00000004 00000000) and read_call_response fails with
    "'NoneType' object has no attribute 'messages'" (seen once in ~10 runs of a cell, 2026-11-29).
    Each case is a new client: whether it passes must not depend on port reuse within the run.
    """
    avro.ipc.REMOTE_HASHES.pop(remote_name, None)
    avro.ipc.REMOTE_PROTOCOLS.pop(remote_name, None)


class Client:
    """One connection (one transceiver and its requestor) speaking one protocol."""

    def __init__(self, cell, protocol_name):
        self.protocol, oneway = protocols.load(protocol_name)
        self.lock = threading.Lock()
        host, port = cell["host"], int(cell["port"])
        if cell["transport"] == "http":
            self.transceiver = CheckedHTTPTransceiver(host, port)
            # HTTPTransceiver takes no timeout; a server that never answers must not hang the run.
            self.transceiver.conn.timeout = CALL_TIMEOUT_SECONDS
            self.transceiver.conn.sock.settimeout(CALL_TIMEOUT_SECONDS)
            self.requestor = CheckingRequestor(self.protocol, self.transceiver)
        else:
            self.transceiver = SocketTransceiver(host, port, CALL_TIMEOUT_SECONDS)
            self.requestor = ConnectionRequestor(self.protocol, self.transceiver, oneway)
        forget_closed_connection(self.transceiver.remote_name)

    def call(self, message_name, request):
        with self.lock:
            return self.requestor.request(message_name, request)

    def close(self):
        try:
            self.transceiver.close()
        except Exception:
            pass


class Failure(Exception):
    def __init__(self, message, expected=None, actual=None):
        super().__init__(message)
        self.expected = expected
        self.actual = actual


def describe_error(message, error):
    try:
        branch = values.union_branch(message.errors, error.type_name)
        return {"error": {"type": error.type_name, "value": values.to_notation(branch, error.datum)}}
    except values.NotationError:
        return {"error": {"type": error.type_name, "value": {"$python": repr(error.datum)[:2000]}}}


def message_of(protocol, name):
    message = protocol.messages.get(name)
    if message is None:
        raise Failure(f"protocol {protocol.fullname} has no message {name!r}")
    return message


def check_call(client, step):
    """Makes one call and raises Failure when the outcome is not the one the step expects."""
    protocol = client.protocol
    message = message_of(protocol, step["message"])
    request = values.to_python(message.request, step["request"])
    expect = step["expect"]
    try:
        answer, error = client.call(step["message"], request), None
    except RemoteError as e:
        answer, error = None, e
    check_outcome(message, expect, answer, error)


def check_outcome(message, expect, answer, error):
    name = message.name
    if "response" in expect:
        if error is not None:
            raise Failure(f"{name}: expected a response, got an error", expect["response"], describe_error(message, error))
        wanted = values.to_python(message.response, expect["response"])
        if not values.same(message.response, wanted, answer):
            raise Failure(f"{name}: the response differs", expect["response"], values.to_notation(message.response, answer))
    elif "error" in expect:
        wanted_type = expect["error"]["type"]
        if error is None:
            raise Failure(f"{name}: expected error {wanted_type}, got a response", expect["error"],
                          {"response": values.to_notation(message.response, answer)})
        if error.type_name != wanted_type:
            raise Failure(f"{name}: expected error {wanted_type}, got {error.type_name}", expect["error"], describe_error(message, error))
        branch = values.union_branch(message.errors, wanted_type)
        if not values.same(branch, values.to_python(branch, expect["error"]["value"]), error.datum):
            raise Failure(f"{name}: the error's fields differ", expect["error"], describe_error(message, error))
    elif "systemError" in expect:
        wanted = expect["systemError"]
        if error is None:
            raise Failure(f"{name}: expected a system error containing {wanted!r}, got a response", {"systemError": wanted},
                          {"response": values.to_notation(message.response, answer)})
        if error.type_name != "string" or wanted not in error.datum:
            raise Failure(f"{name}: expected a system error (string) containing {wanted!r}", {"systemError": wanted},
                          describe_error(message, error))
    else:
        raise Failure(f"the case has no expectation I know: {sorted(expect)}")


def call_oneway(client, step):
    """A one-way call: it must neither fail nor answer a value."""
    message = message_of(client.protocol, step["message"])
    try:
        answer = client.call(step["message"], values.to_python(message.request, step["request"]))
    except RemoteError as e:
        raise Failure(f"one-way {step['message']} answered an error", None, describe_error(message, e)) from None
    if answer is not None:
        raise Failure(f"one-way {step['message']} answered a value", None, values.to_notation(message.response, answer))


def fill_template(value, replacements):
    """The template of a concurrent / many-clients case with {call} and {client} filled in."""
    if isinstance(value, str):
        for placeholder, text in replacements.items():
            value = value.replace(placeholder, text)
        return value
    if isinstance(value, list):
        return [fill_template(item, replacements) for item in value]
    if isinstance(value, dict):
        return {key: fill_template(item, replacements) for key, item in value.items()}
    return value


def in_context(context, body):
    try:
        return body()
    except Failure as f:
        raise Failure(f"{context}: {f}", f.expected, f.actual) from None


class CellRunner:
    """Runs the cases of one cell. Plain call cases share one connection, as a user's client would;
    the kinds about connections open their own."""

    def __init__(self, cell, catalogue, out):
        self.cell = cell
        self.catalogue = catalogue
        self.out = out
        self.log = KeyedLog(cell["key"])
        self.shared = None

    def print(self, text):
        print(text, file=self.out, flush=True)

    def run(self):
        ids = self.cell.get("cases", [])
        self.print(f"# cell {self.cell['key']} begins")
        self.print("TAP version 13")
        self.print(f"1..{len(ids)}")
        for number, case_id in enumerate(ids, 1):
            # When the case starts, on the host's clock (containers share it): the harness cuts its
            # server's wire log by these.
            self.print(f"# case {case_id} begins {instants()}")
            case = self.catalogue.get(case_id)
            skip = self.skip_reason(case)
            if skip is not None:
                self.print(f"ok {number} - {case_id} # SKIP {skip}")
                continue
            failure = None
            try:
                if case is None:
                    raise Failure("no such case id in cases.json")
                self.check_applies(case)
                self.run_case(case)
            except Failure as f:
                failure = f
            except values.NotationError as e:
                failure = Failure(f"case data does not fit the schema: {e}")
            except Exception as e:
                # Transport or decoding trouble: the shared connection may be unusable, so the next
                # case starts on a fresh one.
                self.log(f"case {case_id}:\n{traceback.format_exc()}")
                failure = Failure(f"{type(e).__name__}: {e}")
                self.drop_shared()
            if failure is None:
                self.print(f"ok {number} - {case_id}")
            else:
                # A failed case may leave the shared connection out of step (an answer nobody read):
                # the next case starts on a fresh one, so that one failure does not fail the next.
                self.drop_shared()
                self.print("\n".join([f"not ok {number} - {case_id}", "  ---",
                                      f"  message: {yaml_value(str(failure))}",
                                      f"  expected: {yaml_value(failure.expected)}",
                                      f"  actual: {yaml_value(failure.actual)}", "  ..."]))
        self.drop_shared()
        self.print(f"# cell {self.cell['key']} ends {instants()}")

    @staticmethod
    def skip_reason(case):
        if case is None or case["kind"] in RUNNABLE_KINDS:
            return None
        if case["kind"] == "pipelined":
            return "kind pipelined needs Netty framing (call serials); avro for Python has no Netty transport"
        return f"kind {case['kind']} is a TypeScript-only procedure"

    def check_applies(self, case):
        if case["protocol"] != self.cell["protocol"]:
            raise Failure(f"the case is for protocol {case['protocol']}, the cell speaks {self.cell['protocol']}")
        if "ts-server" not in case.get("directions", ["ts-server"]):
            raise Failure(f"the case is not run by a reference client (directions {case['directions']})")
        if self.cell["transport"] not in case.get("transports", [self.cell["transport"]]):
            raise Failure(f"the case does not apply to transport {self.cell['transport']} (transports {case['transports']})")

    # --- connections ---------------------------------------------------------------------------

    def connect(self, protocol_name=None):
        return Client(self.cell, protocol_name or self.cell["protocol"])

    def shared_client(self):
        if self.shared is None:
            self.shared = self.connect()
        return self.shared

    def drop_shared(self):
        if self.shared is not None:
            self.shared.close()
            self.shared = None

    def with_client(self, protocol_name, body):
        """body(client) on the shared connection, or on a fresh one for a client copy of the protocol."""
        if protocol_name is None:
            return body(self.shared_client())
        client = self.connect(protocol_name)
        try:
            return body(client)
        finally:
            client.close()

    # --- kinds ---------------------------------------------------------------------------------

    def run_case(self, case):
        kind = case["kind"]
        client_protocol = case.get("clientProtocol")
        if kind == "call":
            self.with_client(client_protocol, lambda client: check_call(client, case))
        elif kind == "sequence":
            def steps(client):
                for number, step in enumerate(case["calls"]):
                    in_context(f"call {number} of {len(case['calls'])}", lambda: check_call(client, step))
            self.with_client(client_protocol, steps)
        elif kind == "oneway":
            def oneway(client):
                call_oneway(client, case)
                then = case["then"]
                check_call(client, {"message": then["message"], "request": then["request"], "expect": {"response": then["response"]}})
            self.with_client(client_protocol, oneway)
        elif kind == "concurrent":
            self.run_concurrent(case)
        elif kind == "oneway-interleaved":
            self.run_interleaved(case)
        elif kind == "reconnect":
            self.run_reconnect(case)
        elif kind == "many-clients":
            self.run_many_clients(case)
        else:
            raise Failure(f"unknown kind {kind}")

    def run_concurrent(self, case):
        count = case["count"]
        client = self.connect(case.get("clientProtocol"))
        try:
            steps = [fill_template(case["call"], {"{call}": str(i)}) for i in range(count)]
            at_once(count, [lambda step=step: check_call(client, step) for step in steps],
                    CALL_TIMEOUT_SECONDS, on_timeout=client.close, label="call")
        finally:
            client.close()

    def run_interleaved(self, case):
        client = self.connect(case.get("clientProtocol"))
        try:
            for number, step in enumerate(case["calls"]):
                if "expect" in step:
                    in_context(f"call {number}", lambda: check_call(client, step))
                else:
                    in_context(f"call {number} (one-way)", lambda: call_oneway(client, step))
            then = case["then"]
            message = message_of(client.protocol, then["message"])
            try:
                answer = client.call(then["message"], values.to_python(message.request, then["request"]))
            except RemoteError as e:
                raise Failure(f"then {then['message']}: expected an answer, got an error", then["responseOneOf"], describe_error(message, e)) from None
            if not any(values.same(message.response, values.to_python(message.response, option), answer) for option in then["responseOneOf"]):
                raise Failure(f"then {then['message']}: the answer is none of the expected ones", then["responseOneOf"],
                              values.to_notation(message.response, answer))
        finally:
            client.close()

    def run_reconnect(self, case):
        for index, calls in enumerate(case["connections"]):
            client = self.connect(case.get("clientProtocol"))
            try:
                for number, step in enumerate(calls):
                    in_context(f"connection {index} call {number}", lambda: check_call(client, step))
            finally:
                client.close()

    def run_many_clients(self, case):
        clients, per_client = case["clients"], case["callsPerClient"]
        opened = []
        opened_lock = threading.Lock()

        def one_client(c):
            client = self.connect(case.get("clientProtocol"))
            with opened_lock:
                opened.append(client)
            try:
                for i in range(per_client):
                    step = fill_template(case["call"], {"{client}": str(c), "{call}": str(i)})
                    in_context(f"call {i}", lambda: check_call(client, step))
            finally:
                client.close()

        def close_all():
            with opened_lock:
                for client in opened:
                    client.close()

        at_once(clients, [lambda c=c: one_client(c) for c in range(clients)],
                CALL_TIMEOUT_SECONDS * (per_client + 1), on_timeout=close_all, label="client")


def at_once(count, jobs, deadline_seconds, on_timeout, label):
    """Runs jobs on count threads started together; raises Failure naming the first jobs that failed.

    The threads are daemons: when a deadline passes, on_timeout closes the connections (which wakes
    blocked threads) and the case fails without waiting for them.
    """
    results = [None] * len(jobs)
    start = threading.Barrier(count)

    def worker(index):
        try:
            start.wait(timeout=deadline_seconds)
            jobs[index]()
            results[index] = "ok"
        except Failure as f:
            results[index] = f
        except Exception as e:
            results[index] = Failure(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + deadline_seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    missing = [i for i, thread in enumerate(threads) if thread.is_alive()]
    if missing:
        on_timeout()
        raise Failure(f"{len(missing)} of {len(jobs)} {label}s had no answer {deadline_seconds} s after they were issued "
                      f"({label}s {missing[:10]})")
    failed = [(i, r) for i, r in enumerate(results) if r != "ok"]
    if failed:
        index, first = failed[0]
        raise Failure(f"{len(failed)} of {len(jobs)} {label}s failed; {label} {index}: {first}", first.expected, first.actual)


def yaml_value(value):
    # JSON is YAML (flow style); very long renderings are cut, as a quoted string.
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 4000 else json.dumps(text[:4000] + "... (cut)", ensure_ascii=False)


def run_plan(plan, out):
    with open(os.path.join(protocols.DATA_DIR, "cases.json"), encoding="utf-8") as f:
        catalogue = {case["id"]: case for case in json.load(f)["cases"]}
    for cell in plan.get("cells", []):
        CellRunner(cell, catalogue, out).run()
