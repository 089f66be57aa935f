"""The bench role (bench/README.md): one JSON command per line on stdin, one JSON answer per line on stdout.

  serve  starts listeners on the thrift library's own servers: TServer.TThreadedServer over
         TServerSocket with the buffered or framed transport factory, or THttpServer
  cpu    this process's CPU time so far (seconds, every thread)
  run    a closed loop of echo calls for a given time over the library's TSocket / THttpClient,
         transports and protocols, and how many completed
  exit   ends the process

Only the released `thrift` package is used, so this file does not depend on how the peer's
conformance roles build their service classes. The two methods measured (Conformance.echoI32 and
Conformance.echoBinary, suites/thrift/data/conformance.thrift) are read and written here exactly as
the Python code Apache's compiler generates does it: the args struct (field 1 "value"), the result
struct (field 0 "success"), the message envelope and one flush per message. Each in-flight call is
a thread with its own connection (a Thrift client is not shared between threads).
"""

import json
import os
import socket
import sys
import threading
import time

from thrift.Thrift import TApplicationException, TMessageType, TProcessor, TType
from thrift.protocol import TBinaryProtocol, TCompactProtocol
from thrift.server import THttpServer, TServer
from thrift.transport import THttpClient, TSocket, TTransport

WARMUP, MEASURE, STOP = 0, 1, 2
HTTP_PATH = "/thrift"
METHODS = {"echoI32": TType.I32, "echoBinary": TType.STRING}


def protocol_factory(name):
    if name == "binary":
        return TBinaryProtocol.TBinaryProtocolFactory()
    if name == "compact":
        return TCompactProtocol.TCompactProtocolFactory()
    raise ValueError(f"protocol {name!r} is not benchmarked here (binary, compact)")


def transport_factory(name):
    if name == "buffered":
        return TTransport.TBufferedTransportFactory()
    if name == "framed":
        return TTransport.TFramedTransportFactory()
    raise ValueError(f"transport {name!r} is not benchmarked here (buffered, framed, http)")


def write_value(prot, ttype, value):
    if ttype == TType.I32:
        prot.writeI32(value)
    else:
        prot.writeBinary(value)


def read_value(prot, ttype):
    return prot.readI32() if ttype == TType.I32 else prot.readBinary()


def read_field(prot, wanted_id, ttype):
    """Reads a struct and returns its field `wanted_id` (None when absent), skipping the others."""
    value = None
    prot.readStructBegin()
    while True:
        _, ftype, fid = prot.readFieldBegin()
        if ftype == TType.STOP:
            break
        if fid == wanted_id and ftype == ttype:
            value = read_value(prot, ttype)
        else:
            prot.skip(ftype)
        prot.readFieldEnd()
    prot.readStructEnd()
    return value


def write_field(prot, struct_name, field_name, field_id, ttype, value):
    prot.writeStructBegin(struct_name)
    prot.writeFieldBegin(field_name, ttype, field_id)
    write_value(prot, ttype, value)
    prot.writeFieldEnd()
    prot.writeFieldStop()
    prot.writeStructEnd()


class EchoProcessor(TProcessor):
    """Answers echoI32 and echoBinary with their argument, as a generated processor would."""

    def process(self, iprot, oprot):
        name, _, seqid = iprot.readMessageBegin()
        ttype = METHODS.get(name)
        if ttype is None:
            iprot.skip(TType.STRUCT)
            iprot.readMessageEnd()
            error = TApplicationException(TApplicationException.UNKNOWN_METHOD, f"Unknown function {name}")
            oprot.writeMessageBegin(name, TMessageType.EXCEPTION, seqid)
            error.write(oprot)
        else:
            value = read_field(iprot, 1, ttype)
            iprot.readMessageEnd()
            oprot.writeMessageBegin(name, TMessageType.REPLY, seqid)
            write_field(oprot, f"{name}_result", "success", 0, ttype, value)
        oprot.writeMessageEnd()
        oprot.trans.flush()
        return True


def nodelay_http_server(server):
    """THttpServer writes the headers and the body in two writes: without TCP_NODELAY the body waits
    for the client's delayed ACK (about 40 ms per call on loopback). The same fix as the Avro peer's."""
    handler = server.httpd.RequestHandlerClass
    setup = handler.setup

    def setup_nodelay(self):
        setup(self)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    handler.setup = setup_nodelay


def start_listener(listener):
    host, port = listener.get("host", "127.0.0.1"), int(listener["port"])
    protocol = protocol_factory(listener["protocol"])
    if listener["transport"] == "http":
        server = THttpServer.THttpServer(EchoProcessor(), (host, port), protocol)
        nodelay_http_server(server)
    else:
        server = TServer.TThreadedServer(EchoProcessor(), TSocket.TServerSocket(host=host, port=port),
                                         transport_factory(listener["transport"]), protocol, daemon=True)
        # TThreadedServer listens inside serve(); listen here, so the port accepts when we answer.
        server.serverTransport.listen()
        server.serverTransport.listen = lambda: None
    threading.Thread(target=server.serve, daemon=True).start()


