"""The fork server: `python -m avro.tool ...` calls without starting Python for each one.

Why: a run makes hundreds of rpcsend / rpcreceive calls, and each fresh `python -m avro.tool`
spends most of its CPU starting the interpreter and importing avro (and what avro.tool imports).
This process (one per container, started by the wrapper: forkclient.ForkServer) does that once and
never runs a call itself. For each call it forks; the fork runs the tool's entry point as `-m` does.
Each call is a fork of a process that never ran a call, so module-level state (avro.ipc's
REMOTE_HASHES, avro.tool's globals, which run afresh as __main__) starts as in a fresh process.

    /opt/venv/bin/python /opt/peer/pytool/forkserver.py SOCKET

Started by path, not with -m, so that none of the wrapper's modules are imported here. Standard
library only. The server prints "forkserver ready" on stdout once it listens on the Unix socket.

One call, one connection (forkcall.Call is the other end):
  1. The caller sends its request (4-byte big-endian length, JSON {"argv", "cwd", "env"}) with three
     file descriptors (SCM_RIGHTS): the call's stdin, stdout and stderr.
  2. The server forks a supervisor for the connection and goes back to accept(); the supervisor
     reads the request, forks the tool process, and stays its parent: a byte from the caller is a
     signal number to send it; the connection's end (the caller was killed) sends SIGKILL; when
     the tool process ends the supervisor sends its wait status (4 bytes, big-endian) and exits.
     (A supervisor keeps this server single-threaded and never blocked by one caller; fork
     requires that: forking a process with threads is unsafe.)
  3. The tool process sets up what a fresh `python -m avro.tool ARGS` has and runs it (run_tool).

What is identical to a fresh process, and what is not, is listed in ../README.md ("Fork server").
"""

import ast
import builtins
import gc
import importlib
import importlib.util
import io
import json
import os
import runpy
import signal
import socket
import struct
import sys
import types

TOOL_MODULE = "avro.tool"
MAX_REQUEST_BYTES = 1 << 20
# Environment variables the interpreter reads once at start-up (buffering, hash seed, paths, locale,
# ...). A call is refused unless its values are this server's: a fork cannot apply other ones.
STARTUP_PREFIXES = ("PYTHON", "LC_", "LANG")


def preload():
    """Imports exactly what avro.tool imports (read from its own source), and avro.tool's package,
    but not avro.tool itself: under -m it runs as __main__ and is never imported as avro.tool."""
    spec = importlib.util.find_spec(TOOL_MODULE)  # imports the package `avro`, as -m does
    with open(spec.origin, "rb") as f:
        tree = ast.parse(f.read(), spec.origin)
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            importlib.import_module(node.module)


def startup_environment(env):
    return {key: value for key, value in env.items() if key.startswith(STARTUP_PREFIXES)}


def read_request(conn):
    """(request, [stdin, stdout, stderr] descriptors) from the caller."""
    data, fds, _, _ = socket.recv_fds(conn, 65536, 3)
    data = bytearray(data)
    if len(fds) != 3:
        raise ValueError(f"expected 3 file descriptors, got {len(fds)}")
    while len(data) < 4 or len(data) < 4 + struct.unpack(">I", data[:4])[0]:
        if len(data) >= 4 and struct.unpack(">I", data[:4])[0] > MAX_REQUEST_BYTES:
            raise ValueError("request too long")
        chunk = conn.recv(65536)
        if not chunk:
            raise ValueError("the caller closed the connection inside its request")
        data += chunk
    length = struct.unpack(">I", data[:4])[0]
    return json.loads(data[4:4 + length].decode("utf-8", "surrogatepass")), fds


def std_stream(fd, name, write):
    """sys.stdin / stdout / stderr on the call's descriptors, made as Python's start-up makes them
    (Python/pylifecycle.c create_stdio) with this interpreter's settings, which are a fresh one's
    (same environment and flags): this process's own streams show them (write-through is
    PYTHONUNBUFFERED's unbuffered mode; encoding and errors follow the locale)."""
    template = getattr(sys, f"__{name}__")
    buffered = not (write and template.write_through)  # stdin is always buffered
    buffer = io.open(fd, "wb" if write else "rb", buffering=-1 if buffered else 0, closefd=False)
    raw = buffer.raw if buffered else buffer
    raw.name = f"<{name}>"
    line_buffering = buffered and write and (raw.isatty() or name == "stderr")
    stream = io.TextIOWrapper(buffer, template.encoding, template.errors, None if name == "stdin" else "\n",
                              line_buffering, not buffered)
    stream.mode = "w" if write else "r"
    return stream


