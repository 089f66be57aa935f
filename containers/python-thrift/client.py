"""`client --plan FILE`: every cell's cases, each cell a TAP 13 block (containers/README.md)."""
import json
import socket
import struct
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

from thrift.Thrift import TApplicationException, TMessageType, TType
from thrift.protocol import TMultiplexedProtocol
from thrift.transport import TTransport

from idl import Type, Unavailable
from notation import Written, canonical, expand_bytes, expected, to_python
from wiring import Connection, ProtocolAxis, Unsupported, protocol_factory, raw_socket

DATA = '/spec/suites/thrift/data'
# A call's default bound: a server that never answers costs this. A case may set its own
# (timeoutMillis): a 1 MiB echo over the JSON protocol takes Java's zlib transport 2 s and more on a
# loaded 2-core machine, read a byte at a time.
CALL_TIMEOUT_SECONDS = 5
RAW_TRANSPORTS = ('buffered', 'framed')
CELLS_AT_ONCE = 2  # cells run side by side (run_plan); each cell's cases stay in order

APP_ERRORS = {name: getattr(TApplicationException, name) for name in dir(TApplicationException)
              if name.isupper() and isinstance(getattr(TApplicationException, name), int)}
APP_ERROR_NAMES = {value: name for name, value in APP_ERRORS.items()}


def instants():
    """When, as "<epoch ms> monotonic <ms>" to the microsecond: the harness cuts what its server saw
    by the monotonic clock (containers share it with the host), which no step of the real-time
    clock moves (containers/README.md)."""
    return f'{time.time_ns() / 1e6:.3f} monotonic {time.monotonic_ns() / 1e6:.3f}'


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


class Mismatch(Exception):
    def __init__(self, message, expected=None, actual=None):
        super().__init__(message)
        self.expected = expected
        self.actual = actual


def application_error(error):
    return {'type': APP_ERROR_NAMES.get(error.type, error.type), 'message': error.message}


def read_result(iprot, function):
    """The answer to a call, read as the generated client's recv_ reads it: an EXCEPTION message is
    raised as the TApplicationException it holds, else the function's result struct is returned."""
    _, mtype, _ = iprot.readMessageBegin()
    if mtype == TMessageType.EXCEPTION:
        error = TApplicationException()
        error.read(iprot)
        iprot.readMessageEnd()
        raise error
    result = function.result()
    result.read(iprot)
    iprot.readMessageEnd()
    return result


