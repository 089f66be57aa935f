"""Reference Python Thrift peer for the conformance suite.

    peer.py server --transport T --protocol P --server-kind K --host H --port N
    peer.py client --transport T --protocol P --server-kind K --host H --port N --cases a,b,c

Everything here is the released `thrift` package from PyPI used the documented way; the only code
of our own is the handler (the service semantics of suites/thrift/data/README.md), the case runner
and the value conversion, which reads the compiler's JSON description of the IDL (the generated
Python classes do not say which i32 fields are enums, nor which strings are binary in containers).
"""
import argparse
import json
import math
import socket
import struct
import sys
import time
import traceback

from thrift.Thrift import TApplicationException, TException, TMessageType
from thrift.protocol import TBinaryProtocol, TCompactProtocol, TJSONProtocol, TMultiplexedProtocol
from thrift.server import THttpServer, TNonblockingServer, TServer
from thrift.transport import THttpClient, TSocket, TTransport
from thrift.TMultiplexedProcessor import TMultiplexedProcessor

from conformance import Conformance, Secondary, ttypes

DATA = '/spec/suites/thrift/data'
IDL = '/opt/peer/gen/conformance.json'
HTTP_PATH = '/thrift'
SERVICES = ('Conformance', 'Secondary')


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


# ---- protocols and transports -------------------------------------------------------------------

def protocol_factory(name):
    """A plain protocol factory by axis name (no multiplexing)."""
    if name == 'binary':
        return TBinaryProtocol.TBinaryProtocolFactory()
    if name == 'accel-binary':
        # TBinaryProtocolAccelerated silently falls back to pure Python when the C module is
        # missing; the image build imports it, and so do we, so a cell never lies about "accel".
        from thrift.protocol import fastbinary  # noqa: F401
        return TBinaryProtocol.TBinaryProtocolAcceleratedFactory()
    if name == 'compact':
        return TCompactProtocol.TCompactProtocolFactory()
    if name == 'json':
        return TJSONProtocol.TJSONProtocolFactory()
    raise SystemExit(f'unknown protocol {name}')


def protocol_pair(axis):
    """(request protocol factory, response protocol factory, multiplexed?) for a protocol axis value."""
    if axis == 'multiplexed-binary':
        binary = protocol_factory('binary')
        return binary, binary, True
    if axis.startswith('mixed-'):
        _, request, response = axis.split('-')
        return protocol_factory(request), protocol_factory(response), False
    factory = protocol_factory(axis)
    return factory, factory, False


def transport_factory(name):
    if name == 'buffered':
        return TTransport.TBufferedTransportFactory()
    if name == 'framed':
        return TTransport.TFramedTransportFactory()
    raise SystemExit(f'unknown socket transport {name}')


# ---- the service --------------------------------------------------------------------------------

class Handler:
    """The server semantics of suites/thrift/data/README.md."""

    def __init__(self):
        self.last_note = ''

    def ping(self):
        pass

    def __getattr__(self, name):
        # echo* methods answer their argument unchanged.
        if name.startswith('echo'):
            return lambda value: value
        raise AttributeError(name)

    def gather(self, small, flag, tiny, medium, large, real, text, blob, color):
        return ttypes.Scalars(flag=flag, tiny=tiny, small=small, medium=medium, large=large,
                              real=real, text=text, blob=blob, color=color)

    def add(self, a, b):
        total = (a + b) & 0xFFFFFFFFFFFFFFFF
        return total - (1 << 64) if total >= (1 << 63) else total

    def fail(self, kind, code, reason):
        if kind == 'conformance':
            raise ttypes.ConformanceError(code=code, reason=reason)
        if kind == 'other':
            raise ttypes.OtherError(detail=reason, trail=[code])

    def failUndeclared(self, reason):
        raise RuntimeError(f'undeclared failure: {reason}')

    def notify(self, note):
        self.last_note = note

    def lastNote(self):
        return self.last_note


class SecondaryHandler:
    def echoString(self, value):
        return 'secondary:' + value


class AnnouncingServerSocket(TSocket.TServerSocket):
    """Prints the READY line of the peer contract once the socket listens."""

    def listen(self):
        super().listen()
        print(f'READY port={self.port}', flush=True)