def run_tool(request, fds):
    """In the tool process: become `python -m avro.tool ARGS` (as Modules/main.c pymain_run_module
    does it) and end as its interpreter would. Does not return normally."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    sys.stdin, sys.stdout, sys.stderr = (std_stream(0, "stdin", False), std_stream(1, "stdout", True),
                                         std_stream(2, "stderr", True))
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # -m puts the working directory first on sys.path (the script's folder is there now); then
    # runpy._run_module_as_main, what -m itself calls, runs the module's code in a new __main__
    # and sets sys.argv[0] to the module's file.
    sys.path[0] = os.getcwd()
    sys.argv = ["-m", *request["argv"]]
    sys.orig_argv = [sys.orig_argv[0], "-m", TOOL_MODULE, *request["argv"]]
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    sys.modules["__main__"] = main
    try:
        runpy._run_module_as_main(TOOL_MODULE)
    except (SystemExit, KeyboardInterrupt):
        raise  # the interpreter ends with it as it would in a fresh process
    except BaseException as error:
        # Printed as the interpreter prints an uncaught exception, without this file's frames (a
        # fresh process's traceback starts in runpy), then status 1 as the interpreter gives.
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        sys.excepthook(type(error), error.with_traceback(tb), tb)
        raise SystemExit(1) from None
    raise SystemExit(0)


def supervise(conn, listener):
    """In the supervisor: returns (request, fds) only in the forked tool process."""
    listener.close()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the server ignores it; waitpid needs it back
    try:
        request, fds = read_request(conn)
        refused = None
        if startup_environment(request["env"]) != startup_environment(os.environ):
            refused = "the call's start-up environment (PYTHON*, LANG, LC_*) differs from the fork server's"
    except (OSError, ValueError) as error:
        print(f"forkserver: bad request: {error}", file=sys.stderr)
        os._exit(1)
    if refused:
        os.write(fds[2], f"forkserver: {refused}\n".encode())
        conn.sendall(struct.pack(">i", 125 << 8))
        os._exit(0)
    pid = os.fork()
    if pid == 0:
        conn.close()
        return request, fds
    for fd in fds:
        os.close(fd)  # only the tool holds the call's pipes: the caller sees their end with it
    pidfd = os.pidfd_open(pid)
    import selectors  # here: the tool process does not need it

    with selectors.DefaultSelector() as selector:
        selector.register(conn, selectors.EVENT_READ)
        selector.register(pidfd, selectors.EVENT_READ)
        while True:
            ready = {key.fileobj for key, _ in selector.select()}
            if pidfd in ready:
                _, status = os.waitpid(pid, 0)
                try:
                    conn.sendall(struct.pack(">i", status))
                except OSError:
                    pass
                os._exit(0)
            try:
                data = conn.recv(64)
            except OSError:
                data = b""
            if not data:
                # The caller is gone (killed): so is the call, as with a process killed outright.
                os.kill(pid, signal.SIGKILL)
                selector.unregister(conn)
                continue
            for signum in data:
                try:
                    os.kill(pid, signum)
                except OSError:
                    pass  # already gone, or not a signal: as kill(1) would fail


def serve(path):
    """Accepts calls for good; returns (request, fds) only in a forked tool process."""
    # Supervisors are reaped by the kernel: the server never waits for one.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    os.write(1, b"forkserver ready\n")
    while True:
        conn, _ = listener.accept()
        if os.fork() == 0:
            return supervise(conn, listener)
        conn.close()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: python forkserver.py SOCKET", file=sys.stderr)
        sys.exit(2)
    preload()
    # What the imports made lives as long as the process: kept out of the collector's sight
    # (gc.freeze), a fork's collections do not touch, and so copy, every page of it (about 10 ms of
    # CPU per call). Objects a call makes are collected as in a fresh process.
    gc.freeze()
    call = serve(sys.argv[1])
    run_tool(*call)
