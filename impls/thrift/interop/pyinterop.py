"""Drives Python's own thrift library (PyPI thrift 0.25.0) against our TypeScript implementation.

  server --transport T --protocol P [--socket tcp|tls|unix] [--server-kind simple|threaded|http]
         [--port N] [--path SOCK] [--cert C --key K]
  client --transport T --protocol P [--socket ...] [--port N] [--path SOCK] [--ca CA] --cases FILE --ids a,b,c

The server serves the conformance semantics (suites/thrift/data/README.md) with a processor over
the classes of conformance_spec.py (written by python-spec.ts); the client runs the named cases
and prints one line per case: "ok <id>" or "not ok <id> # <reason>".
"""
import argparse
import json
import logging
import math
import socket
import ssl
import struct
import sys
import time
import uuid

from thrift.Thrift import TApplicationException, TMessageType, TType
from thrift.protocol import TBinaryProtocol, TCompactProtocol, TJSONProtocol, TMultiplexedProtocol
from thrift.protocol.THeaderProtocol import THeaderProtocol, THeaderProtocolFactory
from thrift.server import THttpServer, TServer
from thrift.TMultiplexedProcessor import TMultiplexedProcessor
from thrift.transport import THttpClient, TSocket, TSSLSocket, TTransport
from thrift.transport.THeaderTransport import THeaderClientType, THeaderSubprotocolID, THeaderTransformID
from thrift.transport.TZlibTransport import TZlibTransport

import conformance_spec as spec

logging.basicConfig(level=logging.ERROR)
D = spec.DESCRIPTION
C = spec.CLASSES

# ---- value notation -----------------------------------------------------------------------------


def expand_bytes(v):
    if '$hex' in v:
        return bytes.fromhex(v['$hex'])
    if '$range' in v:
        lo, hi = v['$range']
        return bytes(range(lo, hi + 1))
    return bytes.fromhex(v['$repeat']['hex'] * v['$repeat']['count'])


def expand_text(v):
    if isinstance(v, str):
        return v
    t = v['$text']
    return t.get('prefix', '') + t['repeat'] * t['count']


DOUBLES = {'NaN': math.nan, 'Infinity': math.inf, '-Infinity': -math.inf, '-0.0': -0.0}


def unset_instance(cls):
    obj = cls()
    for f in cls.thrift_spec:
        if f is not None:
            setattr(obj, f[2], None)
    return obj


def to_py(t, v):
    if v is None:
        return None
    kind = t[0]
    if kind in ('bool', 'i8', 'i16', 'i32'):
        return v
    if kind == 'i64':
        return int(v)
    if kind == 'double':
        return DOUBLES[v] if isinstance(v, str) else float(v)
    if kind == 'string':
        return expand_text(v)
    if kind == 'binary':
        return expand_bytes(v)
    if kind == 'uuid':
        return uuid.UUID(v)
    if kind == 'enum':
        return D['enums'][t[1]][v]
    if kind == 'struct':
        name, fields = t[1], v
        if '$as' in v:
            name, fields = v['$as'], v['value']
        cls = C[name]
        obj = unset_instance(cls)
        types = {f[1]: f[2] for f in D['structs'][name]['fields']}
        for key, value in fields.items():
            setattr(obj, key, to_py(types[key], value))
        return obj
    if kind == 'list':
        return [to_py(t[1], x) for x in v]
    if kind == 'set':
        return set(to_py(t[1], x) for x in v)
    if kind == 'map':
        return dict((to_py(t[1], k), to_py(t[2], x)) for k, x in v)
    raise ValueError('unknown type %r' % (t,))


def sort_key(x):
    return json.dumps(x, sort_keys=True)


