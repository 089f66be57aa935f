"""The Python Avro reference peer (avro from PyPI): a server and a client for the conformance suite.

    peer.py server --transport T --protocol P --server-kind K --host 127.0.0.1 --port N
    peer.py client --transport T --protocol P --server-kind K --host 127.0.0.1 --port N --cases a,b,c

Transports:
  http  server: the standard library's http.server with avro.ipc.Responder, as the seed article does.
        client: avro.ipc.HTTPTransceiver with avro.ipc.Requestor.
  tcp   raw TCP with Avro's standard framing, stateful like Java's SocketServer/SocketTransceiver:
        the handshake happens once per connection, later requests carry none. avro 1.12 ships no
        socket transport, so the server is socketserver + the library's Responder, and the client a
        small transceiver of our own under the library's Requestor.

The library is used as it is wherever it can do the job. The subclasses below only add what it
lacks (each one says why): per-connection handshakes, one-way messages, declared error records.
"""

import argparse
import http.server
import io
import json
import os
import signal
import socket
import socketserver
import struct
import sys
import threading
import time
import traceback

import avro.errors
import avro.io
import avro.ipc
import avro.protocol

import values

DATA_DIR = os.environ.get("AVRO_CONFORMANCE_DATA", "/spec/suites/avro/data")
TRANSPORTS = {"http": "http.server", "tcp": "socketserver"}  # transport -> the server kind we offer
CLIENT_TIMEOUT_SECONDS = 60

# Limits for bad input. Avro's FramedReader trusts any 32-bit frame length and reads until it has it;
# a server must not let one connection make it allocate gigabytes, so we refuse beyond these.
MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

INT64_MIN, INT64_SPAN = -(2**63), 2**64


def log(text):
    print(text, file=sys.stderr, flush=True)


def load_protocol(name):
    """The parsed protocol and the names of its one-way messages.

    avro.protocol.Message does not keep the "one-way" attribute (it is neither stored nor written
    back by str(protocol)), so we read it from the protocol's JSON ourselves.
    """
    with open(os.path.join(DATA_DIR, "protocols", f"{name}.avpr"), encoding="utf-8") as f:
        text = f.read()
    oneway = {m for m, spec in json.loads(text)["messages"].items() if spec.get("one-way")}
    return avro.protocol.parse(text), frozenset(oneway)


# --- framing -------------------------------------------------------------------------------------


class FrameError(ValueError):
    """The peer sent framing we refuse (a frame or message beyond our limits)."""


def read_exactly(rfile, count):
    data = rfile.read(count)
    if len(data) != count:
        raise avro.errors.ConnectionClosedException(f"connection closed after {len(data)} of {count} bytes")
    return data


def read_message(rfile):
    """Reads one framed message (frames up to a zero-length one); None on EOF between messages."""
    parts, total = [], 0
    while True:
        header = rfile.read(4)
        if not header and not parts:
            return None
        if len(header) != 4:
            raise avro.errors.ConnectionClosedException("connection closed inside a frame header")
        (length,) = struct.unpack("!I", header)
        if length == 0:
            return b"".join(parts)
        total += length
        if length > MAX_FRAME_BYTES or total > MAX_MESSAGE_BYTES:
            raise FrameError(f"frame of {length} bytes (message so far {total}) is beyond the limits "
                             f"{MAX_FRAME_BYTES}/{MAX_MESSAGE_BYTES}")
        parts.append(read_exactly(rfile, length))


def framed(message):
    """The message in standard framing, as one buffer (so it goes out in one send)."""
    out = io.BytesIO()
    avro.ipc.FramedWriter(out).write_framed_message(message)
    return out.getvalue()


# --- server --------------------------------------------------------------------------------------


class DeclaredError(avro.errors.AvroRemoteException):
    """A handler error the message declares, raised the library's way: AvroRemoteException(datum).

    The type name is kept for logs only; what goes on the wire is the stock write_error's choice.
    """

    def __init__(self, type_name, datum):
        super().__init__(datum)
        self.type_name = type_name
        self.datum = datum


