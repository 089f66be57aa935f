"""The server side: the handler (the semantics of suites/thrift/data/README.md) and the processor.

`Processor` does for any service of the IDL what the compiler's `--gen py` Processor does for one
(read from thrift 0.19's generated code): dispatch by name; an unknown name has its argument
struct skipped and is answered TApplicationException UNKNOWN_METHOD "Unknown function <name>"; a
declared exception goes into its result field; a TApplicationException raised by the handler is
sent as it is; any other exception is logged and answered INTERNAL_ERROR "Internal error"; a
one-way call is never answered (its exceptions are logged). It also reports each message begin
to THttpServer (`on_message_begin`), which answers one-way HTTP requests at once.
"""
import logging

from thrift.Thrift import TApplicationException, TMessageType, TProcessor, TType
from thrift.transport import TTransport

from idl import Type, Unavailable
from notation import to_python

log = logging.getLogger('peer.service')

# evolvedAnswer's EvolvingV2, in the value notation (README.md, "evolvedAnswer"); `id` comes from
# the call.
EVOLVED_ANSWER = {
    'flag': True, 'tiny': -128, 'small': 32767, 'medium': -2147483648, 'large': '9223372036854775807',
    'real': 0.25, 'text': 'v2 \u2713', 'blob': {'$hex': '00ff80'}, 'tag': '00112233-4455-6677-8899-aabbccddeeff',
    'color': 'ULTRAVIOLET', 'point': {'x': -1, 'y': 1}, 'choice': {'words': ['a', 'b']},
    'tags': ['ffffffff-ffff-ffff-ffff-ffffffffffff'], 'names': ['x'], 'byId': [['-1', {'x': 0, 'y': 0}]],
    'nested': [[], [1, 2]], 'nothing': {},
    'blobsByTag': [['01234567-89ab-cdef-0123-456789abcdef', [{'$hex': ''}, {'$hex': 'ff'}]]],
}

# What this server writes in place of a declared answer (schema evolution, README.md).
ANSWERS_WRITTEN_AS = {('Conformance', 'evolvedAnswer'): 'EvolvingV2'}


class ConformanceHandler:
    """One per listener: `lastNote` is shared by that listener's connections only."""

    def __init__(self, idl):
        self.idl = idl
        self.last_note = ''

    def ping(self):
        pass

    def __getattr__(self, name):
        # echo* methods answer their argument unchanged (echoEvolving is below).
        if name.startswith('echo'):
            return lambda value: value
        raise AttributeError(name)

    def gather(self, flag, tiny, small, medium, large, real, text, blob, color):
        return self.idl.struct('Scalars')(flag=flag, tiny=tiny, small=small, medium=medium, large=large,
                                          real=real, text=text, blob=blob, color=color)

    def add(self, a, b):
        total = (a + b) & 0xFFFFFFFFFFFFFFFF
        return total - (1 << 64) if total >= (1 << 63) else total

    def fail(self, kind, code, reason):
        if kind == 'conformance':
            raise self.idl.struct('ConformanceError')(code=code, reason=reason)
        if kind == 'other':
            raise self.idl.struct('OtherError')(detail=reason, trail=[code])

    def failUndeclared(self, reason):
        raise RuntimeError(f'undeclared failure: {reason}')

    def notify(self, note):
        self.last_note = note

    def lastNote(self):
        return self.last_note

    def echoEvolving(self, value):
        return self.idl.struct('Evolving')(id=value.id)

    def evolvedAnswer(self, id):
        answer = to_python(self.idl, Type('struct', name='EvolvingV2'), EVOLVED_ANSWER)
        answer.id = id
        return answer

    def failApplication(self, type, message):
        raise TApplicationException(type, message)

    def failOneway(self, reason):
        raise RuntimeError(f'one-way failure: {reason}')


class SecondaryHandler:
    def echoString(self, value):
        return 'secondary:' + value


class Processor(TProcessor):
    def __init__(self, idl, service, handler, on_process=None):
        self._idl = idl
        self._handler = handler
        self._on_message_begin = None
        self._on_process = on_process
        self._functions = {}
        for name in idl.services[service]:
            answer = ANSWERS_WRITTEN_AS.get((service, name))
            try:
                function = idl.function(service, name)
                self._functions[name] = (function, function.result_as(answer) if answer else function.result)
            except Unavailable as why:
                log.warning('not served: %s', why)

    def on_message_begin(self, func):
        self._on_message_begin = func

    def process(self, iprot, oprot):
        if self._on_process:
            self._on_process()
        name, mtype, seqid = iprot.readMessageBegin()
        if self._on_message_begin:
            self._on_message_begin(name, mtype, seqid)
        if name not in self._functions:
            iprot.skip(TType.STRUCT)
            iprot.readMessageEnd()
            error = TApplicationException(TApplicationException.UNKNOWN_METHOD, 'Unknown function %s' % name)
            oprot.writeMessageBegin(name, TMessageType.EXCEPTION, seqid)
            error.write(oprot)
            oprot.writeMessageEnd()
            oprot.trans.flush()
            return
        function, result_class = self._functions[name]
        args = function.args()
        args.read(iprot)
        iprot.readMessageEnd()
        call = getattr(self._handler, name)
        values = {a.name: getattr(args, a.name) for a in function.arguments}
        if function.oneway:
            try:
                call(**values)
            except TTransport.TTransportException:
                raise
            except Exception:
                log.exception('Exception in oneway handler')
            return
        result = result_class()
        try:
            answer = call(**values)
            if function.returns is not None:
                result.success = answer
            mtype = TMessageType.REPLY
        except TTransport.TTransportException:
            raise
        except TApplicationException as error:
            log.exception('TApplication exception in handler')
            mtype = TMessageType.EXCEPTION
            result = error
        except Exception as error:
            declared = next((f for f in function.exceptions
                             if isinstance(error, self._idl.struct(f.type.name))), None)
            if declared is not None:
                mtype = TMessageType.REPLY
                setattr(result, declared.name, error)
            else:
                log.exception('Unexpected exception in handler')
                mtype = TMessageType.EXCEPTION
                result = TApplicationException(TApplicationException.INTERNAL_ERROR, 'Internal error')
        oprot.writeMessageBegin(name, mtype, seqid)
        result.write(oprot)
        oprot.writeMessageEnd()
        oprot.trans.flush()


def processors(idl, on_process=None):
    """A fresh (Conformance, Secondary) pair of processors, with their own handler state."""
    return (Processor(idl, 'Conformance', ConformanceHandler(idl), on_process),
            Processor(idl, 'Secondary', SecondaryHandler(), on_process))