def canonical(t, v):
    if v is None or t is None:
        return None
    kind = t[0]
    if kind == 'i64':
        return str(v)
    if kind == 'double':
        if math.isnan(v):
            return 'NaN'
        if math.isinf(v):
            return 'Infinity' if v > 0 else '-Infinity'
        if v == 0 and math.copysign(1, v) < 0:
            return '-0.0'
        return int(v) if v == int(v) and abs(v) < 2 ** 53 else v
    if kind == 'binary':
        return {'$hex': bytes(v).hex()}
    if kind == 'uuid':
        return str(v)
    if kind == 'enum':
        for name, value in D['enums'][t[1]].items():
            if value == v:
                return name
        return {'$unknownEnumValue': v}
    if kind == 'struct':
        out = {}
        for _fid, name, ft in D['structs'][t[1]]['fields']:
            value = getattr(v, name, None)
            if value is not None:
                out[name] = canonical(ft, value)
        return out
    if kind == 'list':
        return [canonical(t[1], x) for x in v]
    if kind == 'set':
        return sorted((canonical(t[1], x) for x in v), key=sort_key)
    if kind == 'map':
        return sorted(([canonical(t[1], k), canonical(t[2], x)] for k, x in v.items()), key=lambda p: sort_key(p[0]))
    return v


def canonical_notation(t, v):
    return canonical(t, to_py(t, v))

# ---- protocols and transports -------------------------------------------------------------------


def base_protocol(name, trans):
    if name in ('binary',):
        return TBinaryProtocol.TBinaryProtocol(trans)
    if name == 'accel-binary':
        return TBinaryProtocol.TBinaryProtocolAccelerated(trans)
    if name == 'compact':
        return TCompactProtocol.TCompactProtocol(trans)
    if name == 'json':
        return TJSONProtocol.TJSONProtocol(trans)
    raise ValueError('protocol ' + name)


def plan(protocol):
    """(request protocol, response protocol, multiplexed, default service)"""
    if protocol.startswith('multiplexed-'):
        p = protocol[len('multiplexed-'):]
        return p, p, True, False
    if protocol.startswith('default-service-'):
        p = protocol[len('default-service-'):]
        return p, p, True, True
    if protocol.startswith('mixed-'):
        _, a, b = protocol.split('-')
        return a, b, False, False
    return protocol, protocol, False, False


class FactoryOf(object):
    def __init__(self, make):
        self.make = make

    def getProtocol(self, trans):
        return self.make(trans)

    def getTransport(self, trans):
        return self.make(trans)


class HeaderFactory(THeaderProtocolFactory):
    """A header server that writes its answers with the zlib transform (header-zlib)."""

    def __init__(self, zlib):
        THeaderProtocolFactory.__init__(self, allowed_client_types=(THeaderClientType.HEADERS,))
        self.zlib = zlib

    def getProtocol(self, trans):
        p = THeaderProtocolFactory.getProtocol(self, trans)
        if self.zlib:
            p.add_transform(THeaderTransformID.ZLIB)
        return p

# ---- the server ---------------------------------------------------------------------------------


class Handler(object):
    def __init__(self):
        self.last_note = ''

    def __getattr__(self, name):
        if name.startswith('echo') and name not in ('echoEvolving',):
            return lambda value: value
        raise AttributeError(name)

    def ping(self):
        return None

    def gather(self, small, flag, tiny, medium, large, real, text, blob, color):
        return C['Scalars'](flag=flag, tiny=tiny, small=small, medium=medium, large=large, real=real, text=text, blob=blob, color=color)

    def add(self, a, b):
        s = (a + b) & 0xFFFFFFFFFFFFFFFF
        return s - (1 << 64) if s >= (1 << 63) else s

    def fail(self, kind, code, reason):
        if kind == 'conformance':
            raise C['ConformanceError'](code=code, reason=reason)
        if kind == 'other':
            raise C['OtherError'](detail=reason, trail=[code], where=None)

    def failUndeclared(self, reason):
        raise RuntimeError('undeclared failure: ' + reason)

    def notify(self, note):
        self.last_note = note

    def lastNote(self):
        return self.last_note

    def echoEvolving(self, value):
        return C['Evolving'](id=value.id)

    def evolvedAnswer(self, id):
        return to_py(['struct', 'EvolvingV2'], {
            'id': id, 'flag': True, 'tiny': -128, 'small': 32767, 'medium': -2147483648, 'large': '9223372036854775807',
            'real': 0.25, 'text': 'v2 \u2713', 'blob': {'$hex': '00ff80'}, 'tag': '00112233-4455-6677-8899-aabbccddeeff',
            'color': 'ULTRAVIOLET', 'point': {'x': -1, 'y': 1}, 'choice': {'words': ['a', 'b']},
            'tags': ['ffffffff-ffff-ffff-ffff-ffffffffffff'], 'names': ['x'], 'byId': [['-1', {'x': 0, 'y': 0}]],
            'nested': [[], [1, 2]], 'nothing': {}, 'blobsByTag': [['01234567-89ab-cdef-0123-456789abcdef', [{'$hex': ''}, {'$hex': 'ff'}]]]})

    def failApplication(self, type, message):
        raise TApplicationException(type, message)

    def failOneway(self, reason):
        raise RuntimeError('one-way failure: ' + reason)


