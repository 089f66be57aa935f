"""The wrapper's side of the fork server (forkserver.py): start it, run calls, give stand-in argvs.

ForkServer.run() is for rpcsend: as subprocess.run(python -m avro.tool ARGS, capture_output=True,
timeout=T) runs a process. ForkServer.stand_in_argv() is for rpcreceive, which the relay starts as a
process (forkcall.py). Standard library only.
"""

import os
import selectors
import signal
import subprocess
import threading
import time

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


class ForkServer:
    """The fork server of this wrapper process: started on first use, started again when it died."""

    STARTUP_SECONDS = 60

    def __init__(self, python):
        self.python = python
        self._lock = threading.Lock()
        self._process = None
        self._socket = None

    def socket_path(self):
        with self._lock:
            if self._process is not None and self._process.poll() is not None:
                _log(f"the fork server exited with status {self._process.returncode}; starting a new one")
                self._process = None
            if self._process is None:
                self._start()
            return self._socket

    def _start(self):
        import select
        import tempfile

        path = os.path.join(tempfile.mkdtemp(prefix="avro-tool-forkserver-"), "calls.sock")
        # stdout carries the ready line only; the server's own errors (stderr) go where the wrapper logs.
        process = subprocess.Popen([self.python, os.path.join(HERE, "forkserver.py"), path],
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        ready = b""
        deadline = time.monotonic() + self.STARTUP_SECONDS
        while not ready.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([process.stdout], [], [], left)[0]:
                process.kill()
                raise RuntimeError(f"the fork server did not start within {self.STARTUP_SECONDS} s")
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"the fork server exited ({process.wait()}) before it was ready")
            ready += chunk
        if ready != b"forkserver ready\n":
            process.kill()
            raise RuntimeError(f"the fork server said {ready!r} instead of being ready")
        process.stdout.close()
        _log(f"started (pid {process.pid}, {path})")
        self._process, self._socket = process, path

    def run(self, arguments, timeout=None):
        """run() in this fork server. A server that is gone (nothing of the call ran) is started again."""
        try:
            return run(self.socket_path(), arguments, timeout)
        except (ConnectionRefusedError, FileNotFoundError) as error:
            _log(f"{arguments[0]}: cannot reach the fork server ({error}); starting a new one")
            with self._lock:
                if self._process is not None and self._process.poll() is None:
                    self._process.kill()
                    self._process.wait()
                self._process = None
        return run(self.socket_path(), arguments, timeout)

    def stand_in_argv(self, arguments):
        """The argv of a stand-in process for one call (python -I -S forkcall.py SOCKET ...)."""
        return [self.python, "-I", "-S", os.path.join(HERE, "forkcall.py"), self.socket_path(), *arguments]


def _log(text):
    from tooldriver.tap import log  # imported late: the stand-in runs without the wrapper

    log(f"[fork server] {text}")


