"""Reads the message name and parameter bytes of an Avro RPC request, so that the relay can hand
each call to the rpcreceive set up for it (server.py). Nothing here answers anything: a request this cannot read
is simply routed to the current case, and the program itself decides what to do with it.

Request payload (Avro specification, "Call Format"): [HandshakeRequest] call metadata (map of
bytes), message name (string), parameters. HandshakeRequest: clientHash (fixed 16), clientProtocol
(union null|string), serverHash (fixed 16), meta (union null|map of bytes).
"""

import struct

MAX_PEEK_BYTES = 64 * 1024 * 1024


class Truncated(Exception):
    """More bytes are needed."""


class Reader:
    def __init__(self, data, offset=0):
        self.data = data
        self.offset = offset

    def take(self, count):
        if count < 0 or self.offset + count > len(self.data):
            raise Truncated()
        chunk = self.data[self.offset:self.offset + count]
        self.offset += count
        return chunk

    def long(self):
        shift, value = 0, 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return (value >> 1) ^ -(value & 1)
            shift += 7
            if shift > 63:
                raise ValueError("varint longer than 64 bits")

    def bytes(self):
        return self.take(self.long())

    def skip_map_of_bytes(self):
        while True:
            count = self.long()
            if count == 0:
                return
            if count < 0:
                self.long()  # block size in bytes
                count = -count
            for _ in range(count):
                self.bytes()
                self.bytes()


def call_of(payload, with_handshake=True):
    """(message name, parameter bytes) of a request payload, or (None, None) when it cannot be read."""
    try:
        reader = Reader(payload)
        if with_handshake:
            reader.take(16)
            if reader.long() == 1:
                reader.bytes()
            reader.take(16)
            if reader.long() == 1:
                reader.skip_map_of_bytes()
        reader.skip_map_of_bytes()
        name = reader.bytes().decode("utf-8")
        return name, bytes(payload[reader.offset:])
    except (Truncated, ValueError, UnicodeDecodeError):
        return None, None


def standard_frames(data, offset=0):
    """(payload, end offset) of one standard-framed message ([length][bytes]... [0]); Truncated if incomplete."""
    parts = []
    total = 0
    while True:
        if offset + 4 > len(data):
            raise Truncated()
        (length,) = struct.unpack_from(">I", data, offset)
        offset += 4
        if length == 0:
            return b"".join(parts), offset
        total += length
        if total > MAX_PEEK_BYTES:
            raise ValueError("message beyond the peek limit")
        if offset + length > len(data):
            raise Truncated()
        parts.append(data[offset:offset + length])
        offset += length


def http_body_call(body):
    """(message name, parameter bytes) in an HTTP request body (standard framing), or (None, None)."""
    try:
        payload, _ = standard_frames(body)
    except (Truncated, ValueError):
        return None, None
    return call_of(payload)


def sasl_stream_call(data):
    """For the first bytes a client sent on an avro:// (SASL) connection: ((name, parameters), complete).

    Java's SaslSocketTransceiver, and ours, send START, the mechanism and the initial response, and
    right behind them the first request in standard framing, without waiting for COMPLETE.
    complete is False while more bytes could still bring the name.
    """
    nothing = (None, None)
    try:
        reader = Reader(data)
        if reader.take(1)[0] != 0:  # START
            return nothing, True
        for _ in range(2):  # mechanism, initial response
            (length,) = struct.unpack(">I", reader.take(4))
            reader.take(length)
        payload, _ = standard_frames(data, reader.offset)
    except Truncated:
        return nothing, False
    except ValueError:
        return nothing, True
    return call_of(payload), True


def http_body_answered(body):
    """Whether an HTTP response body (standard framing) is a normal answer to a call: a
    HandshakeResponse (if any) whose match is not NONE, then call metadata and the error flag false.
    Only such an answer tells that the program ran the call, and so printed it first; a declined
    handshake (the client resends) or an error says nothing about that. HandshakeResponse: match
    (enum BOTH, CLIENT, NONE), serverProtocol (union null|string), serverHash (union null|fixed 16),
    meta (union null|map of bytes). False when it cannot be read."""
    try:
        payload, _ = standard_frames(body)
        reader = Reader(payload)
        if reader.long() == 2:  # NONE
            return False
        if reader.long() == 1:
            reader.bytes()
        if reader.long() == 1:
            reader.take(16)
        if reader.long() == 1:
            reader.skip_map_of_bytes()
        reader.skip_map_of_bytes()
        return reader.take(1)[0] == 0
    except (Truncated, ValueError):
        return False