class SecondaryHandler(object):
    def echoString(self, value):
        return 'secondary:' + value


class Processor(object):
    """What a generated Processor does, over the spec classes."""

    def __init__(self, service, handler):
        self.service = service
        self.handler = handler
        self._on_begin = None

    def on_message_begin(self, func):
        self._on_begin = func

    def process(self, iprot, oprot):
        name, mtype, seqid = iprot.readMessageBegin()
        if self._on_begin:
            self._on_begin(name, mtype, seqid)
        desc = D['services'][self.service].get(name)
        if desc is None:
            iprot.skip(TType.STRUCT)
            iprot.readMessageEnd()
            x = TApplicationException(TApplicationException.UNKNOWN_METHOD, 'Unknown function %s' % name)
            oprot.writeMessageBegin(name, TMessageType.EXCEPTION, seqid)
            x.write(oprot)
            oprot.writeMessageEnd()
            oprot.trans.flush()
            return
        args = C['%s_%s_args' % (self.service, name)]()
        args.read(iprot)
        iprot.readMessageEnd()
        result = C['%s_%s_result' % (self.service, name)]()
        msg_type = TMessageType.REPLY
        try:
            value = getattr(self.handler, name)(*[getattr(args, a[1]) for a in desc['args']])
            if desc['returns'] is not None:
                result.success = value
        except TApplicationException as e:
            logging.info('application exception in handler')
            msg_type, result = TMessageType.EXCEPTION, e
        except Exception as e:
            for _fid, fname, cls in desc['throws']:
                if isinstance(e, C[cls]):
                    setattr(result, fname, e)
                    break
            else:
                if desc['oneway']:
                    logging.info('one-way failed: %s', e)
                    return
                msg_type, result = TMessageType.EXCEPTION, TApplicationException(TApplicationException.INTERNAL_ERROR, 'Internal error')
        if desc['oneway']:
            return
        oprot.writeMessageBegin(name, msg_type, seqid)
        result.write(oprot)
        oprot.writeMessageEnd()
        oprot.trans.flush()


