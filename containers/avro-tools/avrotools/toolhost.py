"""The tool host: one JVM per container that runs avro-tools' own Tool classes, a call at a time per
connection (toolhost/, Java), instead of one `java -jar avro-tools.jar` process per call.

A call is the argument list that would follow `java -jar avro-tools.jar`. The host answers with
frames (kind byte, 4-byte big-endian length, payload): b"o" stdout bytes, b"e" stderr bytes, b"x"
the exit status, or b"h" when the host refuses the call (it must be restarted). Closing the
connection early abandons the call in the host, as killing the process would.
"""

import os
import shlex
import socket
import struct
import subprocess
import time

from tooldriver.helper import Helper

JAR = os.environ.get("AVRO_TOOLS_JAR", "/opt/avro-tools/avro-tools.jar")
HOST_JAR = os.environ.get("AVRO_TOOLS_HOST_JAR", "/opt/avro-tools/toolhost.jar")
# avro-tools 1.12.x refuses to build the handshake classes unless their package is trusted
# (AVRO-4204): upstream's own interop script passes the same property.
TRUST = "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.apache.avro"
JVM_OPTIONS = shlex.split(os.environ.get("AVRO_TOOLS_JVM_OPTIONS", ""))
# What the host needs of the JDK (toolhost/src/toolhost/CallChannels.java, FreshProcessState.java).
HOST_OPTIONS = [
    "-Djava.nio.channels.spi.SelectorProvider=toolhost.CallChannels",
    "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens", "java.base/sun.net.www.http=ALL-UNNAMED",
]
STARTUP_SECONDS = 60
MAX_FRAME_BYTES = 64 << 20


class Refused(Exception):
    """The host cannot run the call (an abandoned rpcsend has not ended): restart it."""


class Lost(Exception):
    """The connection ended without an exit status: the host died."""


def _frames(sock):
    """(kind, payload) frames until the connection ends."""
    buffer = bytearray()
    while True:
        while len(buffer) >= 5:
            kind, length = buffer[0:1], struct.unpack(">I", buffer[1:5])[0]
            if length > MAX_FRAME_BYTES:
                raise Lost(f"frame of {length} bytes refused")
            if len(buffer) < 5 + length:
                break
            payload = bytes(buffer[5:5 + length])
            del buffer[:5 + length]
            yield kind, payload
        chunk = sock.recv(1 << 20)
        if not chunk:
            if buffer:
                raise Lost("the host closed the connection inside a frame")
            return
        buffer += chunk


def request(arguments):
    encoded = [argument.encode("utf-8") for argument in arguments]
    return struct.pack(">I", len(encoded)) + b"".join(struct.pack(">I", len(item)) + item for item in encoded)


def relay(socket_path, arguments, on_stdout, on_stderr, timeout=None):
    """Runs one call; passes its output on as it comes; returns its exit status.

    timeout: seconds for the whole call (socket.timeout past it; the caller closes, which abandons
    the call in the host). Raises Refused or Lost when the host gave no exit status.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(socket_path)
        sock.sendall(request(arguments))
        frames = _frames(sock)
        while True:
            if deadline is not None:
                sock.settimeout(max(0.001, deadline - time.monotonic()))
            frame = next(frames, None)
            if frame is None:
                raise Lost("the host closed the call without an exit status")
            kind, payload = frame
            if kind == b"o":
                on_stdout(payload)
            elif kind == b"e":
                on_stderr(payload)
            elif kind == b"x":
                return struct.unpack(">i", payload)[0]
            elif kind == b"h":
                raise Refused(payload.decode("utf-8", "replace"))
            else:
                raise Lost(f"unknown frame kind {kind!r}")


class ToolHost(Helper):
    """The host JVM of this driver process: started on first use, started again when it died."""

    what = "the avro-tools host"
    tag = "tool host"
    ready_line = b"toolhost ready "
    startup_seconds = STARTUP_SECONDS

    def argv(self, socket_path):
        return ["java", TRUST, *JVM_OPTIONS, *HOST_OPTIONS, "-cp", f"{JAR}:{HOST_JAR}", "toolhost.ToolHost", socket_path]

    def run(self, arguments, timeout):
        """One call, as subprocess.run(java -jar avro-tools.jar ARGUMENTS, capture_output=True)
        would give it. Raises subprocess.TimeoutExpired past the bound (the call is abandoned)."""
        for attempt in (1, 2):
            stdout, stderr = bytearray(), bytearray()
            try:
                status = relay(self.socket_path(), arguments, stdout.extend, stderr.extend, timeout)
            except socket.timeout:
                self.log(f"{arguments[0]}: no exit status within {timeout} s; the call was abandoned (the host stops it)")
                raise subprocess.TimeoutExpired(arguments, timeout, bytes(stdout), bytes(stderr)) from None
            except (Refused, Lost, ConnectionError, FileNotFoundError) as error:
                if attempt == 2:
                    raise
                # Nothing of the call ran (refused), or the host died under it: a new host, once.
                self.restart(f"{arguments[0]}: {type(error).__name__}: {error}")
                continue
            return subprocess.CompletedProcess(arguments, status, bytes(stdout), bytes(stderr))
        raise AssertionError("unreachable")
