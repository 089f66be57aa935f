"""The server role: every listener of a plan in one process (containers/README.md).

  http  the standard library's ThreadingHTTPServer with avro.ipc.Responder, as the seed article does.
  tcp   raw TCP with Avro's standard framing, stateful like Java's SocketServer: the handshake
        happens once per connection, later requests carry none. avro ships no socket server, so
        this is socketserver + the library's Responder.

The library is used as it is wherever it can do the job. The subclasses below only add what it
lacks (each one says why): per-connection handshakes and one-way messages.
"""

import http.server
import io
import socket
import socketserver
import threading
import time
import traceback

import avro.errors
import avro.io
import avro.ipc

import protocols
from logs import KeyedLog
from wire import FrameError, framed, read_message

SERVER_KINDS = {"http": "http.server", "tcp": "socketserver"}  # transport -> the server kind we offer
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_SLOW_ECHO_MILLIS = 5000
INT64_MIN, INT64_SPAN = -(2**63), 2**64


class DeclaredError(avro.errors.AvroRemoteException):
    """A handler error the message declares, raised the library's way: AvroRemoteException(datum).

    The type name is kept for logs only; what goes on the wire is the stock write_error's choice.
    """

    def __init__(self, type_name, datum):
        super().__init__(datum)
        self.type_name = type_name
        self.datum = datum


class Handlers:
    """The server semantics of suites/avro/data/README.md for one listener (its own lastNote)."""

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
        if name == "slowEcho":
            delay = request["delayMillis"]
            if not 0 <= delay <= MAX_SLOW_ECHO_MILLIS:
                raise ValueError(f"slowEcho: delayMillis {delay} is outside 0..{MAX_SLOW_ECHO_MILLIS}")
            time.sleep(delay / 1000)
            return request["value"]
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

    Behaviours of the library that show in the matrix on purpose (suites/known-failures.json):
    - a declared error raised as AvroRemoteException(datum) goes out through the stock write_error,
      which writes str(datum) into the error union: it lands on the "string" branch;
    - when respond() fails outside the handler (unknown message, undecodable request), 1.12.2
      writes the system error into a throwaway buffer and returns only the handshake it had
      written; 1.11.x to 1.12.1 raise NameError in that except clause (it names `schema`, which
      ipc.py does not import), so the request ends without any response.
    A peer that patched these would hide what every user of the library gets.
    """

    def __init__(self, protocol, handlers, protocol_cache=None):
        super().__init__(protocol)
        self.handlers = handlers
        self.invoked = None
        if protocol_cache is not None:
            # Stateful servers make one Responder per connection; client protocols learned on one
            # connection are shared with the others, as a server-wide cache (Java keeps one too).
            protocol_cache.update(self._protocol_cache)
            self._protocol_cache = protocol_cache

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
        super().__init__(protocol, handlers, protocol_cache)
        self.oneway = oneway
        self.remote = None  # the client's protocol once a handshake succeeded (match BOTH or CLIENT)

    def process_handshake(self, decoder, encoder):
        if self.remote is not None:
            return self.remote
        # The stock method returns None exactly when it answered NONE.
        self.remote = super().process_handshake(decoder, encoder)
        return self.remote

    def respond_on_connection(self, call_request):
        """The response bytes, or None when nothing must be sent back."""
        was_connected = self.remote is not None
        self.invoked = None
        response = self.respond(call_request)
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
                response = responder.respond_on_connection(request)
            except (FrameError, avro.errors.ConnectionClosedException, OSError) as e:
                server.log(f"tcp {peer}: closing: {e}")
                return
            except Exception:  # undecodable request, or the library failing: close this connection only
                server.log(f"tcp {peer}: the request failed, closing:\n{traceback.format_exc()}")
                return
            if response is not None:
                self.request.sendall(framed(response))


# socketserver listens with a backlog of 5: twenty clients connecting at once (many-clients) would
# overflow it and some would be reset. A server meant for many clients raises it.
LISTEN_BACKLOG = 128


class TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def handle_error(self, request, client_address):
        self.log(f"tcp {client_address}: {traceback.format_exc()}")


class BadRequest(Exception):
    def __init__(self, status, text):
        super().__init__(text)
        self.status = status


class HttpHandler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 so that a client may send many calls on one keep-alive connection.
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # http.server writes the headers and the body in two writes; without TCP_NODELAY the body
        # waits for the client's delayed ACK of the headers (about 40 ms per call on loopback).
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self):
        try:
            body = self.read_body()
            # The body is in memory and bounded, so the stock FramedReader is safe here.
            call_request = avro.ipc.FramedReader(io.BytesIO(body)).read_framed_message()
            response = self.server.responder.respond(call_request)
        except BadRequest as e:
            return self.refuse(e.status, str(e))
        except Exception as e:
            self.server.log(f"http {self.client_address}: the request failed:\n{traceback.format_exc()}")
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
        self.server.log(f"http {self.address_string()} {format % args}")


class HttpServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def handle_error(self, request, client_address):
        self.log(f"http {client_address}: {traceback.format_exc()}")


class ListenerError(Exception):
    """A listener the plan asks for that this peer cannot start."""


def start_listener(listener):
    """Binds one plan listener and starts serving it on a thread of its own; returns the server."""
    key = listener["key"]
    transport = listener.get("transport")
    if transport not in SERVER_KINDS:
        raise ListenerError(f"transport {transport!r} is not served here (offers: {', '.join(sorted(SERVER_KINDS))})")
    kind = listener.get("serverKind", SERVER_KINDS[transport])
    if kind != SERVER_KINDS[transport]:
        raise ListenerError(f"transport {transport} is served by {SERVER_KINDS[transport]}, not {kind}")
    if listener.get("socket", "tcp") != "tcp":
        raise ListenerError(f"socket {listener.get('socket')!r} is not offered (tcp only)")
    protocol, oneway = protocols.load(listener["protocol"])
    address = (listener["host"], int(listener["port"]))
    log = KeyedLog(key)
    handlers = Handlers(protocol)
    if transport == "http":
        server = HttpServer(address, HttpHandler)
        # One Responder for all requests: HTTP is stateless, and its cache of client protocols
        # (by MD5) is meant to be shared.
        server.responder = ConformanceResponder(protocol, handlers)
    else:
        server = TcpServer(address, TcpHandler)
        server.protocol, server.oneway, server.handlers = protocol, oneway, handlers
        server.protocol_cache = {}
    server.log = log
    threading.Thread(target=server.serve_forever, name=f"listener-{key}", daemon=True).start()
    log(f"serving {listener['protocol']} over {transport} ({kind}) on {address[0]}:{server.server_address[1]}")
    return server


def serve_plan(plan, out):
    """Starts every listener, prints FAILED lines and then READY, and serves until the process ends."""
    started = 0
    for listener in plan.get("listeners", []):
        try:
            start_listener(listener)
            started += 1
        except Exception as e:  # one listener that cannot start must not stop the others
            reason = f"{type(e).__name__}: {e}".replace("\n", " ")
            KeyedLog(listener.get("key", "?"))(f"cannot start: {reason}")
            print(f"FAILED {listener.get('key', '?')} {reason}", file=out, flush=True)
    print("READY", file=out, flush=True)
    threading.Event().wait()