def serve(args):
    request, response, multiplexed = protocol_pair(args.protocol)
    if multiplexed:
        processor = TMultiplexedProcessor()
        processor.registerProcessor('Conformance', Conformance.Processor(Handler()))
        processor.registerProcessor('Secondary', Secondary.Processor(SecondaryHandler()))
    else:
        processor = Conformance.Processor(Handler())

    kind = args.server_kind
    if kind == 'http':
        if args.transport != 'http':
            raise SystemExit('server kind http needs transport http')
        server = THttpServer.THttpServer(processor, (args.host, args.port), request, response)
        print(f'READY port={args.port}', flush=True)
        server.serve()
        return
    if kind == 'nonblocking':
        # TNonblockingServer speaks framed transport only.
        if args.transport != 'framed':
            raise SystemExit('server kind nonblocking needs transport framed')
        server = TNonblockingServer.TNonblockingServer(
            processor, TSocket.TServerSocket(host=args.host, port=args.port), request, response)
        server.prepare()
        print(f'READY port={args.port}', flush=True)
        server.serve()
        return
    transport = transport_factory(args.transport)
    socket_ = AnnouncingServerSocket(host=args.host, port=args.port)
    server_class = {'simple': TServer.TSimpleServer, 'threaded': TServer.TThreadedServer}.get(kind)
    if server_class is None:
        raise SystemExit(f'unknown server kind {kind}')
    if kind == 'threaded':
        server = server_class(processor, socket_, transport, transport, request, response, daemon=True)
    else:
        server = server_class(processor, socket_, transport, transport, request, response)
    server.serve()


# ---- value notation (suites/thrift/data/README.md) ---------------------------------------------

class Idl:
    """Type information from the compiler's JSON description of conformance.thrift."""

    def __init__(self, path):
        with open(path) as f:
            description = json.load(f)
        self.structs = {s['name']: s for s in description['structs']}
        self.enums = {e['name']: {m['name']: m['value'] for m in e['members']} for e in description['enums']}
        self.services = {s['name']: {f['name']: f for f in s['functions']} for s in description['services']}


def field_type(field):
    return field.get('type') or {'typeId': field['typeId']}


def sub_type(t, key):
    return t.get(key + 'Type') or {'typeId': t[key + 'TypeId']}


def expand_bytes(v):
    if '$hex' in v:
        return bytes.fromhex(v['$hex'])
    if '$range' in v:
        lo, hi = v['$range']
        return bytes(range(lo, hi + 1))
    if '$repeat' in v:
        return bytes.fromhex(v['$repeat']['hex']) * v['$repeat']['count']
    raise ValueError(f'bad binary notation {v!r}')


def expand_text(v):
    if isinstance(v, dict) and '$text' in v:
        t = v['$text']
        return t.get('prefix', '') + t['repeat'] * t['count']
    return v


DOUBLES = {'NaN': math.nan, 'Infinity': math.inf, '-Infinity': -math.inf, '-0.0': -0.0}


def to_python(idl, t, v):
    """Notation -> the value the generated Python code takes."""
    tid = t['typeId']
    if v is None:
        return None
    if tid in ('bool', 'i8', 'i16', 'i32'):
        return v
    if tid == 'i64':
        return int(v)
    if tid == 'double':
        return DOUBLES[v] if isinstance(v, str) else float(v)
    if tid == 'string':
        return expand_text(v)
    if tid == 'binary':
        return expand_bytes(v)
    if tid == 'enum':
        return idl.enums[t['class']][v]
    if tid in ('struct', 'union', 'exception'):
        spec = idl.structs[t['class']]
        fields = {f['name']: f for f in spec['fields']}
        unknown = set(v) - set(fields)
        if unknown:
            raise ValueError(f'{t["class"]} has no fields {sorted(unknown)}')
        cls = getattr(ttypes, t['class'])
        # Generated exceptions are immutable: everything goes through the constructor.
        obj = cls(**{name: to_python(idl, field_type(fields[name]), v[name]) for name in v})
        if not spec['isException']:
            # The constructor filled in IDL defaults; the notation says exactly which fields are set.
            for name in fields:
                if name not in v:
                    setattr(obj, name, None)
        return obj
    if tid == 'list':
        return [to_python(idl, sub_type(t, 'elem'), x) for x in v]
    if tid == 'set':
        return {to_python(idl, sub_type(t, 'elem'), x) for x in v}
    if tid == 'map':
        return {to_python(idl, sub_type(t, 'key'), k): to_python(idl, sub_type(t, 'value'), x) for k, x in v}
    raise ValueError(f'unhandled type {tid}')


