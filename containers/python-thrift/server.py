"""`server --plan FILE`: every listener of the plan in this one process, each in its own thread
with its own handler state. Prints `FAILED <key> <reason>` for a listener that cannot start and
`READY` once all the others listen; every stderr line is prefixed `[<key>] `."""
import http.server
import io
import logging
import signal
import socket
import sys
import threading

from thrift.TMultiplexedProcessor import TMultiplexedProcessor
from thrift.server import THttpServer, TNonblockingServer, TServer

from service import processors
from wiring import (ProtocolAxis, Unsupported, server_protocol_factories, server_socket,
                    server_transport_factory)

LISTEN_TIMEOUT_SECONDS = 20


class KeyedStderr(io.TextIOBase):
    """stderr whose every line starts with the key of the listener whose thread wrote it.

    Listener threads are registered when they start; the library's own threads (a connection
    thread of TThreadedServer, a worker of TNonblockingServer) when they first call a processor,
    which is before they can log anything about a request."""

    def __init__(self, stream):
        self.stream = stream
        self.keys = {}
        self.partial = {}
        self.lock = threading.Lock()

    def register(self, key):
        self.keys[threading.get_ident()] = key

    def writable(self):
        return True

    def write(self, text):
        ident = threading.get_ident()
        key = self.keys.get(ident, '-')
        with self.lock:
            *lines, rest = (self.partial.pop(ident, '') + text).split('\n')
            if rest:
                self.partial[ident] = rest
            for line in lines:
                self.stream.write(f'[{key}] {line}\n')
            self.stream.flush()
        return len(text)

    def flush(self):
        self.stream.flush()


def no_delay(sock):
    """TCP_NODELAY on an accepted TCP (or TLS) socket; a Unix socket has no Nagle."""
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHTTPServer(http.server.HTTPServer):
    """THttpServer's default server class, answering without Nagle's delay (README)."""

    def get_request(self):
        sock, address = super().get_request()
        no_delay(sock)
        return sock, address


class Listener:
    def __init__(self, entry, idl, stderr):
        self.entry = entry
        self.key = entry['key']
        self.idl = idl
        self.stderr = stderr
        self.listening = threading.Event()
        self.failure = None

    def fail(self, reason):
        self.failure = reason
        self.listening.set()

    def processor(self):
        conformance, secondary = processors(self.idl, on_process=lambda: self.stderr.register(self.key))
        axis = ProtocolAxis(self.entry['protocol'])
        if not axis.server_multiplexed:
            return conformance
        processor = TMultiplexedProcessor()
        processor.registerProcessor('Conformance', conformance)
        processor.registerProcessor('Secondary', secondary)
        if axis.default_service:
            # Plain (non-multiplexed) calls go to Conformance.
            processor.registerDefault(conformance)
        return processor

    def announcing(self, base):
        """`base` (a server socket class) that tells this listener when it listens, and answers
        without Nagle's delay (README, "TCP_NODELAY")."""
        listener = self

        class Announcing(base):
            def listen(self):
                super().listen()
                listener.listening.set()

            def accept(self):
                client = super().accept()
                if client is not None:
                    no_delay(client.handle)
                return client
        return Announcing

    def build(self):
        entry = self.entry
        kind, transport = entry['serverKind'], entry['transport']
        axis = ProtocolAxis(entry['protocol'])
        processor = self.processor()
        if kind == 'http':
            if transport != 'http':
                raise Unsupported('server kind http serves transport http only')
            return self.http_server(processor, axis)
        if transport == 'http':
            raise Unsupported('transport http needs server kind http')
        input_protocol, output_protocol = server_protocol_factories(transport, axis)
        sock = server_socket(entry, self.announcing)
        if kind == 'nonblocking':
            # TNonblockingServer reads frames itself: framed transport only.
            if transport != 'framed':
                raise Unsupported('server kind nonblocking serves transport framed only')
            return TNonblockingServer.TNonblockingServer(processor, sock, input_protocol, output_protocol)
        transports = server_transport_factory(transport)
        if kind == 'simple':
            return TServer.TSimpleServer(processor, sock, transports, transports, input_protocol, output_protocol)
        if kind == 'threaded':
            return TServer.TThreadedServer(processor, sock, transports, transports, input_protocol,
                                           output_protocol, daemon=True)
        raise Unsupported(f'unknown server kind {kind}')

    def http_server(self, processor, axis):
        entry = self.entry
        socket_kind = entry.get('socket', 'tcp')
        options = {}
        if socket_kind == 'tls':
            # No cafile: with one, THttpServer would require client certificates.
            options = {'cert_file': entry['tls']['cert'], 'key_file': entry['tls']['key']}
        elif socket_kind != 'tcp':
            raise Unsupported(f'http over {socket_kind} is not offered')
        # THttpServer answers a POST on any path (the clients use /thrift); it listens once
        # constructed.
        return THttpServer.THttpServer(processor, (entry['host'], entry['port']),
                                       *server_protocol_factories('http', axis),
                                       server_class=NoDelayHTTPServer, **options)

    def run(self):
        self.stderr.register(self.key)
        try:
            server = self.build()
            if isinstance(server, THttpServer.THttpServer):
                self.listening.set()
            elif isinstance(server, TNonblockingServer.TNonblockingServer):
                server.prepare()
            server.serve()
            raise RuntimeError('the server stopped serving')
        except Exception as error:
            logging.getLogger('peer.server').exception('listener %s stopped', self.key)
            if not self.listening.is_set():
                self.fail(' '.join(f'{type(error).__name__}: {error}'.split()))


def serve(plan, idl):
    stderr = KeyedStderr(sys.stderr)
    sys.stderr = stderr
    logging.basicConfig(stream=stderr, level=logging.INFO, format='%(levelname)s %(name)s: %(message)s', force=True)
    listeners = [Listener(entry, idl, stderr) for entry in plan['listeners']]
    for listener in listeners:
        threading.Thread(target=listener.run, name=listener.key, daemon=True).start()
    for listener in listeners:
        if not listener.listening.wait(LISTEN_TIMEOUT_SECONDS):
            listener.fail(f'not listening after {LISTEN_TIMEOUT_SECONDS} s')
        if listener.failure is not None:
            print(f'FAILED {listener.key} {listener.failure}', flush=True)
    print('READY', flush=True)
    while True:
        signal.pause()
