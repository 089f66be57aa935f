// A loopback TCP proxy that breaks one byte on purpose: the demonstration (and self-test) that a
// wire-level fault fails its case and shows up as a hex dump in every report. `run --inject-fault
// GLOB` puts it between our client and the peer server for the cases the glob matches.
//
// The fault: on every connection, the last byte of the first chunk our client sends is inverted
// (XOR 0xff). That byte ends a frame or a message in every wire format here (an Avro frame
// list's zero terminator, a Thrift struct's STOP field), so the peer can neither read the request
// as sent nor mistake it for another valid one. Everything else is forwarded untouched, half-closes
// included; the bytes the peer actually received are recorded for the report.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { WireTrace } from '../../impls/wire/recorder.ts';
import { LOOPBACK } from '../net/ports.ts';

export interface FaultProxy {
  readonly port: number;
  /** What the peer received through the proxy and what it answered, across every connection. */
  readonly trace: WireTrace;
  /** One line per connection: which byte was inverted, from what to what. */
  readonly faults: readonly string[];
  close(): Promise<void>;
}

export function startFaultProxy(targetPort: number, keepBytes: number): Promise<FaultProxy> {
  const trace = new WireTrace(keepBytes);
  const faults: string[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    return socket;
  };
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    const upstream = track(connect({ host: LOOPBACK, port: targetPort, allowHalfOpen: true }));
    let offset = 0;
    let injected = false;
    client.on('data', (chunk: Buffer) => {
      let bytes = chunk;
      if (!injected && chunk.length > 0) {
        injected = true;
        bytes = Buffer.from(chunk);
        const at = bytes.length - 1;
        const before = bytes[at] ?? 0;
        bytes[at] = before ^ 0xff;
        faults.push(`connection ${faults.length + 1}: byte ${offset + at} inverted, ${hex(before)} -> ${hex(before ^ 0xff)}`);
      }
      offset += bytes.length;
      trace.sent(bytes);
      upstream.write(bytes);
    });
    upstream.on('data', (chunk: Buffer) => {
      trace.received(chunk);
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({
        port, trace, faults,
        close: () => new Promise<void>((done) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => done());
        }),
      });
    });
  });
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