def canonical(idl, t, v):
    """A Python value -> a plain, order-free, bit-exact form for comparison and for TAP output."""
    tid = t['typeId']
    if v is None:
        return None
    if tid == 'i64':
        return str(v) if abs(v) > 2 ** 53 else v
    if tid == 'double':
        if math.isnan(v):
            return 'NaN'
        if math.isinf(v):
            return 'Infinity' if v > 0 else '-Infinity'
        if v == 0 and math.copysign(1, v) < 0:
            return '-0.0'
        return v
    if tid == 'binary':
        return {'$hex': bytes(v).hex()}
    if tid == 'enum':
        names = {value: name for name, value in idl.enums[t['class']].items()}
        return names.get(v, v)
    if tid in ('struct', 'union', 'exception'):
        spec = idl.structs[t['class']]
        out = {}
        for f in spec['fields']:
            value = getattr(v, f['name'], None)
            if value is not None:
                out[f['name']] = canonical(idl, field_type(f), value)
        return out
    if tid == 'list':
        return [canonical(idl, sub_type(t, 'elem'), x) for x in v]
    if tid == 'set':
        return sorted((canonical(idl, sub_type(t, 'elem'), x) for x in v), key=json.dumps)
    if tid == 'map':
        pairs = [[canonical(idl, sub_type(t, 'key'), k), canonical(idl, sub_type(t, 'value'), x)] for k, x in v.items()]
        return sorted(pairs, key=lambda p: json.dumps(p[0]))
    return v


APP_ERRORS = {name: getattr(TApplicationException, name) for name in dir(TApplicationException)
              if name.isupper() and isinstance(getattr(TApplicationException, name), int)}
APP_ERROR_NAMES = {value: name for name, value in APP_ERRORS.items()}


# ---- the client ---------------------------------------------------------------------------------

class Mismatch(Exception):
    def __init__(self, message, expected=None, actual=None):
        super().__init__(message)
        self.expected = expected
        self.actual = actual


class Peer:
    """One connection to the server under test, with the cell's protocols."""

    def __init__(self, args, request_protocol=None, timeout_seconds=30):
        request, response, self.multiplexed = protocol_pair(args.protocol)
        if request_protocol is not None:
            request = protocol_factory(request_protocol)
        if args.transport == 'http':
            self.trans = THttpClient.THttpClient(f'http://{args.host}:{args.port}{HTTP_PATH}')
            self.trans.setTimeout(timeout_seconds * 1000)
        else:
            sock = TSocket.TSocket(args.host, args.port)
            sock.setTimeout(timeout_seconds * 1000)
            self.trans = transport_factory(args.transport).getTransport(sock)
        self.trans.open()
        self.iprot = response.getProtocol(self.trans)
        self.oprot = request.getProtocol(self.trans)

    def client(self, service='Conformance'):
        module = Conformance if service == 'Conformance' else Secondary
        oprot = self.oprot
        if self.multiplexed:
            oprot = TMultiplexedProtocol.TMultiplexedProtocol(oprot, service)
        return module.Client(self.iprot, oprot)

    def close(self):
        self.trans.close()