class Handlers:
    """The server semantics of suites/avro/data/README.md, shared by every connection."""

    def __init__(self, protocol):
        self.namespace = protocol.namespace
        self.lock = threading.Lock()
        self.last_note = None

    def call(self, name, request):
        if name == "send":
            m = request["message"]
            return f"Sent message to {m['to']} from {m['from']} with body {m['body']}"
        if name.startswith("echo"):
            return request["value"]
        if name == "add":
            # 64-bit addition wraps as Java's long does; an unbounded Python int would not fit a long.
            return (request["a"] + request["b"] - INT64_MIN) % INT64_SPAN + INT64_MIN
        if name == "fail":
            if request["kind"] == "conformance":
                raise DeclaredError(f"{self.namespace}.ConformanceError", {"code": request["code"], "reason": request["reason"]})
            if request["kind"] == "other":
                raise DeclaredError(f"{self.namespace}.OtherError", {"detail": request["reason"]})
            raise ValueError(f"fail: unknown kind {request['kind']!r}")
        if name == "failUndeclared":
            raise RuntimeError(request["reason"])
        if name == "notify":
            with self.lock:
                self.last_note = request["note"]
            return None
        if name == "lastNote":
            with self.lock:
                return self.last_note
        raise avro.errors.AvroException(f"no handler for message {name!r}")


class ConformanceResponder(avro.ipc.Responder):
    """The library's Responder with our handlers; its wire behaviour is the library's own.

    Two avro 1.12.2 behaviours show in the matrix on purpose (suites/known-failures.json):
    - a declared error raised as AvroRemoteException(datum) goes out through the stock write_error,
      which writes str(datum) into the error union: it lands on the "string" branch, so a declared
      error record never reaches the client;
    - when respond() fails outside the handler (unknown message, undecodable request), it writes
      the system error into a throwaway buffer and returns only the handshake it had written.
    A peer that patched these would hide what every user of the library gets.
    """

    def __init__(self, protocol, oneway, handlers, protocol_cache=None):
        super().__init__(protocol)
        self.oneway = oneway
        self.handlers = handlers
        self.invoked = None
        if protocol_cache is not None:
            # Stateful servers make one Responder per connection; client protocols learned on one
            # connection are shared with the others, as a server-wide cache (Java keeps one too).
            protocol_cache.update(self._protocol_cache)
            self._protocol_cache = protocol_cache

    def respond(self, call_request, handshaken=False):
        return super().respond(call_request)

    def invoke(self, local_message, request):
        self.invoked = local_message.name
        return self.handlers.call(local_message.name, request)


class ConnectionResponder(ConformanceResponder):
    """A Responder for one stateful connection: handshake once, then plain call requests.

    The stock Responder reads a handshake at the start of every request (right for HTTP). On a
    stateful transport (Java's SocketServer) only the requests before a successful handshake carry
    one, and one-way messages on an established connection get no response at all.
    """

    def __init__(self, protocol, oneway, handlers, protocol_cache):
        super().__init__(protocol, oneway, handlers, protocol_cache)
        self.remote = None  # the client's protocol once a handshake succeeded (match BOTH or CLIENT)

    def process_handshake(self, decoder, encoder):
        if self.remote is not None:
            return self.remote
        remote = super().process_handshake(decoder, encoder)
        # The stock method answers NONE exactly when it could not find the client's protocol.
        self.remote = remote
        return remote

    def respond(self, call_request, handshaken=False):
        """The response bytes, or None when nothing must be sent back."""
        was_connected = self.remote is not None
        self.invoked = None
        response = super().respond(call_request, handshaken=was_connected)
        if was_connected and self.invoked in self.oneway:
            return None
        return response


