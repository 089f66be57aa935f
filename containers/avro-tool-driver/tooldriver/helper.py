"""A helper process that runs the program's calls for this wrapper process, one per container:
avro-tools' tool host (a JVM), Python's fork server. Each listens on a Unix socket whose path it
is given and prints one ready line on stdout; nothing else goes there. Standard library only.
"""

import os
import select
import subprocess
import tempfile
import threading
import time


class Helper:
    """Started on first use, started again when it died or the caller gives up on it (restart)."""

    what = "the helper"  # in log lines and errors
    tag = "helper"  # the prefix of its log lines, [tag]
    ready_line = b""  # what the ready line starts with
    startup_seconds = 60

    def __init__(self):
        self._lock = threading.Lock()
        self._process = None
        self._socket = None

    def argv(self, socket_path):
        raise NotImplementedError

    def log(self, text):
        from .tap import log  # imported late: a stand-in that imports the helper's module logs nothing

        log(f"[{self.tag}] {text}")

    def socket_path(self):
        with self._lock:
            if self._process is not None and self._process.poll() is not None:
                self.log(f"{self.what} exited with status {self._process.returncode}; starting a new one")
                self._process = None
            if self._process is None:
                self._start()
            return self._socket

    def restart(self, why):
        with self._lock:
            self.log(f"restarting {self.what}: {why}")
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
                self._process.wait()
            self._process = None
            self._start()

    def _start(self):
        path = os.path.join(tempfile.mkdtemp(prefix="avro-tool-helper-"), "calls.sock")
        # stdout carries the ready line only; the helper's own log (stderr) goes where the wrapper logs.
        process = subprocess.Popen(self.argv(path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        ready = b""
        deadline = time.monotonic() + self.startup_seconds
        while not ready.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([process.stdout], [], [], left)[0]:
                process.kill()
                raise RuntimeError(f"{self.what} did not start within {self.startup_seconds} s")
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"{self.what} exited ({process.wait()}) before it was ready")
            ready += chunk
        if not ready.startswith(self.ready_line):
            process.kill()
            raise RuntimeError(f"{self.what} said {ready!r} instead of being ready")
        process.stdout.close()
        self.log(f"started (pid {process.pid}, {path})")
        self._process, self._socket = process, path