def run_server(a):
    request, response, multiplexed, default = plan(a.protocol)
    conformance = Processor('Conformance', Handler())
    processor = conformance
    if multiplexed:
        processor = TMultiplexedProcessor()
        processor.registerProcessor('Conformance', conformance)
        processor.registerProcessor('Secondary', Processor('Secondary', SecondaryHandler()))
        if default:
            processor.registerDefault(conformance)
    if a.transport.startswith('header'):
        ipf = opf = HeaderFactory(a.transport == 'header-zlib')
    else:
        ipf = FactoryOf(lambda t: base_protocol(request, t))
        opf = FactoryOf(lambda t: base_protocol(response, t))
    if a.transport == 'http':
        kwargs = {'cert_file': a.cert, 'key_file': a.key} if a.socket == 'tls' else {}
        server = THttpServer.THttpServer(processor, ('127.0.0.1', a.port), ipf, opf, **kwargs)
        server.serve()
        return
    if a.socket == 'unix':
        sock = TSocket.TServerSocket(unix_socket=a.path)
    elif a.socket == 'tls':
        # TSSLServerSocket(certfile=, keyfile=) alone fails in 0.25 on Python 3.11 ("ca_certs is needed
        # when cert_reqs is not ssl.CERT_NONE": its default context is PROTOCOL_TLS_CLIENT): give a server context.
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(a.cert, a.key)
        sock = TSSLSocket.TSSLServerSocket(host='127.0.0.1', port=a.port, ssl_context=context)
    else:
        sock = TSocket.TServerSocket(host='127.0.0.1', port=a.port)
    tf = {
        'buffered': TTransport.TBufferedTransportFactory(),
        'framed': TTransport.TFramedTransportFactory(),
        'zlib': FactoryOf(lambda t: TZlibTransport(t)),
        'header': TTransport.TTransportFactoryBase(),
        'header-zlib': TTransport.TTransportFactoryBase(),
    }[a.transport]
    kind = TServer.TThreadedServer if a.server_kind == 'threaded' else TServer.TSimpleServer
    server = kind(processor, sock, tf, tf, ipf, opf)
    if kind is TServer.TThreadedServer:
        server.daemon = True
    server.serve()

# ---- the client ---------------------------------------------------------------------------------


class Connection(object):
    def __init__(self, a, write_protocol=None, timeout=10.0):
        request, response, multiplexed, _default = plan(a.protocol)
        self.multiplexed = multiplexed
        if a.transport == 'http':
            scheme = 'https' if a.socket == 'tls' else 'http'
            # THttpClient(uri, cafile=CA) alone fails (it calls load_cert_chain(None)): give a context.
            context = ssl.create_default_context(cafile=a.ca) if a.socket == 'tls' else None
            self.trans = THttpClient.THttpClient('%s://127.0.0.1:%d/thrift' % (scheme, a.port), ssl_context=context)
            self.trans.setTimeout(timeout * 1000)
        else:
            if a.socket == 'unix':
                sock = TSocket.TSocket(unix_socket=a.path)
            elif a.socket == 'tls':
                sock = TSSLSocket.TSSLSocket(host='127.0.0.1', port=a.port, ca_certs=a.ca)
            else:
                sock = TSocket.TSocket(host='127.0.0.1', port=a.port)
            sock.setTimeout(timeout * 1000)
            self.sock = sock
            self.trans = {
                'buffered': lambda: TTransport.TBufferedTransport(sock),
                'framed': lambda: TTransport.TFramedTransport(sock),
                'zlib': lambda: TZlibTransport(sock),
                'header': lambda: sock,
                'header-zlib': lambda: sock,
            }[a.transport]()
        if a.transport.startswith('header'):
            pid = THeaderSubprotocolID.COMPACT if request == 'compact' else THeaderSubprotocolID.BINARY
            self.iprot = self.oprot = THeaderProtocol(self.trans, [THeaderClientType.HEADERS], pid)
            if write_protocol:
                raise ValueError('a mismatched protocol under THeader is not run from Python')
            if a.transport == 'header-zlib':
                self.oprot.add_transform(THeaderTransformID.ZLIB)
        else:
            self.oprot = base_protocol(write_protocol or request, self.trans)
            self.iprot = base_protocol(response, self.trans)
        self.trans.open()
        self.seqid = 0

    def close(self):
        self.trans.close()

    def call(self, service, method, args):
        desc = D['services'][service][method]
        oprot = TMultiplexedProtocol.TMultiplexedProtocol(self.oprot, service) if self.multiplexed else self.oprot
        a = unset_instance(C['%s_%s_args' % (service, method)])
        types = {x[1]: x[2] for x in desc['args']}
        for k, v in args.items():
            setattr(a, k, to_py(types[k], v))
        self.seqid += 1
        oprot.writeMessageBegin(method, TMessageType.ONEWAY if desc['oneway'] else TMessageType.CALL, self.seqid)
        a.write(oprot)
        oprot.writeMessageEnd()
        oprot.trans.flush()
        if desc['oneway']:
            return None
        name, mtype, seqid = self.iprot.readMessageBegin()
        if mtype == TMessageType.EXCEPTION:
            x = TApplicationException()
            x.read(self.iprot)
            self.iprot.readMessageEnd()
            raise x
        r = C['%s_%s_result' % (service, method)]()
        r.read(self.iprot)
        self.iprot.readMessageEnd()
        if seqid != self.seqid:
            raise TApplicationException(TApplicationException.BAD_SEQUENCE_ID, 'seqid %d, expected %d' % (seqid, self.seqid))
        if desc['returns'] is not None and r.success is not None:
            return r.success
        for _fid, fname, _cls in desc['throws']:
            if getattr(r, fname) is not None:
                raise getattr(r, fname)
        if desc['returns'] is None:
            return None
        raise TApplicationException(TApplicationException.MISSING_RESULT, method + ' failed: unknown result')


