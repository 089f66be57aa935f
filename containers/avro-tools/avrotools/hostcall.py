"""`python3 -m avrotools.hostcall SOCKET TOOL ARGUMENTS...`: one call in the tool host, standing in for
`java -jar avro-tools.jar TOOL ARGUMENTS...` where the driver starts a program per case (rpcreceive
behind the relay): the call's stdout and stderr pass through as they come, the exit status is the
tool's, and SIGTERM (the process ends, its connection closes) abandons the call in the host.
"""

import os
import sys

from .toolhost import Lost, Refused, relay


def _writer(fd):
    def write(data):
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    return write


def main(argv):
    if len(argv) < 2:
        print("usage: python3 -m avrotools.hostcall SOCKET TOOL [ARGUMENTS...]", file=sys.stderr)
        return 2
    try:
        return relay(argv[0], argv[1:], _writer(1), _writer(2))
    except (Refused, Lost, OSError) as error:
        print(f"hostcall: the avro-tools host gave no exit status: {type(error).__name__}: {error}", file=sys.stderr)
        return 125


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