class Runner:
    """Runs the cases of one cell."""

    def __init__(self, cell, idl):
        self.cell = cell
        self.idl = idl

    def connect(self, timeout_seconds=CALL_TIMEOUT_SECONDS, request_protocol=None):
        return Connection(self.cell, timeout_seconds, request_protocol)

    # ---- one call, as the generated client makes it ----

    def invoke(self, conn, service, function, values):
        """Sends a call and returns its answer, raising what the answer carries.

        What the compiler's generated Client does (thrift 0.19 --gen py): sequence id 0, ONEWAY
        for one-way functions (no answer read), an EXCEPTION message raised as the
        TApplicationException it holds, a declared exception raised, MISSING_RESULT when a
        non-void answer has no value."""
        written_as = {name: v.struct for name, v in values.items() if isinstance(v, Written)}
        args = function.args_with(written_as)(**{name: v.value if isinstance(v, Written) else v
                                                  for name, v in values.items()})
        oprot = conn.output(service)
        oprot.writeMessageBegin(function.name, TMessageType.ONEWAY if function.oneway else TMessageType.CALL, 0)
        args.write(oprot)
        oprot.writeMessageEnd()
        oprot.trans.flush()
        if function.oneway:
            return None
        result = read_result(conn.iprot, function)
        if function.returns is not None and result.success is not None:
            return result.success
        for declared in function.exceptions:
            if getattr(result, declared.name) is not None:
                raise getattr(result, declared.name)
        if function.returns is None:
            return None
        raise TApplicationException(TApplicationException.MISSING_RESULT, f'{function.name} failed: unknown result')

    def arguments(self, function, given):
        unknown = set(given) - {a.name for a in function.arguments}
        if unknown:
            raise Mismatch(f'{function.name} has no parameters {sorted(unknown)}')
        return {a.name: to_python(self.idl, a.type, given[a.name]) for a in function.arguments if a.name in given}

    def call(self, conn, spec):
        """A call of a case (call, oneway, sequence step, then) and the check of its outcome."""
        service = spec.get('service', 'Conformance')
        function = self.idl.function(service, spec['method'])
        values = self.arguments(function, spec.get('args', {}))
        try:
            answer = self.invoke(conn, service, function, values)
        except TApplicationException as error:
            return self.check(spec, function, 'applicationError', application_error(error))
        except Exception as error:
            # Declared exceptions derive from TExceptionBase, not TException (as in py:dynamic).
            for declared in function.exceptions:
                if isinstance(error, self.idl.struct(declared.type.name)):
                    return self.check(spec, function, 'exception', {
                        'type': declared.type.name, 'value': canonical(self.idl, declared.type, error)})
            raise
        if not function.oneway:
            self.check(spec, function, 'response', canonical(self.idl, function.returns, answer))

    def check(self, spec, function, got, actual):
        expect = spec.get('expect', {})
        want = next(iter(expect), None)
        if want != got:
            raise Mismatch(f'expected {want}, got {got}', expect, {got: actual})
        if got == 'response':
            wanted = expected(self.idl, function.returns, expect['response'])
            if wanted != actual:
                raise Mismatch('response differs', wanted, actual)
        elif got == 'exception':
            t = Type('exception', name=expect['exception']['type'])
            wanted = {'type': t.name, 'value': expected(self.idl, t, expect['exception']['value'])}
            if wanted != actual:
                raise Mismatch('exception differs', wanted, actual)
        else:
            self.check_application_error(expect['applicationError'], actual)

    @staticmethod
    def check_application_error(wanted, actual):
        if wanted['type'] != actual['type']:
            raise Mismatch('TApplicationException type differs', wanted, actual)
        if 'message' in wanted and wanted['message'] != actual['message']:
            raise Mismatch('TApplicationException message differs', wanted, actual)

    # ---- case kinds ----

    def run(self, case):
        handler = getattr(self, 'kind_' + case['kind'].replace('-', '_'), None)
        if handler is None:
            raise Mismatch(f"case kind {case['kind']} is not implemented by the Python peer")
        handler(case)

    def on_one_connection(self, steps, timeout_seconds=CALL_TIMEOUT_SECONDS):
        conn = self.connect(timeout_seconds=timeout_seconds)
        try:
            for step in steps:
                self.call(conn, step)
        finally:
            conn.close()

    def bound(self, case):
        """Seconds each call of a case may take: its jsonTimeoutMillis in a JSON protocol's cell
        when it has one, else its timeoutMillis, else the default."""
        if self.cell['protocol'].endswith('json') and 'jsonTimeoutMillis' in case:
            return case['jsonTimeoutMillis'] / 1000
        return case.get('timeoutMillis', CALL_TIMEOUT_SECONDS * 1000) / 1000

    def kind_call(self, case):
        self.on_one_connection([case], self.bound(case))

    def kind_oneway(self, case):
        self.on_one_connection([case, case['then']], self.bound(case))

    def kind_sequence(self, case):
        self.on_one_connection(case['calls'], self.bound(case))

    @staticmethod
    def write_empty_call(conn, name, seqid):
        oprot = conn.output('Conformance')
        oprot.writeMessageBegin(name, TMessageType.CALL, seqid)
        oprot.writeStructBegin('args')
        oprot.writeFieldStop()
        oprot.writeStructEnd()
        oprot.writeMessageEnd()
        oprot.trans.flush()

    def kind_unknown_method(self, case):
        conn = self.connect()
        try:
            self.write_empty_call(conn, case['method'], 1)
            _, mtype, _ = conn.iprot.readMessageBegin()
            if mtype != TMessageType.EXCEPTION:
                raise Mismatch('the server did not answer with an exception', 'EXCEPTION', mtype)
            error = TApplicationException()
            error.read(conn.iprot)
            conn.iprot.readMessageEnd()
            self.check_application_error(case['expect']['applicationError'], application_error(error))
            self.call(conn, case['then'])
        finally:
            conn.close()

    def kind_seqid_echo(self, case):
        conn = self.connect()
        try:
            for seqid in case['seqids']:
                self.write_empty_call(conn, 'ping', seqid)
                _, mtype, rseqid = conn.iprot.readMessageBegin()
                conn.iprot.skip(TType.STRUCT)
                conn.iprot.readMessageEnd()
                if mtype != TMessageType.REPLY or rseqid != seqid:
                    raise Mismatch('the reply differs', {'type': 'REPLY', 'seqid': seqid},
                                   {'type': mtype, 'seqid': rseqid})
        finally:
            conn.close()

    def ping_fresh(self):
        try:
            conn = self.connect()
            try:
                self.call(conn, {'method': 'ping', 'args': {}, 'expect': {'response': None}})
            finally:
                conn.close()
        except Exception as error:
            raise Mismatch(f'the server does not answer a correct ping on a new connection: {error!r}')

    def kind_mismatched_protocol(self, case):
        seconds = case['withinSeconds']
        function = self.idl.function('Conformance', case['method'])
        values = self.arguments(function, case['args'])
        # Before the clock: the server answers a correct call, so a failure below is the bad request's.
        self.ping_fresh()
        conn = self.connect(timeout_seconds=seconds, request_protocol=case['writes'])
        # The bound is the server's: the clock starts once the connection (TLS included) is open.
        started = time.monotonic()
        try:
            answer = self.invoke(conn, 'Conformance', function, values)
        except Exception as error:  # any clear error will do, if it came in time
            elapsed = time.monotonic() - started
            if elapsed >= seconds - 0.05:
                raise Mismatch(f'no clear error within {seconds} s: the exchange hung', 'a clear error', repr(error))
            log(f'mismatched-protocol: the expected error after {elapsed:.3f} s: {error!r}')
        else:
            raise Mismatch('the server answered a request in the wrong protocol', 'a clear error', repr(answer))
        finally:
            conn.close()
        self.ping_fresh()

    def raw_payload(self, case):
        send = case['send']
        if 'truncatedCall' in send:
            cut = send['truncatedCall']
            axis = ProtocolAxis(self.cell['protocol'])
            memory = TTransport.TMemoryBuffer()
            oprot = protocol_factory(axis.request).getProtocol(memory)
            if axis.multiplexed:
                oprot = TMultiplexedProtocol.TMultiplexedProtocol(oprot, 'Conformance')
            function = self.idl.function('Conformance', cut['method'])
            args = function.args(**self.arguments(function, cut['args']))
            oprot.writeMessageBegin(function.name, TMessageType.CALL, 0)
            args.write(oprot)
            oprot.writeMessageEnd()
            return memory.getvalue()[:cut['keepBytes']]
        return expand_bytes(send)

    def kind_raw(self, case):
        transport = self.cell['transport']
        if transport not in RAW_TRANSPORTS:
            raise Mismatch(f'raw cases are for transports {RAW_TRANSPORTS}, not {transport}')
        payload = self.raw_payload(case)
        if transport == 'framed':
            payload = struct.pack('>i', case.get('frameLength', len(payload))) + payload
        seconds = case['withinSeconds']
        received = b''
        # Connected and TLS set up with a call's timeout, not the case's bound (see below).
        with raw_socket(self.cell, CALL_TIMEOUT_SECONDS) as sock:
            # The bound is on the server's answer to the bad input, so its clock starts once the
            # connection is up (wrap_socket has shaken hands): TLS on a loaded machine is not the server's.
            deadline = time.monotonic() + seconds
            sock.sendall(payload)
            if case.get('halfClose'):
                sock.shutdown(socket.SHUT_WR)
            try:
                while True:
                    sock.settimeout(max(deadline - time.monotonic(), 0.001))
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    received += chunk
            except (ConnectionResetError, BrokenPipeError):
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
    out = ['  ---', line('message', str(error) or repr(error))]
    if isinstance(error, Mismatch):
        out += [line('expected', error.expected), line('actual', error.actual)]
    else:
        out += [line('expected', 'the case to run'), line('actual', repr(error)),
                line('trace', traceback.format_exc()[-2000:])]
    out.append('  ...')
    return '\n'.join(out)