APP_ERRORS = {v: k for k, v in vars(TApplicationException).items() if k.isupper() and isinstance(v, int)}


class Mismatch(Exception):
    pass


def checked_call(conn, spec_):
    service = spec_.get('service', 'Conformance')
    desc = D['services'][service][spec_['method']]
    expect = spec_.get('expect', {})
    try:
        value = conn.call(service, spec_['method'], spec_.get('args', {}))
    except TApplicationException as x:
        actual = APP_ERRORS.get(x.type, x.type)
        want = expect.get('applicationError', {})
        if want.get('type') != actual or ('message' in want and want['message'] != x.message):
            raise Mismatch('expected %s, got TApplicationException %s %r' % (json.dumps(expect), actual, x.message))
        return
    except Exception as e:
        for _fid, _fname, cls in desc['throws']:
            if isinstance(e, C[cls]):
                got = {'type': cls, 'value': canonical(['struct', cls], e)}
                want = expect.get('exception')
                if not want or {'type': want['type'], 'value': canonical_notation(['struct', want['type']], want['value'])} != got:
                    raise Mismatch('expected %s, got %s' % (json.dumps(expect), json.dumps(got)))
                return
        raise
    if desc['oneway']:
        return
    if 'response' not in expect:
        raise Mismatch('expected %s, got an answer' % json.dumps(expect))
    got = canonical(desc['returns'], value)
    want = canonical_notation(desc['returns'], expect['response']) if desc['returns'] else None
    if got != want:
        raise Mismatch('answer differs: expected %s, got %s' % (json.dumps(want)[:300], json.dumps(got)[:300]))


def raw_message(proto, name, mtype, seqid):
    t = TTransport.TMemoryBuffer()
    p = base_protocol(proto, t)
    p.writeMessageBegin(name, mtype, seqid)
    p.writeStructBegin('args')
    p.writeFieldStop()
    p.writeStructEnd()
    p.writeMessageEnd()
    return t.getvalue()


def fresh_ping(a):
    c = Connection(a)
    try:
        checked_call(c, {'method': 'ping', 'expect': {'response': None}})
    finally:
        c.close()


