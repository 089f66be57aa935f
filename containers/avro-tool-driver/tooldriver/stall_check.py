"""Image-build check of stall.py, in the image's own kernel view: `python -m tooldriver.stall_check`.

Two loopback programs each get a whole request: one reads it and then waits for more (as Python's
rpcreceive does with a chunked body), one reads it and takes a while to answer. The look must see
the first, never the second. Exits non-zero, saying which, when it does not.
"""

import socket
import threading
import time

from . import stall
from .checks import finish

REQUEST = b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"


def serve(behaviour):
    listener = socket.create_server(("127.0.0.1", 0))

    def run():
        conn, _ = listener.accept()
        with conn:
            got = b""
            while len(got) < len(REQUEST):
                got += conn.recv(1 << 16)
            if behaviour == "reads past the request":
                conn.recv(1 << 16)  # blocks: nothing more will come
            elif behaviour == "computes":
                end = time.monotonic() + 1.0
                while time.monotonic() < end:
                    pass
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


def looks(behaviour):
    with socket.create_connection(("127.0.0.1", serve(behaviour))) as sock:
        sock.sendall(REQUEST)
        time.sleep(0.3)
        return stall.reading_past_request(sock)


def main():
    wrong = []
    if not looks("reads past the request"):
        wrong.append("did not see a program blocked reading past the request")
    if looks("computes"):
        wrong.append("took a program computing its answer for one reading past the request")
    finish("stall_check", wrong)


if __name__ == "__main__":
    main()