def run_cell(cell, idl, catalogue):
    """The cell's TAP block, as one string (cells run side by side: run_plan prints whole blocks)."""
    ids = cell['cases']
    runner = Runner(cell, idl)
    lines = [f"# cell {cell['key']} begins", 'TAP version 13', f'1..{len(ids)}']
    for number, case_id in enumerate(ids, 1):
        # When the case starts, on the host's clock (containers share it): the harness cuts its
        # server's wire log by these.
        lines.append(f'# case {case_id} begins {instants()}')
        try:
            case = catalogue.get(case_id)
            if case is None:
                raise Mismatch(f'no case {case_id} in cases.json')
            runner.run(case)
            lines.append(f'ok {number} - {case_id}')
        except (Exception, Unavailable, Unsupported) as error:  # a failure is a TAP line, never an exit code
            log(f"[{cell['key']}] case {case_id} failed: {error!r}")
            lines.append(f'not ok {number} - {case_id}\n{yaml_block(error)}')
    lines.append(f"# cell {cell['key']} ends {instants()}")
    return '\n'.join(lines)


def run_plan(plan, idl):
    """Runs CELLS_AT_ONCE cells side by side, each against its own server, and prints their TAP
    blocks in plan order. A cell mostly waits (on its server, or on a bound where a server under
    test never answers or never closes), so two at a time nearly halve a plan's run."""
    catalogue = load_cases()
    with ThreadPoolExecutor(CELLS_AT_ONCE) as pool:
        for block in pool.map(lambda cell: run_cell(cell, idl, catalogue), plan['cells']):
            print(block, flush=True)