class TcpHandler(socketserver.StreamRequestHandler):
    def setup(self):
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle(self):
        server = self.server
        responder = ConnectionResponder(server.protocol, server.oneway, server.handlers, server.protocol_cache)
        peer = self.client_address
        while True:
            try:
                request = read_message(self.rfile)
                if request is None:
                    return
                response = responder.respond(request)
            except (FrameError, avro.errors.ConnectionClosedException, OSError) as e:
                log(f"tcp {peer}: closing: {e}")
                return
            except Exception:  # undecodable request: close this connection only, keep serving others
                log(f"tcp {peer}: bad request, closing:\n{traceback.format_exc()}")
                return
            if response is not None:
                self.request.sendall(framed(response))


class TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class BadRequest(Exception):
    def __init__(self, status, text):
        super().__init__(text)
        self.status = status


class HttpHandler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 so that a client may send many calls on one keep-alive connection.
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        try:
            body = self.read_body()
            # The body is in memory and bounded, so the stock FramedReader is safe here.
            call_request = avro.ipc.FramedReader(io.BytesIO(body)).read_framed_message()
            response = self.server.responder.respond(call_request)
        except BadRequest as e:
            return self.refuse(e.status, str(e))
        except Exception as e:
            log(f"http {self.client_address}: bad request:\n{traceback.format_exc()}")
            return self.refuse(400, f"bad Avro request: {type(e).__name__}: {e}")
        payload = framed(response)
        self.send_response(200)
        self.send_header("Content-Type", "avro/binary")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            # http.server does not de-chunk; reading chunk headers as Avro frames would hang.
            return self.read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            raise BadRequest(411, "a POST needs Content-Length or chunked Transfer-Encoding")
        try:
            count = int(length)
        except ValueError:
            raise BadRequest(400, f"bad Content-Length {length!r}") from None
        if count < 0 or count > MAX_MESSAGE_BYTES:
            raise BadRequest(413, f"Content-Length {count} is beyond the limit {MAX_MESSAGE_BYTES}")
        body = self.rfile.read(count)
        if len(body) != count:
            raise BadRequest(400, f"body ended after {len(body)} of {count} bytes")
        return body

    def read_chunked(self):
        parts, total = [], 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest(400, f"bad chunk header {line[:40]!r}") from None
            if size == 0:
                break
            total += size
            if total > MAX_MESSAGE_BYTES:
                raise BadRequest(413, f"chunked body beyond the limit {MAX_MESSAGE_BYTES}")
            parts.append(self.rfile.read(size))
            if len(parts[-1]) != size or self.rfile.readline(3) != b"\r\n":
                raise BadRequest(400, "truncated chunk")
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
            pass  # trailers
        return b"".join(parts)

    def refuse(self, status, text):
        payload = (text + "\n").encode("utf-8", "replace")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)
        self.close_connection = True

    def log_message(self, format, *args):
        log(f"http {self.address_string()} {format % args}")


def serve(args, protocol, oneway):
    handlers = Handlers(protocol)
    if args.transport == "http":
        server = http.server.ThreadingHTTPServer((args.host, args.port), HttpHandler)
        server.daemon_threads = True
        # One Responder for all requests: HTTP is stateless, and its cache of client protocols
        # (by MD5) is meant to be shared.
        server.responder = ConformanceResponder(protocol, oneway, handlers)
    else:
        server = TcpServer((args.host, args.port), TcpHandler)
        server.protocol, server.oneway, server.handlers = protocol, oneway, handlers
        server.protocol_cache = {}
    port = server.server_address[1]
    log(f"serving {args.protocol} over {args.transport} ({TRANSPORTS[args.transport]}) on {args.host}:{port}")
    print(f"READY port={port}", flush=True)
    server.serve_forever()


# --- client --------------------------------------------------------------------------------------


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
        reader = values.union_branch(local.errors, values.branch_name(writer))
        raise RemoteError(values.branch_name(writer), avro.io.DatumReader(writer, reader).read(decoder))


