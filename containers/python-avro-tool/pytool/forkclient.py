"""The wrapper's side of the fork server (forkserver.py): start it, run calls, give stand-in argvs.

ForkServer.run() is for rpcsend: as subprocess.run(python -m avro.tool ARGS, capture_output=True,
timeout=T) runs a process. ForkServer.stand_in_argv() is for rpcreceive, which the relay starts as a
process (forkcall.py). Standard library only.
"""

import os
import selectors
import signal
import subprocess
import time

from tooldriver.helper import Helper

from .forkcall import Call

HERE = os.path.dirname(os.path.abspath(__file__))


def run(socket_path, arguments, timeout=None):
    """One call with its output captured, as subprocess.run(argv, capture_output=True, timeout=...)
    runs a process: stdin is this process's; past the timeout the call is killed (SIGKILL) and
    subprocess.TimeoutExpired is raised. Returns subprocess.CompletedProcess."""
    out_read, out_write = os.pipe()
    err_read, err_write = os.pipe()
    try:
        call = Call(socket_path, arguments, 0, out_write, err_write)
    finally:
        os.close(out_write)
        os.close(err_write)
    output = {out_read: bytearray(), err_read: bytearray()}
    deadline = None if timeout is None else time.monotonic() + timeout
    killed = False
    try:
        with selectors.DefaultSelector() as selector:
            for fd in output:
                selector.register(fd, selectors.EVENT_READ)
            while selector.get_map():
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0 and not killed:
                    call.send_signal(signal.SIGKILL)
                    killed = True
                ready = selector.select(None if killed or left is None else left)
                for key, _ in ready:
                    chunk = os.read(key.fd, 1 << 16)
                    if chunk:
                        output[key.fd] += chunk
                    else:
                        selector.unregister(key.fd)
        status = call.wait_status()
    finally:
        call.close()
        os.close(out_read)
        os.close(err_read)
    stdout, stderr = bytes(output[out_read]), bytes(output[err_read])
    if killed:
        raise subprocess.TimeoutExpired(arguments, timeout, stdout, stderr)
    return subprocess.CompletedProcess(arguments, os.waitstatus_to_exitcode(status), stdout, stderr)


class ForkServer(Helper):
    """The fork server of this wrapper process: started on first use, started again when it died."""

    what = "the fork server"
    tag = "fork server"
    ready_line = b"forkserver ready\n"

    def __init__(self, python):
        super().__init__()
        self.python = python

    def argv(self, socket_path):
        return [self.python, os.path.join(HERE, "forkserver.py"), socket_path]

    def run(self, arguments, timeout=None):
        """run() in this fork server. A server that is gone (nothing of the call ran) is started again."""
        try:
            return run(self.socket_path(), arguments, timeout)
        except (ConnectionRefusedError, FileNotFoundError) as error:
            self.restart(f"{arguments[0]}: cannot reach it ({error})")
        return run(self.socket_path(), arguments, timeout)

    def stand_in_argv(self, arguments):
        """The argv of a stand-in process for one call (python -I -S forkcall.py SOCKET ...)."""
        return [self.python, "-I", "-S", os.path.join(HERE, "forkcall.py"), self.socket_path(), *arguments]