class Runner:
    def __init__(self, args, idl):
        self.args = args
        self.idl = idl

    # A call and its expectation, shared by call, oneway, sequence and unknown-method.
    def call(self, peer, spec):
        service = spec.get('service', 'Conformance')
        function = self.idl.services[service][spec['method']]
        args = spec.get('args', {})
        values = {a['name']: to_python(self.idl, field_type(a), args[a['name']])
                  for a in function['arguments'] if a['name'] in args}
        client = peer.client(service)
        try:
            result = getattr(client, spec['method'])(**values)
        except TApplicationException as error:
            self.check_outcome(spec, function, 'applicationError', {'type': APP_ERROR_NAMES.get(error.type, error.type), 'message': error.message})
            return
        except TException as error:
            for declared in function['exceptions']:
                if type(error).__name__ == declared['type']['class']:
                    actual = {'type': declared['type']['class'], 'value': canonical(self.idl, declared['type'], error)}
                    self.check_outcome(spec, function, 'exception', actual)
                    return
            raise
        if function['oneway']:
            return
        returned = {'typeId': 'void'} if function['returnTypeId'] == 'void' else \
            (function.get('returnType') or {'typeId': function['returnTypeId']})
        self.check_outcome(spec, function, 'response', canonical(self.idl, returned, result))

    def check_outcome(self, spec, function, got, actual):
        expect = spec.get('expect', {})
        want = next(iter(expect), None)
        if want != got:
            raise Mismatch(f'expected {want}, got {got}', expect, {got: actual})
        if got == 'response':
            t = {'typeId': 'void'} if function['returnTypeId'] == 'void' else \
                (function.get('returnType') or {'typeId': function['returnTypeId']})
            expected = canonical(self.idl, t, to_python(self.idl, t, expect['response']))
            if expected != actual:
                raise Mismatch('response differs', expected, actual)
        elif got == 'exception':
            t = {'typeId': 'exception', 'class': expect['exception']['type']}
            expected = {'type': expect['exception']['type'],
                        'value': canonical(self.idl, t, to_python(self.idl, t, expect['exception']['value']))}
            if expected != actual:
                raise Mismatch('exception differs', expected, actual)
        elif expect['applicationError']['type'] != actual['type']:
            raise Mismatch('TApplicationException type differs', expect['applicationError'], actual)

    def run(self, case):
        kind = case['kind']
        handler = getattr(self, 'kind_' + kind.replace('-', '_'), None)
        if handler is None:
            raise Mismatch(f'case kind {kind} is not implemented by the Python peer')
        handler(case)

    def kind_call(self, case):
        peer = Peer(self.args)
        try:
            self.call(peer, case)
        finally:
            peer.close()

    def kind_oneway(self, case):
        peer = Peer(self.args)
        try:
            self.call(peer, case)
            self.call(peer, case['then'])
        finally:
            peer.close()

    def kind_sequence(self, case):
        peer = Peer(self.args)
        try:
            for step in case['calls']:
                self.call(peer, step)
        finally:
            peer.close()

    def write_empty_call(self, peer, name, seqid):
        oprot = peer.oprot
        if peer.multiplexed:
            oprot = TMultiplexedProtocol.TMultiplexedProtocol(oprot, 'Conformance')
        oprot.writeMessageBegin(name, TMessageType.CALL, seqid)
        oprot.writeStructBegin('args')
        oprot.writeFieldStop()
        oprot.writeStructEnd()
        oprot.writeMessageEnd()
        oprot.trans.flush()

    def kind_unknown_method(self, case):
        peer = Peer(self.args)
        try:
            self.write_empty_call(peer, case['method'], 1)
            _, mtype, _ = peer.iprot.readMessageBegin()
            if mtype != TMessageType.EXCEPTION:
                raise Mismatch('the server did not answer with an exception', 'EXCEPTION', mtype)
            error = TApplicationException()
            error.read(peer.iprot)
            peer.iprot.readMessageEnd()
            actual = {'type': APP_ERROR_NAMES.get(error.type, error.type), 'message': error.message}
            if actual['type'] != case['expect']['applicationError']['type']:
                raise Mismatch('TApplicationException type differs', case['expect']['applicationError'], actual)
            self.call(peer, case['then'])
        finally:
            peer.close()

    def kind_seqid_echo(self, case):
        peer = Peer(self.args)
        try:
            for seqid in case['seqids']:
                self.write_empty_call(peer, 'ping', seqid)
                _, mtype, rseqid = peer.iprot.readMessageBegin()
                peer.iprot.skip(12)  # the result struct
                peer.iprot.readMessageEnd()
                if mtype != TMessageType.REPLY or rseqid != seqid:
                    raise Mismatch('reply sequence id differs', {'mtype': TMessageType.REPLY, 'seqid': seqid},
                                   {'mtype': mtype, 'seqid': rseqid})
        finally:
            peer.close()

    def ping_fresh(self):
        peer = Peer(self.args, timeout_seconds=10)
        try:
            peer.client().ping()
        except Exception as error:
            raise Mismatch(f'the server no longer answers a correct ping on a new connection: {error!r}')
        finally:
            peer.close()

    def kind_mismatched_protocol(self, case):
        seconds = case['withinSeconds']
        function = self.idl.services['Conformance'][case['method']]
        values = {a['name']: to_python(self.idl, field_type(a), case['args'][a['name']]) for a in function['arguments']}
        peer = Peer(self.args, request_protocol=case['writes'], timeout_seconds=seconds)
        try:
            result = getattr(peer.client(), case['method'])(**values)
        except (TException, OSError, EOFError, struct.error, UnicodeDecodeError) as error:
            timed_out = isinstance(error, socket.timeout) or 'timed out' in str(error) or \
                getattr(error, 'type', None) == TTransport.TTransportException.TIMED_OUT and isinstance(error, TTransport.TTransportException)
            if timed_out:
                raise Mismatch(f'no error within {seconds} s: the exchange hung', 'a clear error', repr(error))
            log(f'mismatched-protocol: got the expected error {error!r}')
        else:
            raise Mismatch('the server answered a request in the wrong protocol', 'a clear error', repr(result))
        finally:
            peer.close()
        self.ping_fresh()

    def raw_payload(self, case):
        send = case['send']
        if 'truncatedCall' in send:
            cut = send['truncatedCall']
            request, _, multiplexed = protocol_pair(self.args.protocol)
            memory = TTransport.TMemoryBuffer()
            oprot = request.getProtocol(memory)
            if multiplexed:
                oprot = TMultiplexedProtocol.TMultiplexedProtocol(oprot, 'Conformance')
            function = self.idl.services['Conformance'][cut['method']]
            values = {a['name']: to_python(self.idl, field_type(a), cut['args'][a['name']]) for a in function['arguments']}
            getattr(Conformance.Client(oprot, oprot), 'send_' + cut['method'])(**values)
            return memory.getvalue()[:cut['keepBytes']]
        return expand_bytes(send)

    def kind_raw(self, case):
        payload = self.raw_payload(case)
        if self.args.transport == 'framed':
            payload = struct.pack('>i', case.get('frameLength', len(payload))) + payload
        seconds = case['withinSeconds']
        with socket.create_connection((self.args.host, self.args.port), timeout=seconds) as sock:
            sock.sendall(payload)
            if case.get('halfClose'):
                sock.shutdown(socket.SHUT_WR)
            received = b''
            try:
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    received += chunk
            except ConnectionResetError:
                pass
            except socket.timeout:
                raise Mismatch(f'the server kept the connection open for {seconds} s after bad input',
                               'connection closed', {'received': received.hex()})
        log(f'raw: connection closed by the server after {len(received)} byte(s): {received[:64].hex()}')
        self.ping_fresh()


