# Writes python-golden.json: messages serialized by Python's thrift (its pure-Python protocols),
# which our encoders must reproduce byte for byte (protocols.test.ts). The classes are the Python
# Thrift peer's own (containers/python-thrift/idl.py, built from the IDL), so this runs in that
# peer's image:
#   docker run --rm -i --entrypoint /opt/venv/bin/python avro-thrift-conformance/python-thrift:<tag> - \
#     < impls/thrift/protocol/golden.py > impls/thrift/protocol/python-golden.json
import json
import sys
import uuid

sys.path.insert(0, '/opt/peer')
from idl import Idl  # noqa: E402
from thrift.Thrift import TMessageType  # noqa: E402
from thrift.protocol import TBinaryProtocol, TCompactProtocol, TJSONProtocol  # noqa: E402
from thrift.transport import TTransport  # noqa: E402

idl = Idl('/opt/peer/conformance.json')
S = idl.struct


def message(protocol, method, value):
    out = TTransport.TMemoryBuffer()
    writer = protocol(out)
    writer.writeMessageBegin(method, TMessageType.CALL, 7)
    idl.function('Conformance', method).args(value=value).write(writer)
    writer.writeMessageEnd()
    return out.getvalue()


scalars = S('Scalars')(flag=True, tiny=-128, small=-2, medium=300, large=-9007199254740993, real=-1.5,
                       text='K\u00fchn \U0001F4E8', blob=b'\x00\xff', color=1000000)
tagged = S('Tagged')(id=uuid.UUID('00112233-4455-6677-8899-aabbccddeeff'), parent=None,
                     trail=[uuid.UUID('ffffffff-0000-ffff-0000-ffffffffffff')],
                     names={uuid.UUID('01234567-89ab-cdef-0123-456789abcdef'): 'x'}, seen=None)
deep = S('Deep')(layers=[{'a': [S('Point')(x=1, y=-1)]}], grid={-1: {-5: 'm'}}, cube=[[[1, 2], []], [], [[-3]]],
                 buckets=None, choices=[S('Choice')(number=None, text='t', point=None, raw=None, words=None, nothing=None)])
sparse = S('Sparse')(first='a', sixteen='b', byteEdge=255, thousand=[1, -1], last='z')

protocols = [('binary', TBinaryProtocol.TBinaryProtocol), ('compact', TCompactProtocol.TCompactProtocol),
             ('json', TJSONProtocol.TJSONProtocol)]
values = [('echoScalars', scalars), ('echoTagged', tagged), ('echoDeep', deep), ('echoSparse', sparse)]
print(json.dumps({name: {method: message(protocol, method, value).hex() for method, value in values}
                  for name, protocol in protocols}, indent=1))
