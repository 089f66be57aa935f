"""Whether a program can no longer answer the request the relay gave it: it is blocked reading the
connection, and nothing is left to read.

The relay sends one whole request and then waits for the answer. A program that instead sits in a
read() on that connection, with the kernel's receive queue empty, is waiting for bytes beyond the
request, which no one will send: it will never answer (Python's rpcreceive reading a chunked body as
Avro frames does exactly this, known-failures.json). Seeing that state lets the relay say so at once
instead of waiting out its bound. It is an observation, not a guess: the caller asks several times,
with a look for answer bytes in between, before it believes it.

Linux only, from /proc (the program runs in the same container as the relay): /proc/net/tcp* gives
the program's end of the connection (its receive queue and inode), /proc/<pid>/fd which process holds
it, /proc/<pid>/task/<tid>/syscall whether a thread of it is blocked in a read of that descriptor.
Anything unreadable or unknown (another architecture, a program that waits in epoll) answers False:
the relay then waits for its bound as before.
"""

import os
import platform

# Syscall numbers of the calls that read a socket, per architecture (the first argument is the fd).
_READS = {
    "x86_64": {0, 17, 19, 45, 47},  # read, pread64, readv, recvfrom, recvmsg
    "aarch64": {63, 65, 67, 207, 212},  # read, readv, pread64, recvfrom, recvmsg
}.get(platform.machine(), set())


def _program_end(program_port, relay_port):
    """(receive queue bytes, socket inode) of the program's end of the relay's connection, or None."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) < 10:
                continue
            local, remote, queues, inode = fields[1], fields[2], fields[4], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == program_port and int(remote.rsplit(":", 1)[1], 16) == relay_port:
                return int(queues.split(":")[1], 16), inode
    return None


def _holders(inode):
    """(pid, fd) of every descriptor that is this socket."""
    target = f"socket:[{inode}]"
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        directory = f"/proc/{pid}/fd"
        try:
            fds = os.listdir(directory)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"{directory}/{fd}") == target:
                    found.append((pid, int(fd)))
            except OSError:
                continue
    return found


def _blocked_reading(pid, fd):
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/syscall", encoding="ascii") as f:
                fields = f.read().split()
        except OSError:
            continue
        # "running" or "-1 ..." (not in a syscall) read as not blocked.
        if len(fields) >= 2 and fields[0].isdigit() and int(fields[0]) in _READS and int(fields[1], 16) == fd:
            return True
    return False


def reading_past_request(sock):
    """True when the program at the other end of `sock` (a connection from this process to it on
    loopback) is blocked reading its end with nothing left to read."""
    if not _READS:
        return False
    try:
        relay_port = sock.getsockname()[1]
        program_port = sock.getpeername()[1]
    except OSError:
        return False
    end = _program_end(program_port, relay_port)
    if end is None:
        return False
    queued, inode = end
    if queued != 0:
        return False
    return any(_blocked_reading(pid, fd) for pid, fd in _holders(inode))
