"""Pokes a running conformance server (conformance protocol) with hand-made bytes and prints what
comes back, so that robustness and the library's wire behaviour can be checked and quoted.

    python wire_probe.py --transport tcp|http --port N [--host 127.0.0.1]

Not part of the peer contract; a tool for people. Every probe ends with a good call that must work.
"""

import argparse
import http.client
import io
import os
import socket
import struct

import avro.io
import avro.ipc
import avro.protocol

DATA_DIR = os.environ.get("AVRO_CONFORMANCE_DATA", "/spec/suites/avro/data")
with open(os.path.join(DATA_DIR, "protocols", "conformance.avpr"), encoding="utf-8") as f:
    PROTOCOL = avro.protocol.parse(f.read())


def handshake(with_protocol=True):
    out = io.BytesIO()
    datum = {"clientHash": PROTOCOL.md5, "serverHash": PROTOCOL.md5,
             "clientProtocol": str(PROTOCOL) if with_protocol else None, "meta": None}
    avro.ipc.HANDSHAKE_REQUESTOR_WRITER.write(datum, avro.io.BinaryEncoder(out))
    return out.getvalue()


def call(name, request):
    """A call request (metadata, name, parameters) without handshake."""
    out = io.BytesIO()
    encoder = avro.io.BinaryEncoder(out)
    avro.ipc.META_WRITER.write({}, encoder)
    encoder.write_utf8(name)
    if name in PROTOCOL.messages:
        avro.io.DatumWriter(PROTOCOL.messages[name].request).write(request, encoder)
    return out.getvalue()


def frame(message):
    out = io.BytesIO()
    avro.ipc.FramedWriter(out).write_framed_message(message)
    return out.getvalue()


def show(label, data):
    print(f"{label}: {len(data)} bytes: {data.hex(' ') if len(data) <= 200 else data[:200].hex(' ') + ' ...'}")


class Tcp:
    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port), timeout=5)

    def send(self, data):
        self.sock.sendall(data)

    def read_message(self, timeout=5):
        """The framed response, or a description of why there is none."""
        self.sock.settimeout(timeout)
        rfile = self.sock.makefile("rb")
        try:
            parts = []
            while True:
                header = rfile.read(4)
                if len(header) < 4:
                    return f"<connection closed by server after {len(header)} header bytes>"
                (n,) = struct.unpack("!I", header)
                if n == 0:
                    return b"".join(parts)
                parts.append(rfile.read(n))
        except socket.timeout:
            return "<no response within %ss>" % timeout

    def close(self):
        self.sock.close()


def good_tcp(host, port, label):
    c = Tcp(host, port)
    c.send(frame(handshake() + call("echoInt", {"value": 42})))
    reply = c.read_message()
    c.close()
    ok = isinstance(reply, bytes) and reply.endswith(b"\x00\x00\x54")  # meta {}, no error, zig-zag 42
    print(f"  then a good call on a new connection ({label}): {'OK' if ok else 'FAILED'}", reply if not ok else "")


def probe_tcp(host, port):
    print("== tcp: handshake once per connection, one-way without response")
    c = Tcp(host, port)
    c.send(frame(handshake() + call("echoString", {"value": "first"})))
    show("first call (with handshake) answer", c.read_message())
    c.send(frame(call("echoString", {"value": "second"})))
    show("second call (no handshake) answer", c.read_message())
    c.send(frame(call("notify", {"note": "probe"})))
    reply = c.read_message(timeout=1)
    print("one-way notify on the established connection:", reply if isinstance(reply, str) else reply.hex(" "))
    c.send(frame(call("lastNote", {})))
    show("lastNote answer", c.read_message())
    c.send(frame(call("", {})))
    reply = c.read_message(timeout=2)
    print("empty message name (ping) on the established connection:", reply if isinstance(reply, str) else f"{len(reply)} bytes {reply.hex(' ')}")
    c.close()

    for label, payload in [
        ("ping (empty message name) with handshake", frame(handshake() + call("", {}))),
        ("unknown message 'nope' with handshake", frame(handshake() + call("nope", {}))),
        ("random bytes", os.urandom(64)),
        ("huge frame length 0xfffffff0", b"\xff\xff\xff\xf0" + b"\x00" * 16),
        ("frame whose content is garbage", frame(b"\xfe\xff\xff\xff\x0f" + os.urandom(40))),
        ("truncated frame then close", b"\x00\x00\x01\x00abc"),
    ]:
        print(f"== tcp: {label}")
        c = Tcp(host, port)
        c.send(payload)
        if label.startswith("truncated"):
            c.close()
        else:
            reply = c.read_message(timeout=3)
            print("  answer:", reply if isinstance(reply, str) else f"{len(reply)} bytes: {reply.hex(' ')[:600]}")
            c.close()
        good_tcp(host, port, label)


def http_post(host, port, body, headers=None, chunked=False):
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request("POST", "/", body=body if not chunked else iter([body[:7], body[7:]]),
                     headers=headers if headers is not None else {"Content-Type": "avro/binary"},
                     encode_chunked=chunked)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    except Exception as e:
        return None, None, f"<{type(e).__name__}: {e}>".encode()
    finally:
        conn.close()


def probe_http(host, port):
    good = frame(handshake() + call("echoInt", {"value": 42}))
    for label, kwargs in [
        ("ping (empty message name)", {"body": frame(handshake() + call("", {}))}),
        ("unknown message 'nope'", {"body": frame(handshake() + call("nope", {}))}),
        ("one-way notify", {"body": frame(handshake() + call("notify", {"note": "probe"}))}),
        ("garbage body", {"body": os.urandom(64)}),
        ("frame whose content is garbage", {"body": frame(b"\xfe\xff\xff\xff\x0f" + os.urandom(40))}),
        ("no Content-Length (raw)", None),
        ("chunked good call", {"body": good, "chunked": True}),
    ]:
        print(f"== http: {label}")
        if kwargs is None:
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: avro/binary\r\n\r\n" + good)
            print("  answer:", s.recv(4096).split(b"\r\n")[0])
            s.close()
        else:
            status, ctype, body = http_post(host, port, **kwargs)
            print(f"  answer: HTTP {status} {ctype}: {len(body)} bytes: {body.hex(' ')[:600] if ctype == 'avro/binary' else body[:300]}")
        status, _, body = http_post(host, port, good)
        ok = status == 200 and body.endswith(b"\x00\x00\x54\x00\x00\x00\x00")
        print(f"  then a good call: {'OK' if ok else 'FAILED'}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--transport", choices=["tcp", "http"], required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    (probe_tcp if args.transport == "tcp" else probe_http)(args.host, args.port)


if __name__ == "__main__":
    main()