class SocketTransceiver:
    """A stateful TCP connection in standard framing (what Java's SocketTransceiver speaks)."""

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=CLIENT_TIMEOUT_SECONDS)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb")
        self.remote_name = self.sock.getpeername()

    def write(self, message):
        self.sock.sendall(framed(message))

    def read(self):
        message = read_message(self.rfile)
        if message is None:
            raise avro.errors.ConnectionClosedException("server closed the connection")
        return message

    def transceive(self, message):
        self.write(message)
        return self.read()

    def close(self):
        self.rfile.close()
        self.sock.close()


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


class Client:
    def __init__(self, args, protocol, oneway):
        if args.transport == "http":
            self.transceiver = avro.ipc.HTTPTransceiver(args.host, args.port)
            # HTTPTransceiver takes no timeout; a server that never answers must not hang the run.
            self.transceiver.conn.timeout = CLIENT_TIMEOUT_SECONDS
            self.transceiver.conn.sock.settimeout(CLIENT_TIMEOUT_SECONDS)
            self.requestor = CheckingRequestor(protocol, self.transceiver)
        else:
            self.transceiver = SocketTransceiver(args.host, args.port)
            self.requestor = ConnectionRequestor(protocol, self.transceiver, oneway)

    def call(self, message_name, request):
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
    branch = values.union_branch(message.errors, error.type_name)
    return {"error": {"type": error.type_name, "value": values.to_notation(branch, error.datum)}}


def check_call(client, protocol, call):
    """Makes one call and raises Failure when the answer is not the one the case expects."""
    message = protocol.messages.get(call["message"])
    if message is None:
        raise Failure(f"protocol {protocol.name} has no message {call['message']!r}")
    request = values.to_python(message.request, call["request"])
    expect = call["expect"]
    try:
        answer, error = client.call(call["message"], request), None
    except RemoteError as e:
        answer, error = None, e
    if "response" in expect:
        if error is not None:
            raise Failure(f"{call['message']}: expected a response, got an error", expect["response"], describe_error(message, error))
        wanted = values.to_python(message.response, expect["response"])
        if not values.same(message.response, wanted, answer):
            raise Failure(f"{call['message']}: the response differs", expect["response"], values.to_notation(message.response, answer))
    elif "error" in expect:
        wanted_type = expect["error"]["type"]
        if error is None:
            raise Failure(f"{call['message']}: expected error {wanted_type}, got a response", expect["error"],
                          {"response": values.to_notation(message.response, answer)})
        if error.type_name != wanted_type:
            raise Failure(f"{call['message']}: expected error {wanted_type}, got {error.type_name}", expect["error"], describe_error(message, error))
        branch = values.union_branch(message.errors, wanted_type)
        if not values.same(branch, values.to_python(branch, expect["error"]["value"]), error.datum):
            raise Failure(f"{call['message']}: the error's fields differ", expect["error"], describe_error(message, error))
    elif "systemError" in expect:
        wanted = expect["systemError"]
        if error is None:
            raise Failure(f"{call['message']}: expected a system error containing {wanted!r}, got a response", {"systemError": wanted},
                          {"response": values.to_notation(message.response, answer)})
        if error.type_name != "string" or wanted not in error.datum:
            raise Failure(f"{call['message']}: expected a system error (string) containing {wanted!r}", {"systemError": wanted},
                          describe_error(message, error))
    else:
        raise Failure(f"case has no expectation I know: {sorted(expect)}")


def run_case(client, protocol, case):
    kind = case["kind"]
    if kind == "call":
        check_call(client, protocol, case)
    elif kind == "sequence":
        for number, call in enumerate(case["calls"], 1):
            try:
                check_call(client, protocol, call)
            except Failure as f:
                raise Failure(f"call {number} of {len(case['calls'])}: {f}", f.expected, f.actual) from None
    elif kind == "oneway":
        message = protocol.messages[case["message"]]
        try:
            answer = client.call(case["message"], values.to_python(message.request, case["request"]))
        except RemoteError as e:
            raise Failure(f"one-way {case['message']} answered an error", None, describe_error(message, e)) from None
        if answer is not None:
            raise Failure(f"one-way {case['message']} answered a value", None, answer)
        then = case["then"]
        check_call(client, protocol, {"message": then["message"], "request": then["request"], "expect": {"response": then["response"]}})


