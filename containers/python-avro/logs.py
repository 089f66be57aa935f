"""stderr lines prefixed with the key of the listener or cell they belong to (containers/README.md)."""

import sys
import threading

_lock = threading.Lock()


class KeyedLog:
    def __init__(self, key):
        self.prefix = f"[{key}] "

    def __call__(self, text):
        lines = str(text).rstrip("\n").split("\n")
        with _lock:
            sys.stderr.write("".join(self.prefix + line + "\n" for line in lines))
            sys.stderr.flush()


PROCESS = KeyedLog("peer")
