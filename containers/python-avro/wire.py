"""Avro's standard framing over a socket, and the client socket transceiver the library lacks.

avro's FramedReader trusts any 32-bit frame length and reads until it has it; a server must not
let one connection make it allocate gigabytes, so read_message refuses frames beyond the limits.
"""

import io
import socket
import struct

import avro.errors
import avro.ipc

MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


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


class SocketTransceiver:
    """A stateful TCP connection in standard framing (what Java's SocketTransceiver speaks).

    remote_name is the key under which the library's Requestor caches the server's hash
    (REMOTE_HASHES). Like the library's own HTTPTransceiver (conn.sock.getsockname()), it is this
    connection's local address, so every connection starts with a first-contact handshake. Keyed
    by the server's address (as Java keys its cache), a second connection would find the hash but
    not the protocol: BaseRequestor.write_handshake_request never reads REMOTE_PROTOCOLS back, so
    the answer BOTH leaves remote_protocol None and read_call_response fails on it.
    """

    def __init__(self, host, port, timeout_seconds):
        self.sock = socket.create_connection((host, port), timeout=timeout_seconds)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb")
        self.remote_name = self.sock.getsockname()

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
        # shutdown first: a thread blocked in recv on this socket wakes up at once.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.rfile.close()
        self.sock.close()