def run_case(a, case):
    kind = case['kind']
    request, response, multiplexed, _default = plan(a.protocol)
    if kind == 'call':
        c = Connection(a)
        try:
            checked_call(c, case)
        finally:
            c.close()
    elif kind == 'oneway':
        c = Connection(a)
        try:
            checked_call(c, case)
            checked_call(c, case['then'])
        finally:
            c.close()
    elif kind == 'sequence':
        c = Connection(a)
        try:
            for call in case['calls']:
                checked_call(c, call)
        finally:
            c.close()
    elif kind in ('unknown-method', 'seqid-echo'):
        c = Connection(a)
        try:
            seqids = case.get('seqids', [1])
            for seqid in seqids:
                name = case.get('method', 'noSuchMethod') if kind == 'unknown-method' else 'ping'
                if multiplexed:
                    name = 'Conformance:' + name
                c.oprot.writeMessageBegin(name, TMessageType.CALL, seqid)
                c.oprot.writeStructBegin('args')
                c.oprot.writeFieldStop()
                c.oprot.writeStructEnd()
                c.oprot.writeMessageEnd()
                c.oprot.trans.flush()
                rname, mtype, rseqid = c.iprot.readMessageBegin()
                if mtype == TMessageType.EXCEPTION:
                    x = TApplicationException()
                    x.read(c.iprot)
                    got = APP_ERRORS.get(x.type, x.type)
                else:
                    c.iprot.skip(TType.STRUCT)
                    got = 'REPLY'
                c.iprot.readMessageEnd()
                want = case['expect']['applicationError']['type'] if kind == 'unknown-method' else 'REPLY'
                if got != want or rseqid != seqid:
                    raise Mismatch('expected %s seqid %d, got %s seqid %d' % (want, seqid, got, rseqid))
        finally:
            c.close()
        if kind == 'unknown-method':
            c = Connection(a)
            try:
                checked_call(c, case['then'])
            finally:
                c.close()
    elif kind == 'mismatched-protocol':
        c = Connection(a, write_protocol=case['writes'], timeout=case.get('withinSeconds', 5))
        started = time.time()
        try:
            c.call('Conformance', case['method'], case.get('args', {}))
            raise Mismatch('the server answered a request in the wrong protocol')
        except Mismatch:
            raise
        except socket.timeout:
            raise Mismatch('no error within %s s' % case.get('withinSeconds', 5))
        except Exception as e:
            if time.time() - started > case.get('withinSeconds', 5):
                raise Mismatch('the error came late: %s' % e)
        finally:
            c.close()
        fresh_ping(a)
    elif kind == 'raw':
        send = case['send']
        if 'truncatedCall' in send:
            t = TTransport.TMemoryBuffer()
            p = base_protocol(request, t)
            if multiplexed:
                p = TMultiplexedProtocol.TMultiplexedProtocol(p, 'Conformance')
            tc = send['truncatedCall']
            desc = D['services']['Conformance'][tc['method']]
            args = unset_instance(C['Conformance_%s_args' % tc['method']])
            types = {x[1]: x[2] for x in desc['args']}
            for k, v in tc['args'].items():
                setattr(args, k, to_py(types[k], v))
            p.writeMessageBegin(tc['method'], TMessageType.CALL, 1)
            args.write(p)
            p.writeMessageEnd()
            payload = t.getvalue()[:tc['keepBytes']]
        else:
            payload = bytes.fromhex(send['$hex'])
        if a.transport == 'framed':
            payload = struct.pack('!i', case.get('frameLength', len(payload))) + payload
        s = socket.socket(socket.AF_UNIX if a.socket == 'unix' else socket.AF_INET)
        s.settimeout(case.get('withinSeconds', 5))
        s.connect(a.path if a.socket == 'unix' else ('127.0.0.1', a.port))
        s.sendall(payload)
        if case.get('halfClose'):
            s.shutdown(socket.SHUT_WR)
        try:
            while s.recv(65536):
                pass
        except socket.timeout:
            raise Mismatch('the server kept the connection open after bad input')
        except ConnectionResetError:
            pass
        finally:
            s.close()
        fresh_ping(a)
    else:
        raise Mismatch('case kind %s is not run by this harness' % kind)


def run_client(a):
    cases = {c['id']: c for c in json.load(open(a.cases))['cases']}
    for cid in a.ids.split(','):
        try:
            run_case(a, cases[cid])
            print('ok %s' % cid, flush=True)
        except Exception as e:
            print('not ok %s # %s: %s' % (cid, type(e).__name__, str(e).replace('\n', ' ')[:400]), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('role', choices=['server', 'client'])
    p.add_argument('--transport', required=True)
    p.add_argument('--protocol', required=True)
    p.add_argument('--socket', default='tcp')
    p.add_argument('--server-kind', default='simple')
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--path')
    p.add_argument('--cert')
    p.add_argument('--key')
    p.add_argument('--ca')
    p.add_argument('--cases')
    p.add_argument('--ids', default='')
    a = p.parse_args()
    if a.role == 'server':
        run_server(a)
    else:
        run_client(a)


if __name__ == '__main__':
    main()
