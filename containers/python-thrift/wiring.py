"""The matrix axis words (suites/thrift/data/README.md) as thrift library objects, for both roles.

Everything here is the released `thrift` package used the documented way; the only class of our
own is the header protocol factory that adds the zlib transform to a server's answers (the
library's THeaderTransport writes only the transforms it was told to add).
"""
import socket
import ssl

from thrift.protocol import TBinaryProtocol, TCompactProtocol, TJSONProtocol, TMultiplexedProtocol
from thrift.protocol.THeaderProtocol import THeaderProtocol, THeaderProtocolFactory
from thrift.transport import THttpClient, TSocket, TSSLSocket, TTransport, TZlibTransport
from thrift.transport.THeaderTransport import (THeaderClientType, THeaderSubprotocolID, THeaderTransformID,
                                              THeaderTransport)

HTTP_PATH = '/thrift'
SOCKET_TRANSPORTS = ('buffered', 'framed', 'zlib')
HEADER_TRANSPORTS = ('header', 'header-zlib')
HEADER_PROTOCOLS = {'binary': THeaderSubprotocolID.BINARY, 'compact': THeaderSubprotocolID.COMPACT}


class Unsupported(Exception):
    """An axis combination this peer does not offer."""


# ---- protocols ----------------------------------------------------------------------------------

def protocol_factory(name):
    """A plain protocol factory by its axis word."""
    if name == 'binary':
        return TBinaryProtocol.TBinaryProtocolFactory()
    if name == 'accel-binary':
        # TBinaryProtocolAcceleratedFactory silently falls back to pure Python when the C module
        # is missing; the image build imports it, and so do we, so a cell never lies about "accel".
        from thrift.protocol import fastbinary  # noqa: F401
        return TBinaryProtocol.TBinaryProtocolAcceleratedFactory()
    if name == 'compact':
        return TCompactProtocol.TCompactProtocolFactory()
    if name == 'json':
        return TJSONProtocol.TJSONProtocolFactory()
    raise Unsupported(f'unknown protocol {name}')


class ProtocolAxis:
    """What a protocol axis word means: the request and answer protocols and the service routing.

    `multiplexed`: the client names the service in every message and the server routes by it;
    `default_service`: the server is multiplexed with Conformance as its default service and the
    client is a plain one."""

    def __init__(self, word):
        self.word = word
        self.multiplexed = self.default_service = False
        if word.startswith('multiplexed-'):
            self.request = self.response = word[len('multiplexed-'):]
            self.multiplexed = True
        elif word.startswith('default-service-'):
            self.request = self.response = word[len('default-service-'):]
            self.default_service = True
        elif word.startswith('mixed-'):
            _, self.request, self.response = word.split('-')
        else:
            self.request = self.response = word
        for name in (self.request, self.response):
            protocol_factory(name)

    @property
    def server_multiplexed(self):
        return self.multiplexed or self.default_service


def header_protocol_id(axis):
    if axis.word not in HEADER_PROTOCOLS:
        raise Unsupported(f'the header transports carry binary or compact, not {axis.word}')
    return HEADER_PROTOCOLS[axis.word]


class ZlibHeaderProtocolFactory(THeaderProtocolFactory):
    """A header server protocol that compresses its answers with zlib, as header-zlib requires."""

    def getProtocol(self, trans):
        protocol = super().getProtocol(trans)
        protocol.add_transform(THeaderTransformID.ZLIB)
        return protocol


def server_protocol_factories(transport, axis):
    """(input, output) protocol factories of a server."""
    if transport in HEADER_TRANSPORTS:
        factory_class = ZlibHeaderProtocolFactory if transport == 'header-zlib' else THeaderProtocolFactory
        factory = factory_class(allowed_client_types=(THeaderClientType.HEADERS,),
                                default_protocol=header_protocol_id(axis))
        return factory, factory
    return protocol_factory(axis.request), protocol_factory(axis.response)


def server_transport_factory(transport):
    if transport == 'buffered':
        return TTransport.TBufferedTransportFactory()
    if transport == 'framed':
        return TTransport.TFramedTransportFactory()
    if transport == 'zlib':
        return TZlibTransport.TZlibTransportFactory()
    if transport in HEADER_TRANSPORTS:
        # THeaderProtocol wraps the socket in its own THeaderTransport.
        return TTransport.TTransportFactoryBase()
    raise Unsupported(f'transport {transport} is not a socket transport')


# ---- sockets ------------------------------------------------------------------------------------

