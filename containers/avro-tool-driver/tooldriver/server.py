"""Server plans: one rpcreceive per case, behind a relay that owns the listener's port.

rpcreceive answers exactly one message with one fixed response and then exits (Java: one second
later). The plan lists a listener's cases in the order the TypeScript client will run them
(containers/README.md, "cases"). Starting rpcreceive on the plan's port for each case in turn would
race: the client's next connection could reach the previous case's server while it winds down, or
no server at all while the next JVM starts. So the wrapper owns the port and relays:

- every case gets its own rpcreceive on an ephemeral loopback port, started ahead of time (the
  current case and the next one);
- each request goes to the first pending case whose message and parameters (in Avro binary) it
  carries, else to the first pending case for its message, else to the current one (peek.py). A
  case the client never sent (it failed on our side) is thereby abandoned instead of shifting every
  later case by one;
- a case is done when its rpcreceive shows that the call arrived (Program.arrival), which both
  programs print before they write the response; the relay looks before it passes the response on,
  so the client's next request already goes to the next case;
- bytes pass unchanged both ways. One exception makes a failure visible: when the program showed a
  request that differs from the case (Java prints the request it received), the response is
  withheld (HTTP: a 500 with the reason; avro://: the connection is closed), and the reason is logged.

HTTP is relayed request by request (a keep-alive client may send the next case's request on the
same connection); avro:// (SASL) connection by connection.
"""

import os
import re
import select
import socket
import subprocess
import threading
import time
import traceback

from . import peek, stall
from .tap import log

STARTUP_SECONDS = 45
STARTING_AT_ONCE = max(1, os.cpu_count() or 1)  # listeners starting their first program at the same time
PRESPAWN = 3  # backends kept ready: the current case and the next two (a JVM takes seconds to start)
IDLE_SECONDS = 120
# How long the HTTP relay waits, once rpcreceive has answered a call, for the line that shows the
# request (the program prints it before it answers, but through a tool host or fork server the line
# takes another hop and can come after the answer). Within it the request is compared, and the case
# marked done, before the answer goes on.
ARRIVAL_SECONDS = 2.0
# How much longer a case whose program has answered its call may take to show it, once the next
# case's request has come, before that case is abandoned. In the release grid (load average 33 on
# 2 cores) the line of a 1 MiB echoBytes came after ARRIVAL_SECONDS: the case passed on the client's
# side, but the next request abandoned it, and a ping in flight with that request, sent to its
# program started again, lost its connection (avsc5 echo-string-empty failed with "interrupted").
LATE_ARRIVAL_SECONDS = 10.0
# How long the avro:// relay waits for a connection's first call behind the SASL START, to route it
# by its message and parameters. Java's client and ours send the call right behind START, but on a
# busy machine the two writes can be apart. With a 0.3 s bound per read, a connection that has
# sent only START goes to the current case, which can still be the one before (pending until its
# program's line showing the call is read): a CI run on 2026-12-01 failed echo-long-small over
# avro:// with "the answer differs", the case right after another echoLong case, as that would.
# A client that waits for COMPLETE first goes to the current case once this has passed.
FIRST_CALL_SECONDS = 5.0
# Before the bound, the relay looks whether the program is blocked reading past the request it was
# given (stall.py), every STALL_LOOK_SECONDS without an answer byte; STALL_LOOKS such looks in a row
# and it answers for the program at once.
STALL_LOOK_SECONDS = 0.05
STALL_LOOKS = 4
MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024
LOG_LINE_CHARS = 300
PORT_LINE = re.compile(rb"^Port: (\d+)\s*$", re.M)

_backends = []
_backends_lock = threading.Lock()


def stop_all_backends():
    with _backends_lock:
        for backend in _backends:
            backend.stop(wait=False)


class BackendFailed(Exception):
    pass


class Unservable(Exception):
    """A request for a case the program cannot serve (listed in the plan all the same)."""


