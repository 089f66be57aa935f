"""One call in the fork server (forkserver.py), from the caller's side; and the stand-in process.

`python -I -S /opt/peer/pytool/forkcall.py SOCKET ARGS...` stands in for `python -m avro.tool ARGS`
where the wrapper needs an argv (rpcreceive, started and read by the relay). It passes its own stdin,
stdout and stderr to the call (the tool process writes straight into the relay's pipes, so output
streams as a process's does), passes on SIGTERM, SIGINT, SIGHUP and SIGQUIT, and ends as the tool
process ended: with its exit status, or killed by the same signal. A stand-in killed outright
(SIGKILL) closes its connection, and the fork server kills the call. It imports only a few standard
modules and runs with -I -S (no site, no PYTHONPATH), to start fast; the call gets the stand-in's
environment and working directory all the same (sent in the request).
"""

import json
import os
import signal
import socket
import struct
import sys

FORWARDED_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT)


class Lost(Exception):
    """The connection ended without an exit status: the fork server or the supervisor died."""


class Call:
    """One call in the fork server: send_signal() as to a process, wait_status() for its end."""

    def __init__(self, socket_path, arguments, stdin, stdout, stderr, cwd=None, env=None):
        request = json.dumps({"argv": list(arguments), "cwd": cwd or os.getcwd(),
                              "env": dict(os.environ if env is None else env)}).encode("utf-8", "surrogatepass")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.sock.connect(socket_path)
            payload = struct.pack(">I", len(request)) + request
            sent = socket.send_fds(self.sock, [payload], [stdin, stdout, stderr])
            self.sock.sendall(payload[sent:])
        except BaseException:
            self.sock.close()
            raise

    def send_signal(self, signum):
        try:
            self.sock.send(bytes([signum]))
        except OSError:
            pass  # the call has ended

    def wait_status(self):
        """The tool process's wait status (os.waitstatus_to_exitcode reads it)."""
        data = b""
        while len(data) < 4:
            chunk = self.sock.recv(4 - len(data))
            if not chunk:
                raise Lost("the fork server closed the call without an exit status")
            data += chunk
        return struct.unpack(">i", data)[0]

    def close(self):
        self.sock.close()


def stand_in(socket_path, arguments):
    """The stand-in process: runs the call on this process's stdin, stdout and stderr and ends as
    the tool process ended."""
    try:
        call = Call(socket_path, arguments, 0, 1, 2)
    except OSError as error:
        os.write(2, f"forkcall: cannot reach the fork server: {error}\n".encode())
        os._exit(125)
    for signum in FORWARDED_SIGNALS:
        signal.signal(signum, lambda received, _frame: call.send_signal(received))
    try:
        status = call.wait_status()
    except (Lost, OSError) as error:
        os.write(2, f"forkcall: no exit status from the fork server: {error}\n".encode())
        os._exit(125)
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        # Killed by a signal: so is this process, so that its parent sees what a process shows.
        signal.signal(-code, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [-code])
        os.kill(os.getpid(), -code)
    os._exit(code & 0xFF if code >= 0 else 128 - code)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print("usage: python -I -S forkcall.py SOCKET TOOL-ARGUMENTS...", file=sys.stderr)
        sys.exit(2)
    stand_in(sys.argv[1], sys.argv[2:])