def serve(command):
    failed = {}
    for listener in command.get("listeners", []):
        try:
            start_listener(listener)
        except Exception as e:  # one listener that cannot start must not stop the others
            failed[listener.get("key", "?")] = f"{type(e).__name__}: {e}"
    return {"failed": failed}


class EchoClient:
    """One connection and the generated client's send/receive of one echo method."""

    def __init__(self, target, method, timeout_ms):
        if target["transport"] == "http":
            self.trans = THttpClient.THttpClient(f"http://{target.get('host', '127.0.0.1')}:{target['port']}{HTTP_PATH}")
        else:
            sock = TSocket.TSocket(target.get("host", "127.0.0.1"), int(target["port"]))
            sock.setTimeout(timeout_ms)
            self.trans = transport_factory(target["transport"]).getTransport(sock)
        self.trans.open()
        self.prot = protocol_factory(target["protocol"]).getProtocol(self.trans)
        self.method, self.ttype, self.seqid = method, METHODS[method], 0

    def call(self, value):
        self.seqid += 1
        self.prot.writeMessageBegin(self.method, TMessageType.CALL, self.seqid)
        write_field(self.prot, f"{self.method}_args", "value", 1, self.ttype, value)
        self.prot.writeMessageEnd()
        self.prot.trans.flush()
        _, mtype, seqid = self.prot.readMessageBegin()
        if mtype == TMessageType.EXCEPTION:
            error = TApplicationException()
            error.read(self.prot)
            self.prot.readMessageEnd()
            raise error
        result = read_field(self.prot, 0, self.ttype)
        self.prot.readMessageEnd()
        if seqid != self.seqid:
            raise TApplicationException(TApplicationException.BAD_SEQUENCE_ID, f"seqid {seqid}, expected {self.seqid}")
        return result

    def close(self):
        self.trans.close()


def payload_of(spec):
    if spec.get("kind") == "int":
        return "echoI32", 42
    return "echoBinary", bytes((i * 31 + 7) & 0xFF for i in range(int(spec["size"])))  # the pattern every bench client sends


def sleep_watching(seconds, failures):
    until = time.monotonic() + seconds
    while not failures and time.monotonic() < until:
        time.sleep(min(0.05, max(0.0, until - time.monotonic())))


def run(command):
    if int(command.get("inflight", 1)) != 1:
        raise ValueError("a Thrift client carries one call at a time (inflight 1)")
    method, value = payload_of(command["payload"])
    timeout_ms = int(command.get("timeoutMs", 20000))
    clients = [EchoClient(command["target"], method, timeout_ms) for _ in range(int(command.get("connections", 1)))]
    phase = [WARMUP]
    counts = [0] * len(clients)
    totals = [0] * len(clients)
    failures = []

    def loop(index, c):
        try:
            while phase[0] != STOP and not failures:
                if c.call(value) != value:
                    raise ValueError("the echo differs from the request")
                totals[index] += 1
                if phase[0] == MEASURE:
                    counts[index] += 1
        except Exception as e:
            failures.append(f"{type(e).__name__}: {e}")

    threads = [threading.Thread(target=loop, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    cpu_before = time.process_time()
    for t in threads:
        t.start()
    sleep_watching(command.get("warmupMs", 300) / 1000, failures)
    started = time.perf_counter()
    phase[0] = MEASURE
    sleep_watching(command.get("durationMs", 1000) / 1000, failures)
    phase[0] = STOP
    ended = time.perf_counter()
    counted = sum(counts)
    drain_by = time.monotonic() + timeout_ms / 1000
    for t in threads:
        t.join(max(0.001, drain_by - time.monotonic()))
    cpu = time.process_time() - cpu_before
    for c in clients:
        c.close()
    if failures:
        raise RuntimeError(f"a call failed: {failures[0]}")
    if any(t.is_alive() for t in threads):
        raise RuntimeError("calls still outstanding after the timeout")
    return {"calls": counted, "seconds": ended - started, "totalCalls": sum(totals), "cpuSeconds": cpu}


def main(argv):
    out = sys.stdout
    print(json.dumps({"ready": True}), file=out, flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        command = json.loads(line)
        answer = {"id": command.get("id")}
        op = command.get("op")
        try:
            if op == "serve":
                answer.update(serve(command))
            elif op == "run":
                answer.update(run(command))
            elif op == "cpu":
                answer["cpuSeconds"] = time.process_time()
            elif op == "exit":
                print(json.dumps({**answer, "ok": True}), file=out, flush=True)
                os._exit(0)
            else:
                raise ValueError(f"unknown op {op!r}")
            answer["ok"] = True
        except Exception as e:
            answer.update(ok=False, error=f"{type(e).__name__}: {e}")
        print(json.dumps(answer), file=out, flush=True)
    os._exit(0)