class Backend:
    """One rpcreceive process; its output is read without blocking, by whoever needs it first."""

    def __init__(self, argv, prefix, cwd):
        self.prefix = prefix
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd)
        for stream in (self.proc.stdout, self.proc.stderr):
            os.set_blocking(stream.fileno(), False)
        self.stdout = bytearray()
        self.stderr = bytearray()
        self._partial = {"out": bytearray(), "err": bytearray()}
        self.port = None
        self.exited = None
        self.lock = threading.Lock()
        with _backends_lock:
            _backends.append(self)

    def _drain(self, stream, into, label):
        while True:
            try:
                chunk = os.read(stream.fileno(), 1 << 20)
            except BlockingIOError:
                return
            except OSError:
                return
            if not chunk:
                return
            into += chunk
            partial = self._partial[label]
            partial += chunk
            *lines, rest = partial.split(b"\n")
            self._partial[label] = bytearray(rest)
            for line in lines:
                text = line.decode("utf-8", "replace")
                if len(text) > LOG_LINE_CHARS:
                    text = f"{text[:LOG_LINE_CHARS]}... ({len(line)} bytes)"
                log(f"{self.prefix} {label}: {text}")

    def poll(self):
        """Reads whatever the process has written so far; notes its port and its exit."""
        with self.lock:
            self._drain(self.proc.stdout, self.stdout, "out")
            self._drain(self.proc.stderr, self.stderr, "err")
            if self.port is None:
                found = PORT_LINE.search(self.stdout)
                if found:
                    self.port = int(found.group(1))
            if self.exited is None and self.proc.poll() is not None:
                self.exited = self.proc.returncode
                log(f"{self.prefix} exited with status {self.exited}")
        return self

    def wait_port(self, seconds=STARTUP_SECONDS):
        deadline = time.monotonic() + seconds
        while True:
            self.poll()
            if self.port is not None:
                return self.port
            if self.exited is not None:
                raise BackendFailed(f"exited ({self.exited}) before listening: {bytes(self.stderr[-600:]).decode('utf-8', 'replace')}")
            if time.monotonic() > deadline:
                raise BackendFailed(f"no 'Port:' line within {seconds} s")
            time.sleep(0.02)

    def stop(self, wait=True):
        if self.proc.poll() is None:
            self.proc.terminate()
            if wait:
                try:
                    self.proc.wait(3)
                except subprocess.TimeoutExpired:
                    self.proc.kill()


class Slot:
    def __init__(self, index, case_id, case, unservable):
        self.index = index
        self.case_id = case_id
        self.case = case
        self.message = case.get("message") if case else None
        self.state = "unservable" if unservable else "pending"  # pending | done | abandoned | unservable
        self.why = unservable
        self.backend = None
        self.arrival = None
        # Its program answered a call before showing it (the line came after ARRIVAL_SECONDS).
        self.answered_unseen = False
        self.parameters = None  # the case's parameters in Avro binary, once computed


