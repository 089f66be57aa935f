"""What a peer supplies: how its program is run for one call, and how its rpcreceive is set up."""

import os
from dataclasses import dataclass

from . import catalogue


class Failure(Exception):
    """A case failed: message, and what was expected against what came (both in the notation)."""

    def __init__(self, message, expected=None, actual=None):
        super().__init__(message)
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True)
class Arrival:
    """What rpcreceive showed of the call it received. problem: the request differs from the case."""

    message: str
    problem: str | None = None


class Program:
    """The adapter interface. uri() gives the program's own URI form for a transport axis word;
    message() the protocol file and message of a case, read with the program's parse_protocol()."""

    name = "program"
    schemes = {}  # transport axis word -> URI scheme the program takes
    # How long a started rpcreceive may take to answer a request it was handed. Past it the relay
    # answers for it (HTTP 504 saying so): a program that never answers (Python's rpcreceive with a
    # chunked body) then costs each case this bound, not the client's whole call timeout.
    answer_seconds = 10
    # The same for a request with a chunked body, where a program may be known never to answer.
    chunked_answer_seconds = 10

    def __init__(self):
        self._protocols = {}

    def parse_protocol(self, path):
        """The protocol in the file at path, as the program's library reads it (with its messages)."""
        raise NotImplementedError

    def protocol(self, name):
        """(absolute path, parsed protocol) of a catalogue protocol, parsed once. Absolute: avro-tools'
        host resolves a relative path against its own directory, not the call's."""
        if name not in self._protocols:
            path = os.path.abspath(catalogue.protocol_path(name))
            self._protocols[name] = (path, self.parse_protocol(path))
        return self._protocols[name]

    def message(self, case, name, side="server"):
        """The protocol file and message a side uses: a client speaks the case's copy, if any."""
        path, protocol = self.protocol(catalogue.client_protocol(case) if side == "client" else case["protocol"])
        message = protocol.messages.get(name)
        if message is None:
            raise Failure(f"protocol {protocol.name} has no message {name!r}")
        return path, message

    def answer_bound(self, chunked):
        return self.chunked_answer_seconds if chunked else self.answer_seconds

    def uri(self, transport, host, port):
        return f"{self.schemes[transport]}://{host}:{port}/"

    # client side: one program run per call; raise Failure when the answer is not the expected one
    def call(self, uri, case, message, request, expect, timeout):
        raise NotImplementedError

    def send_oneway(self, uri, case, message, request, timeout):
        raise NotImplementedError

    def client_skip(self, transport, case):
        """Why the program cannot run this case as a client, or None."""
        return None

    # server side: the argv of one rpcreceive answering this case, listening on `uri` (port 0)
    def receiver(self, uri, case, workdir):
        raise NotImplementedError

    def server_skip(self, transport, case):
        """Why the program cannot serve this case, or None."""
        return None

    def expected_parameters(self, case):
        """The case's parameters in Avro binary (routing only: a request carrying exactly these
        bytes goes to this case's rpcreceive), or None."""
        return None

    def arrival(self, case, stdout, stderr):
        """An Arrival once the backend's output shows that the case's call reached it, else None."""
        raise NotImplementedError
