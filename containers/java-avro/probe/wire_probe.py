#!/usr/bin/env python3
"""Hand-made Avro RPC bytes against a running Java peer server, to record what it answers.

Not part of the image (see .dockerignore): run on the host against a server container, e.g.
  python3 probe/wire_probe.py http 127.0.0.1 19300 oneway
Prints hex dumps of what was sent and received. Only the standard library; 127.0.0.1 only.
"""
import hashlib, json, os, socket, struct, sys, time, http.client

PROTOCOL_FILE = os.environ.get('AVPR', os.path.join(os.path.dirname(__file__), '../../../suites/avro/data/protocols/conformance.avpr'))


def zigzag(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n & ~0x7f:
        out.append((n & 0x7f) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def string(s):
    b = s.encode('utf-8')
    return zigzag(len(b)) + b


def handshake(protocol_text, server_hash=None):
    client_hash = hashlib.md5(protocol_text.encode('utf-8')).digest()
    return (client_hash + zigzag(1) + string(protocol_text)
            + (server_hash or client_hash) + zigzag(0))  # meta: null


def call(name, params=b''):
    return zigzag(0) + string(name) + params  # empty call metadata, message name, parameters


def frames(payload, sizes=None):
    """Standard framing: big-endian int32 length + bytes, ended by a zero-length frame."""
    return struct.pack('>i', len(payload)) + payload + struct.pack('>i', 0)


def dump(label, data, limit=512):
    print(f'{label} ({len(data)} bytes):')
    for i in range(0, min(len(data), limit), 16):
        chunk = data[i:i + 16]
        print(f'  {i:08x}: {chunk.hex(" "):<47}  {"".join(chr(c) if 32 <= c < 127 else "." for c in chunk)}')
    if len(data) > limit:
        print(f'  ... {len(data) - limit} more bytes')


def http_post(host, port, body, path='/'):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request('POST', path, body=body, headers={'Content-Type': 'avro/binary'})
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), data


def read_standard_frames(sock):
    out = b''
    while True:
        n = struct.unpack('>i', recv_exact(sock, 4))[0]
        if n == 0:
            return out
        out += recv_exact(sock, n)


def recv_exact(sock, n):
    buf = b''
    while len(buf) < n:
        part = sock.recv(n - len(buf))
        if not part:
            raise EOFError(f'connection closed after {len(buf)} of {n} bytes')
        buf += part
    return buf


def read_varint(data, pos):
    shift = result = 0
    while True:
        b = data[pos]; pos += 1
        result |= (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            return (result >> 1) ^ -(result & 1), pos


def split_handshake(data):
    """Decodes a HandshakeResponse at the start of data; returns (summary, server hash, rest)."""
    match, pos = read_varint(data, 0)
    idx, pos = read_varint(data, pos)
    proto_len = 0
    if idx == 1:
        proto_len, pos = read_varint(data, pos)
        pos += proto_len
    idx, pos = read_varint(data, pos)
    server_hash = None
    if idx == 1:
        server_hash = data[pos:pos + 16]; pos += 16
    idx, pos = read_varint(data, pos)
    if idx == 1:
        raise SystemExit('handshake meta present: not decoded by this probe')
    summary = (f'handshake: match={["BOTH", "CLIENT", "NONE"][match]}, serverProtocol='
               f'{"null" if not proto_len else str(proto_len) + " bytes"}, serverHash={server_hash.hex() if server_hash else "null"}, meta=null'
               f' ({pos} bytes)')
    return summary, server_hash, data[pos:]


def unframe(data):
    out, pos = b'', 0
    while True:
        n = struct.unpack('>i', data[pos:pos + 4])[0]; pos += 4
        if n == 0:
            if pos != len(data):
                raise SystemExit(f'{len(data) - pos} bytes after the terminating frame')
            return out
        out += data[pos:pos + n]; pos += n


def netty_frame(serial, payload):
    return struct.pack('>ii', serial, 1) + struct.pack('>i', len(payload)) + payload


def read_netty(sock):
    serial, count = struct.unpack('>ii', recv_exact(sock, 8))
    out = b''
    for _ in range(count):
        n = struct.unpack('>i', recv_exact(sock, 4))[0]
        out += recv_exact(sock, n)
    return serial, out


def main():
    transport, host, port, what = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    text = json.dumps(json.load(open(PROTOCOL_FILE)))
    hs = handshake(text)
    if transport == 'http':
        bodies = {
            'oneway': call('notify', string('probe note')),
            'unknown': call('noSuchMessage'),
            'ping': call(''),
            'lastNote': call('lastNote'),
            'echoNull': call('echoNull'),  # a null parameter encodes to zero bytes
        }
        # First a ping to learn the server's hash, then the probe with that hash: match BOTH, so
        # the answer is not padded with the server's whole protocol text.
        _, _, data = http_post(host, port, frames(hs + call('')))
        _, server_hash, _ = split_handshake(unframe(data))
        request = frames(handshake(text, server_hash) + bodies[what])
        dump('request body', request, 96)
        status, headers, data = http_post(host, port, request)
        print(f'HTTP {status} Content-Type={headers.get("Content-Type")} Content-Length={headers.get("Content-Length")}')
        dump('response body (framed)', data)
        summary, _, rest = split_handshake(unframe(data))
        print(summary)
        dump('after the handshake', rest)
    elif transport in ('tcp', 'netty'):
        sock = socket.create_connection((host, port), timeout=5)
        if transport == 'tcp':
            send = lambda p: sock.sendall(frames(p))
            recv = lambda: read_standard_frames(sock)
        else:
            serial = [0]
            def send(p):
                serial[0] += 1
                sock.sendall(netty_frame(serial[0], p))
            recv = lambda: read_netty(sock)[1]
        send(hs + call('lastNote'))
        dump('first answer (handshake + lastNote)', recv())
        if what == 'oneway':
            send(call('notify', string('probe note')))
            sock.settimeout(2)
            try:
                data = recv()
                dump('UNEXPECTED answer to one-way', data)
            except socket.timeout:
                print('one-way notify after the handshake: no answer within 2 s (as the spec says)')
            sock.settimeout(5)
            send(call('lastNote'))
            dump('lastNote answer', recv())
        elif what == 'unknown':
            send(call('noSuchMessage'))
            dump('answer to an unknown message name', recv())
        elif what == 'ping':
            send(call(''))
            dump('answer to a ping on a connected channel', recv())
    else:
        raise SystemExit('transport: http, tcp or netty')


if __name__ == '__main__':
    main()