class CaseListener:
    def __init__(self, listener, cases, program, workdir):
        self.listener = listener
        self.key = listener["key"]
        self.program = program
        self.workdir = workdir
        self.uri = program.uri(listener["transport"], "127.0.0.1", 0)
        self.lock = threading.RLock()
        self.slots = []
        for index, case_id in enumerate(listener.get("cases", [])):
            case = cases.get(case_id)
            why = "no such case id in the catalogues" if case is None else (
                _common_server_skip(case) or program.server_skip(listener["transport"], case))
            self.slots.append(Slot(index, case_id, case, why))
        self.current = 0
        self.sock = None

    def log(self, text):
        log(f"[{self.key}] {text}")

    # --- cases -------------------------------------------------------------------------------

    def _advance(self):
        while self.current < len(self.slots) and self.slots[self.current].state not in ("pending", "unservable"):
            self.current += 1

    def _spawn(self, slot):
        directory = os.path.join(self.workdir, f"{slot.index:04d}-{slot.case_id}")
        os.makedirs(directory, exist_ok=True)
        argv = self.program.receiver(self.uri, slot.case, directory)
        slot.backend = Backend(argv, f"[{self.key}] [{slot.case_id}]", directory)

    def _ensure_backends(self, ahead=PRESPAWN):
        ready = 0
        for slot in self.slots[self.current:]:
            if ready >= ahead:
                break
            if slot.state != "pending":
                continue
            if slot.backend is not None and slot.backend.poll().exited is not None and self.arrived(slot) is not None:
                continue  # it showed its call as it ended: done, not to be started again
            if slot.backend is None or slot.backend.exited is not None:
                self._spawn(slot)
            ready += 1

    def _abandon(self, slot, why):
        if slot.state == "pending":
            slot.state = "abandoned"
            self.log(f"case {slot.case_id} abandoned: {why}")
            if slot.backend is not None:
                slot.backend.stop(wait=False)

    def _expected_parameters(self, slot):
        if slot.parameters is None:
            try:
                slot.parameters = self.program.expected_parameters(slot.case) or b""
            except Exception as error:  # routing is best effort; the program still judges the call
                self.log(f"case {slot.case_id}: cannot encode its parameters for routing: {error}")
                slot.parameters = b""
        return slot.parameters

    def _ping_after_last_case(self, message):
        """Where a ping that comes after the last case's call goes: to that case's program while it
        still runs. A ping (a handshake with an empty message name) is no case's call: avsc 5 sends
        one as it opens a channel, and again with its protocol when the first is declined, in flight
        together with the case's call; when the call wins the race, the last case is done before the
        ping arrives (one full run failed slow-echo so: the ping's connection was closed, and avsc
        dropped the call's answer with 'interrupted'). None for anything else: it has nowhere to go."""
        if message != "":
            return None
        for slot in reversed(self.slots):
            if slot.state == "done" and slot.backend is not None and slot.backend.port is not None:
                if slot.backend.poll().exited is not None:
                    return None
                self.log(f"a ping after the last case: to case {slot.case_id}'s program, still running")
                return slot
        return None

    def route(self, message, parameters):
        """The slot a request goes to: the first pending case with its message and exactly its
        parameter bytes, else the first pending case for its message, else the current one. A
        request waiting for a program that is stopped meanwhile (its case abandoned by a request
        routed past it) is routed again."""
        while True:
            slot = self._pick(message, parameters)
            if slot is None:
                return None
            try:
                slot.backend.wait_port()
                return slot
            except BackendFailed:
                if slot.state != "abandoned":
                    raise
                self.log(f"case {slot.case_id} was abandoned while a request waited for its program: routing it again")

    def _pick(self, message, parameters):
        with self.lock:
            self._advance()
            if self.current >= len(self.slots):
                return self._ping_after_last_case(message)
            target = self.current
            if message is not None:
                pending = [slot for slot in self.slots[self.current:] if slot.state in ("pending", "unservable") and slot.message == message]
                exact = [slot for slot in pending if parameters is not None and self._expected_parameters(slot) == parameters]
                if exact or pending:
                    target = (exact or pending)[0].index
            for slot in self.slots[self.current:target]:
                if slot.state == "pending" and slot.answered_unseen and self.wait_arrived(slot, LATE_ARRIVAL_SECONDS) is not None:
                    continue  # its call came and was answered; only the line showing it was late
                self._abandon(slot, f"a request for case {self.slots[target].case_id} came first")
            self.current = target
            slot = self.slots[target]
            if slot.state == "unservable":
                # Its request must not reach another case's rpcreceive: it is refused, visibly.
                slot.state = "done"
                self.log(f"case {slot.case_id}: refusing its request: {slot.why}")
                self._advance()
                self._ensure_backends()
                raise Unservable(f"case {slot.case_id} cannot be served by {self.program.name}: {slot.why}")
            self._ensure_backends()
        return slot

    def arrived(self, slot):
        """The slot's Arrival once its rpcreceive has shown the call; marks the case done."""
        if slot.arrival is not None:
            return slot.arrival
        slot.backend.poll()
        arrival = self.program.arrival(slot.case, bytes(slot.backend.stdout), bytes(slot.backend.stderr))
        if arrival is None:
            return None
        with self.lock:
            if slot.arrival is None:
                slot.arrival = arrival
                slot.state = "done"
                self.log(f"case {slot.case_id}: {arrival.message} arrived"
                         + (f"; REQUEST DIFFERS: {arrival.problem}" if arrival.problem else ""))
                self._advance()
                self._ensure_backends()
        return slot.arrival

    def wait_arrived(self, slot, seconds=ARRIVAL_SECONDS):
        """arrived(), waiting up to `seconds` for the line that shows the call."""
        deadline = time.monotonic() + seconds
        while True:
            arrival = self.arrived(slot)
            if arrival is not None or time.monotonic() > deadline:
                return arrival
            if slot.backend.poll().exited is not None:
                return self.arrived(slot)  # its output is complete now
            time.sleep(0.005)

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self):
        """Binds the plan's port and starts the first cases' rpcreceive; raises on failure."""
        for slot in self.slots:
            if slot.state == "unservable":
                self.log(f"case {slot.case_id} cannot be served: {slot.why}")
        self.sock = socket.create_server((self.listener["host"], self.listener["port"]))
        with self.lock:
            self._advance()
            # Only the first case's program at start: the next ones are started as the listener is
            # used (route). A plan has a dozen listeners or more, and three JVMs each started at
            # once took over 45 s to print their port on a busy 2-core machine.
            self._ensure_backends(ahead=1)
            first = next((slot for slot in self.slots[self.current:] if slot.state == "pending"), None)
        if first is not None:
            first.backend.wait_port()
        threading.Thread(target=self._accept_loop, daemon=True).start()
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self):
        """Keeps the backends' output flowing into the log and notices early exits."""
        while True:
            time.sleep(0.2)
            for slot in list(self.slots):
                if slot.backend is not None and slot.backend.exited is None:
                    slot.backend.poll()
                    if slot.state == "pending":
                        self.arrived(slot)

    def _accept_loop(self):
        relay = self._relay_http if self.listener["transport"] == "http" else self._relay_stream
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self._serve, args=(relay, conn), daemon=True).start()

    def _serve(self, relay, conn):
        try:
            conn.settimeout(IDLE_SECONDS)
            relay(conn)
        except (OSError, HttpError, peek.Truncated) as error:
            self.log(f"connection ended: {type(error).__name__}: {error}")
        except Exception:
            self.log(f"relay error:\n{traceback.format_exc()}")
        finally:
            conn.close()

    # --- HTTP: request by request --------------------------------------------------------------

    def _relay_http(self, conn):
        buffer = bytearray()
        while True:
            request = read_http_message(conn, buffer, is_request=True)
            if request is None:
                return
            raw, body, close_after = request
            try:
                slot = self.route(*peek.http_body_call(body))
            except Unservable as refused:
                text = str(refused).encode("utf-8")
                conn.sendall(b"HTTP/1.1 500 Case cannot be served\r\nContent-Type: text/plain; charset=utf-8\r\n"
                             + f"Content-Length: {len(text)}\r\nConnection: close\r\n\r\n".encode() + text)
                return
            if slot is None:
                self.log("a request after the last case: closing the connection")
                return
            bound = self.program.answer_bound(CHUNKED.search(raw[:raw.index(b"\r\n\r\n")]) is not None)
            with socket.create_connection(("127.0.0.1", slot.backend.port), timeout=IDLE_SECONDS) as back:
                back.sendall(raw)
                waited = wait_for_answer(back, bound)
                if waited == "answering":
                    back.settimeout(bound)
                    try:
                        response = read_http_message(back, bytearray(), is_request=False)
                    except socket.timeout:
                        waited = "timeout"
            if waited != "answering":
                why = ("took the whole request and is blocked reading for more (nothing left to read): it cannot answer"
                       if waited == "stalled" else f"took the request but gave no answer within {bound} s")
                text = f"case {slot.case_id}: {self.program.name} rpcreceive {why}".encode("utf-8")
                self.log(text.decode("utf-8"))
                conn.sendall(b"HTTP/1.1 504 No answer from rpcreceive\r\nContent-Type: text/plain; charset=utf-8\r\n"
                             + f"Content-Length: {len(text)}\r\nConnection: close\r\n\r\n".encode() + text)
                return
            if response is None:
                self.log(f"case {slot.case_id}: rpcreceive closed the connection without a response")
                return
            # A call the program answered normally was printed before the answer: wait for that line
            # (not after a declined handshake, which the client resends, or an error). Else the
            # request went unchecked, and the client's next request found this case still pending
            # and abandoned it (two avsc5 -> avro-tools cases failed so in a full run).
            answered = peek.http_body_answered(response[1])
            arrival = self.wait_arrived(slot) if answered else self.arrived(slot)
            if answered and arrival is None:
                slot.answered_unseen = True
            if arrival is not None and arrival.problem:
                text = f"request differs from case {slot.case_id}: {arrival.problem}".encode("utf-8")[:4000]
                conn.sendall(b"HTTP/1.1 500 Request differs from the case\r\nContent-Type: text/plain; charset=utf-8\r\n"
                             + f"Content-Length: {len(text)}\r\nConnection: close\r\n\r\n".encode() + text)
                return
            response_raw, _, until_close = response
            conn.sendall(response_raw)
            if until_close or close_after:
                return

    # --- avro:// (SASL): connection by connection ----------------------------------------------

    def _relay_stream(self, conn):
        head = bytearray()
        deadline = time.monotonic() + FIRST_CALL_SECONDS
        call = (None, None)
        while len(head) <= MAX_BODY_BYTES:
            call, complete = peek.sasl_stream_call(bytes(head))
            if complete:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                self.log(f"no whole call within {FIRST_CALL_SECONDS} s of the connection's start ({len(head)} bytes): to the current case")
                break
            conn.settimeout(left)
            try:
                chunk = conn.recv(1 << 16)
            except socket.timeout:
                continue  # the deadline decides
            if not chunk:
                break
            head += chunk
        conn.settimeout(IDLE_SECONDS)
        try:
            slot = self.route(*call)
        except Unservable as refused:
            self.log(f"closing the connection: {refused}")
            return
        if slot is None:
            self.log("a connection after the last case: closing it")
            return
        back = socket.create_connection(("127.0.0.1", slot.backend.port), timeout=IDLE_SECONDS)
        try:
            back.sendall(head)
            upstream = threading.Thread(target=_pump, args=(conn, back), daemon=True)
            upstream.start()
            while True:
                chunk = back.recv(1 << 16)
                if not chunk:
                    conn.shutdown(socket.SHUT_WR)
                    break
                arrival = self.arrived(slot)
                if arrival is not None and arrival.problem:
                    self.log(f"case {slot.case_id}: closing the connection instead of answering (the request differs)")
                    # shutdown, not just close: the upstream pump is blocked reading this socket.
                    for sock in (conn, back):
                        try:
                            sock.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
                    return
                conn.sendall(chunk)
            upstream.join(IDLE_SECONDS)
        finally:
            back.close()