def load_cases():
    with open(f'{DATA}/cases.json') as f:
        return {c['id']: c for c in json.load(f)['cases']}


def yaml_block(error):
    def line(key, value):
        return f'  {key}: {json.dumps(value, ensure_ascii=False, default=repr)}'
    out = ['  ---', line('message', str(error))]
    if isinstance(error, Mismatch):
        out += [line('expected', error.expected), line('actual', error.actual)]
    else:
        out.append(line('trace', traceback.format_exc()[-2000:]))
    out.append('  ...')
    return '\n'.join(out)


def run_client(args):
    idl = Idl(IDL)
    catalogue = load_cases()
    ids = [i for i in args.cases.split(',') if i]
    runner = Runner(args, idl)
    print('TAP version 13')
    print(f'1..{len(ids)}', flush=True)
    for number, case_id in enumerate(ids, 1):
        # When the case starts, on the host's clock (containers share it): the harness cuts its
        # server's wire log by these.
        print(f'# case {case_id} begins {time.time_ns() / 1e6:.3f}', flush=True)
        try:
            case = catalogue.get(case_id)
            if case is None:
                raise Mismatch(f'no case {case_id} in cases.json')
            runner.run(case)
            print(f'ok {number} - {case_id}', flush=True)
        except Exception as error:  # every failure is a TAP line, never an exit code
            log(f'case {case_id} failed: {error!r}')
            print(f'not ok {number} - {case_id}\n{yaml_block(error)}', flush=True)


def main():
    if sys.argv[1:2] == ['bench']:  # [bench] bench/README.md
        import bench
        return bench.main(sys.argv[2:])
    parser = argparse.ArgumentParser()
    parser.add_argument('role', choices=['server', 'client'])
    parser.add_argument('--transport', required=True)
    parser.add_argument('--protocol', required=True)
    parser.add_argument('--server-kind', default='simple')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--cases', default='')
    args = parser.parse_args()
    if args.role == 'server':
        serve(args)
    else:
        run_client(args)


if __name__ == '__main__':
    main()