def yaml_value(value):
    # JSON is YAML (flow style); very long renderings are cut, as a quoted string.
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 4000 else json.dumps(text[:4000] + "... (cut)", ensure_ascii=False)


def run_client(args, protocol, oneway):
    with open(os.path.join(DATA_DIR, "cases.json"), encoding="utf-8") as f:
        catalogue = {case["id"]: case for case in json.load(f)["cases"]}
    ids = [i for i in args.cases.split(",") if i]
    print("TAP version 13")
    print(f"1..{len(ids)}", flush=True)
    client = None
    for number, case_id in enumerate(ids, 1):
        # When the case starts, on the host's clock (containers share it): the harness cuts its
        # server's wire log by these.
        print(f"# case {case_id} begins {time.time_ns() / 1e6:.3f}", flush=True)
        case = catalogue.get(case_id)
        if case is not None and case["protocol"] != args.protocol:
            print(f"ok {number} - {case_id} # SKIP case is for protocol {case['protocol']}, this run is {args.protocol}", flush=True)
            continue
        if case is not None and case["kind"] not in ("call", "oneway", "sequence"):
            print(f"ok {number} - {case_id} # SKIP kind {case['kind']} is a TypeScript-only procedure", flush=True)
            continue
        failure = None
        try:
            if case is None:
                raise Failure("no such case id in cases.json")
            if client is None:
                client = Client(args, protocol, oneway)
            run_case(client, protocol, case)
        except Failure as f:
            failure = f
        except values.NotationError as e:
            failure = Failure(f"case data does not fit the schema: {e}")
        except Exception as e:
            # Transport or decoding trouble: the connection may be unusable, so the next case
            # starts on a fresh one.
            log(f"case {case_id}:\n{traceback.format_exc()}")
            failure = Failure(f"{type(e).__name__}: {e}")
            if client is not None:
                client.close()
                client = None
        if failure is None:
            print(f"ok {number} - {case_id}", flush=True)
        else:
            print(f"not ok {number} - {case_id}")
            print("  ---")
            print(f"  message: {yaml_value(str(failure))}")
            print(f"  expected: {yaml_value(failure.expected)}")
            print(f"  actual: {yaml_value(failure.actual)}")
            print("  ...", flush=True)
    if client is not None:
        client.close()


# --- command line --------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="peer", description="Python Avro reference peer")
    parser.add_argument("role", choices=["server", "client"])
    parser.add_argument("--transport", required=True, choices=sorted(TRANSPORTS))
    parser.add_argument("--protocol", required=True)
    parser.add_argument("--server-kind", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cases", default=None)
    args = parser.parse_args(argv)
    if args.server_kind != TRANSPORTS[args.transport] and args.role == "server":
        parser.error(f"transport {args.transport} is served by server kind {TRANSPORTS[args.transport]}, not {args.server_kind}")
    if args.role == "client" and args.cases is None:
        parser.error("client needs --cases")
    return args


def main(argv):
    # [datafile] Avro object container files: a role of its own, with its own options (datafile.py).
    if argv[:1] == ["datafile"]:
        import datafile
        return datafile.main(argv[1:])
    args = parse_args(argv)
    # As PID 1 in a container, SIGTERM is ignored unless handled: make `docker stop` quick.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        protocol, oneway = load_protocol(args.protocol)
    except (OSError, ValueError, avro.errors.AvroException) as e:
        log(f"cannot load protocol {args.protocol!r}: {e}")
        return 2
    if args.role == "server":
        serve(args, protocol, oneway)
    else:
        run_client(args, protocol, oneway)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