def wait_for_answer(back, bound):
    """Waits until the program starts answering on `back` ("answering"), for at most `bound` seconds
    ("timeout"); "stalled" once the program has been seen STALL_LOOKS times in a row blocked reading
    past the whole request it was sent (stall.py), with no answer byte in between."""
    deadline = time.monotonic() + bound
    looks = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout"
        readable, _, _ = select.select([back], [], [], min(STALL_LOOK_SECONDS, left))
        if readable:
            return "answering"
        looks = looks + 1 if stall.reading_past_request(back) else 0
        if looks >= STALL_LOOKS:
            return "stalled"


def _pump(source, target):
    try:
        while True:
            chunk = source.recv(1 << 16)
            if not chunk:
                target.shutdown(socket.SHUT_WR)
                return
            target.sendall(chunk)
    except OSError:
        return


def _common_server_skip(case):
    if case["kind"] != "call":
        return f"kind {case['kind']}: rpcreceive answers exactly one call of one message"
    if "clientProtocol" in case:
        return ("the case's values are written against the client's copy of the protocol (its names); "
                "rpcreceive takes its answer in the server protocol's terms")
    expect = case.get("expect", {})
    if "response" not in expect and "serverSetup" not in case:
        return "rpcreceive answers one fixed response: it cannot raise an error"
    if "serverSetup" in case and "files" not in case["serverSetup"]:
        return "serverSetup without data files"
    return None


