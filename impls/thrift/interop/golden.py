# Writes python-golden.json: messages serialized by Python thrift 0.25 (pure-Python protocols), which
# our encoders must reproduce byte for byte. Usage: python golden.py <dir with conformance_spec.py>
import json, uuid, sys
from thrift.Thrift import TMessageType
from thrift.transport import TTransport
from thrift.protocol import TBinaryProtocol, TCompactProtocol, TJSONProtocol
sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else '/tmp/interop')

import conformance_spec as s
C = s.CLASSES
def msg(proto, name, args):
    t = TTransport.TMemoryBuffer(); p = proto(t)
    p.writeMessageBegin(name, TMessageType.CALL, 7); args.write(p); p.writeMessageEnd(); return t.getvalue()
scalars = C['Scalars'](flag=True, tiny=-128, small=-2, medium=300, large=-9007199254740993, real=-1.5, text='K\u00fchn \U0001F4E8', blob=b'\x00\xff', color=1000000)
tagged = C['Tagged'](id=uuid.UUID('00112233-4455-6677-8899-aabbccddeeff'), parent=None, trail=[uuid.UUID('ffffffff-0000-ffff-0000-ffffffffffff')], names={uuid.UUID('01234567-89ab-cdef-0123-456789abcdef'): 'x'}, seen=None)
deep = C['Deep'](layers=[{'a': [C['Point'](x=1, y=-1)]}], grid={-1: {-5: 'm'}}, cube=[[[1, 2], []], [], [[-3]]], buckets=None, choices=[C['Choice'](number=None, text='t', point=None, raw=None, words=None, nothing=None)])
sparse = C['Sparse'](first='a', sixteen='b', byteEdge=255, thousand=[1, -1], last='z')
out = {}
for pname, proto in [('binary', TBinaryProtocol.TBinaryProtocol), ('compact', TCompactProtocol.TCompactProtocol), ('json', TJSONProtocol.TJSONProtocol)]:
    out[pname] = {
        'echoScalars': msg(proto, 'echoScalars', C['Conformance_echoScalars_args'](value=scalars)).hex(),
        'echoTagged': msg(proto, 'echoTagged', C['Conformance_echoTagged_args'](value=tagged)).hex(),
        'echoDeep': msg(proto, 'echoDeep', C['Conformance_echoDeep_args'](value=deep)).hex(),
        'echoSparse': msg(proto, 'echoSparse', C['Conformance_echoSparse_args'](value=sparse)).hex(),
    }
print(json.dumps(out, indent=1))