def server_socket(entry, socket_class_for):
    """The listening socket of a plan entry. `socket_class_for(base)` lets the caller subclass it."""
    kind = entry.get('socket', 'tcp')
    if kind == 'tcp':
        return socket_class_for(TSocket.TServerSocket)(host=entry['host'], port=entry['port'])
    if kind == 'unix':
        return socket_class_for(TSocket.TServerSocket)(unix_socket=entry['path'])
    if kind == 'tls':
        tls = entry['tls']
        # The server does not ask for client certificates (cert_reqs stays CERT_NONE). The
        # protocol is named because the library's default is PROTOCOL_TLS_CLIENT from 0.22 on,
        # which cannot make server sockets.
        return socket_class_for(TSSLSocket.TSSLServerSocket)(
            host=entry['host'], port=entry['port'], certfile=tls['cert'], keyfile=tls['key'],
            ssl_version=ssl.PROTOCOL_TLS_SERVER)
    raise Unsupported(f'unknown socket {kind}')


def client_socket(cell, timeout_seconds):
    kind = cell.get('socket', 'tcp')
    if kind == 'tcp':
        sock = TSocket.TSocket(cell['host'], cell['port'])
    elif kind == 'unix':
        sock = TSocket.TSocket(unix_socket=cell['path'])
    elif kind == 'tls':
        # Verifies the server against the plan's CA (and its name, 127.0.0.1).
        sock = TSSLSocket.TSSLSocket(cell['host'], cell['port'], ca_certs=cell['tls']['ca'],
                                     cert_reqs=ssl.CERT_REQUIRED)
    else:
        raise Unsupported(f'unknown socket {kind}')
    sock.setTimeout(timeout_seconds * 1000)
    return sock


def raw_socket(cell, timeout_seconds):
    """A plain socket of the cell's kind, for writing bytes the library would not write."""
    kind = cell.get('socket', 'tcp')
    if kind == 'unix':
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout_seconds)
        sock.connect(cell['path'])
        return sock
    sock = socket.create_connection((cell['host'], cell['port']), timeout=timeout_seconds)
    if kind == 'tls':
        context = ssl.create_default_context(cafile=cell['tls']['ca'])
        sock = context.wrap_socket(sock, server_hostname=cell['host'])
    return sock


# ---- client connections -------------------------------------------------------------------------

class Connection:
    """One client connection with the cell's transport and protocols.

    `request_protocol` overrides the protocol the requests are written in (mismatched-protocol)."""

    def __init__(self, cell, timeout_seconds, request_protocol=None):
        axis = ProtocolAxis(cell['protocol'])
        self.multiplexed = axis.multiplexed
        transport = cell['transport']
        if transport == 'http':
            self.trans = self._http(cell, timeout_seconds)
        elif transport in SOCKET_TRANSPORTS or transport in HEADER_TRANSPORTS:
            sock = client_socket(cell, timeout_seconds)
            if transport == 'buffered':
                self.trans = TTransport.TBufferedTransport(sock)
            elif transport == 'framed':
                self.trans = TTransport.TFramedTransport(sock)
            elif transport == 'zlib':
                self.trans = TZlibTransport.TZlibTransport(sock)
            else:
                self.trans = sock
        else:
            raise Unsupported(f'unknown transport {transport}')
        self.trans.open()
        if transport in HEADER_TRANSPORTS:
            # One header transport for both directions: it holds the header state of the exchange.
            header = THeaderTransport(self.trans, (THeaderClientType.HEADERS,), header_protocol_id(axis))
            if transport == 'header-zlib':
                header.add_transform(THeaderTransformID.ZLIB)
            self.iprot = self.oprot = THeaderProtocol(header, (THeaderClientType.HEADERS,))
            if request_protocol:
                # The header keeps naming the cell's protocol while the body is in another one:
                # the server must notice the mismatch, not be told (THeaderProtocol would name
                # the body's protocol in the header, and a header server rightly follows it).
                self.oprot = protocol_factory(request_protocol).getProtocol(header)
        else:
            self.iprot = protocol_factory(axis.response).getProtocol(self.trans)
            self.oprot = protocol_factory(request_protocol or axis.request).getProtocol(self.trans)

    @staticmethod
    def _http(cell, timeout_seconds):
        kind = cell.get('socket', 'tcp')
        if kind == 'tcp':
            trans = THttpClient.THttpClient(f"http://{cell['host']}:{cell['port']}{HTTP_PATH}")
        elif kind == 'tls':
            # ssl_context rather than cafile: from 0.23 on, cafile without a client certificate
            # makes THttpClient call load_cert_chain(None), a TypeError.
            context = ssl.create_default_context(cafile=cell['tls']['ca'])
            trans = THttpClient.THttpClient(f"https://{cell['host']}:{cell['port']}{HTTP_PATH}",
                                            ssl_context=context)
        else:
            raise Unsupported(f'http over {kind} is not offered')
        trans.setTimeout(timeout_seconds * 1000)
        return trans

    def output(self, service):
        """The protocol to write a call to `service` with."""
        if self.multiplexed:
            return TMultiplexedProtocol.TMultiplexedProtocol(self.oprot, service)
        return self.oprot

    def close(self):
        self.trans.close()