# --- HTTP/1.x message framing, just enough to relay bytes unchanged ----------------------------


class HttpError(Exception):
    pass


def _fill(sock, buffer, need):
    while len(buffer) < need:
        chunk = sock.recv(1 << 16)
        if not chunk:
            return False
        buffer += chunk
    return True


# A request head saying its body comes in chunks (some programs never answer one: Program.answer_bound).
CHUNKED = re.compile(rb"(?im)^transfer-encoding:[^\r\n]*chunked")


def read_http_message(sock, buffer, is_request):
    """(raw bytes, decoded body, close after) of the next HTTP message; None at a clean EOF.

    The raw bytes are passed on unchanged; the decoded body is for peek.py only.
    """
    while b"\r\n\r\n" not in buffer:
        if len(buffer) > MAX_HEAD_BYTES:
            raise HttpError("HTTP head too large")
        chunk = sock.recv(1 << 16)
        if not chunk:
            if buffer:
                raise HttpError("connection closed inside an HTTP head")
            return None
        buffer += chunk
    end = buffer.index(b"\r\n\r\n") + 4
    head = bytes(buffer[:end])
    del buffer[:end]
    lines = head.decode("latin-1").split("\r\n")
    start = lines[0]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    version = start.split(" ", 1)[0] if is_request is False else start.rsplit(" ", 1)[-1]
    connection = headers.get("connection", "").lower()
    close_after = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raw, body = bytearray(head), bytearray()
        while True:
            while b"\r\n" not in buffer:
                if not _fill(sock, buffer, len(buffer) + 1):
                    raise HttpError("connection closed inside a chunked body")
            line_end = buffer.index(b"\r\n") + 2
            size = int(bytes(buffer[:line_end]).split(b";")[0].strip() or b"0", 16)
            if len(body) + size > MAX_BODY_BYTES:
                raise HttpError("chunked body too large")
            if not _fill(sock, buffer, line_end + size + 2):
                raise HttpError("connection closed inside a chunk")
            raw += buffer[:line_end + size + 2]
            body += buffer[line_end:line_end + size]
            del buffer[:line_end + size + 2]
            if size == 0:
                return bytes(raw), bytes(body), close_after
    if "content-length" in headers:
        length = int(headers["content-length"])
        if length < 0 or length > MAX_BODY_BYTES:
            raise HttpError(f"Content-Length {length} refused")
        if not _fill(sock, buffer, length):
            raise HttpError("connection closed inside a body")
        body = bytes(buffer[:length])
        del buffer[:length]
        return head + body, body, close_after
    if is_request:
        return head, b"", close_after
    # A response without a length (Python's http.server speaks HTTP/1.0): the body ends at EOF.
    while True:
        chunk = sock.recv(1 << 16)
        if not chunk:
            break
        buffer += chunk
        if len(buffer) > MAX_BODY_BYTES:
            raise HttpError("response body too large")
    body = bytes(buffer)
    buffer.clear()
    return head + body, body, True


def serve(plan, cases, program, workdir):
    """Starts every listener; READY when all that could start accept connections; serves forever."""
    listeners = [CaseListener(listener, cases, program, workdir) for listener in plan["listeners"]]
    failures = {}

    def start(listener):
        config = listener.listener
        try:
            if config.get("socket", "tcp") != "tcp" or config["transport"] not in program.schemes:
                raise BackendFailed(f"{program.name} does not serve transport {config['transport']} socket {config.get('socket', 'tcp')}")
            listener.start()
        except Exception as error:
            failures[listener.key] = f"{type(error).__name__}: {error}"

    # A few listeners start at a time (each waits for its first program to print its port): JVMs
    # started all at once compete for the same cores and each one's start-up stretches past its bound.
    waiting = list(listeners)
    waiting_lock = threading.Lock()

    def starter():
        while True:
            with waiting_lock:
                if not waiting:
                    return
                listener = waiting.pop(0)
            start(listener)

    threads = [threading.Thread(target=starter) for _ in range(STARTING_AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for key, reason in failures.items():
        print(f"FAILED {key} {reason}".replace("\n", " "), flush=True)
        log(f"[{key}] could not start: {reason}")
    print("READY", flush=True)
    while True:
        time.sleep(3600)
