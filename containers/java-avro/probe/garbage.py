#!/usr/bin/env python3
"""Sends bad input to a Java peer server on 127.0.0.1 and reports what the connection did.

  python3 probe/garbage.py TRANSPORT PORT
Each probe opens its own connection; after all of them, run the Java client against the same
server to show it still serves (see the report in the README of this folder).
"""
import os, socket, struct, sys, time

def probe(port, label, data, wait=3.0):
    s = socket.create_connection(('127.0.0.1', port), timeout=wait)
    t0 = time.time()
    try:
        s.sendall(data)
        got = s.recv(4096)
        outcome = f'closed by server after {time.time() - t0:.2f} s' if not got else f'answered {len(got)} bytes: {got[:48].hex(" ")}'
    except socket.timeout:
        outcome = f'no answer, connection held open after {wait:.0f} s (we close it)'
    except ConnectionResetError:
        outcome = f'reset by server after {time.time() - t0:.2f} s'
    finally:
        s.close()
    print(f'{label:<48} {outcome}')

def main():
    transport, port = sys.argv[1], int(sys.argv[2])
    rnd = os.urandom(4096)
    probe(port, 'random bytes (4 KiB)', rnd)
    if transport in ('tcp', 'sasl'):
        probe(port, 'frame length 0x7fffffff', struct.pack('>i', 0x7fffffff) + b'x' * 16)
        probe(port, 'frame length 0x7ffffff0 (~2 GiB)', struct.pack('>i', 0x7ffffff0) + b'x' * 16)
        probe(port, 'frame length 256 MiB', struct.pack('>i', 256 << 20) + b'x' * 16)
        probe(port, 'negative frame length', struct.pack('>i', -5) + b'x' * 16)
        probe(port, 'empty request (just the 0 terminator)', struct.pack('>i', 0))
    if transport == 'netty':
        probe(port, 'count 0x7fffffff', struct.pack('>ii', 1, 0x7fffffff))
        probe(port, 'count 1, buffer length 0x7fffffff', struct.pack('>iii', 1, 1, 0x7fffffff) + b'x' * 16)
        probe(port, 'count 1, negative buffer length', struct.pack('>iii', 1, 1, -5))
        probe(port, 'count -1', struct.pack('>ii', 1, -1))
        probe(port, 'count 0', struct.pack('>ii', 1, 0))
    if transport == 'http':
        probe(port, 'not HTTP at all', b'\x00\x01garbage\r\n\r\n')
        body = struct.pack('>i', 0x7fffffff) + b'x' * 16
        probe(port, 'POST, frame length 0x7fffffff', b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
        probe(port, 'POST, random body', b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n' + rnd)
        probe(port, 'GET /', b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')

if __name__ == '__main__':
    main()
