"""Image-build check of the avro:// relay's routing: `python -m tooldriver.relay_check`.

A client's connection goes to the case its first call names (server.py, _relay_stream). Java's
client and ours send that call right behind the SASL START, but on a busy machine the two writes can
be apart; with a 0.3 s bound per read, a CI run most likely sent such a connection to the case
before it. Here one client sends START, waits 1 s, then its call: the relay must route by the call.
Another sends both at once: it must be routed at once. Exits non-zero, saying which, when not.
"""

import socket
import struct
import threading
import time
import types

from .checks import finish
from .server import CaseListener


START = b"\x00" + struct.pack(">I", 9) + b"ANONYMOUS" + struct.pack(">I", 0)
# echoLong(-1) with a handshake, in Avro binary (longs zig-zag encoded: 0 -> 00, -1 -> 01, and the
# name's length 8 -> 10): clientHash, clientProtocol null (union branch 0), serverHash, meta null,
# empty call metadata, the message name, the parameter.
NAME = "echoLong"
PARAMETERS = b"\x01"
PAYLOAD = b"\x00" * 16 + b"\x00" + b"\x00" * 16 + b"\x00" + b"\x00" + b"\x10" + NAME.encode() + PARAMETERS
CALL = struct.pack(">I", len(PAYLOAD)) + PAYLOAD + struct.pack(">I", 0)


def _backend():
    """A stand-in for a case's rpcreceive: takes what it is sent, answers, closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run():
        conn, _ = listener.accept()
        with conn:
            conn.recv(1 << 16)
            conn.sendall(b"answer")

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


def routed_after(gap_seconds):
    """(what the relay routed by, seconds from the first byte to the routing) for a client that
    sends START, waits gap_seconds (None: sends START and its call in one write), then its call."""
    routes = []
    began = time.monotonic()
    slot = types.SimpleNamespace(case_id="check", backend=types.SimpleNamespace(port=_backend()))

    def route(message, parameters):
        routes.append(((message, parameters), time.monotonic() - began))
        return slot

    listener = types.SimpleNamespace(route=route, arrived=lambda _slot: None, log=lambda _text: None)
    client, relayed = socket.socketpair()
    relay = threading.Thread(target=CaseListener._relay_stream, args=(listener, relayed), daemon=True)
    relay.start()
    with client:
        if gap_seconds is None:
            client.sendall(START + CALL)
        else:
            client.sendall(START)
            time.sleep(gap_seconds)
            client.sendall(CALL)
        client.settimeout(10)
        client.recv(64)
        client.shutdown(socket.SHUT_WR)
    relay.join(10)
    relayed.close()
    return routes[0] if routes else (None, None)


def main():
    wrong = []
    expected = (NAME, PARAMETERS)
    call, _ = routed_after(1.0)
    if call != expected:
        wrong.append(f"a call 1 s behind START was routed by {call!r}, not by the call {expected!r}")
    call, seconds = routed_after(None)
    if call != expected or seconds is None or seconds > 0.5:
        wrong.append(f"a call sent with START was routed by {call!r} after {seconds} s, not at once by the call")
    finish("relay_check", wrong)


if __name__ == "__main__":
    main()
