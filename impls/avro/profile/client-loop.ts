// A host-side A/B measure of our Avro stream client's CPU per 64 KiB bytes echo (issue 15), not a
// test and not the bench. Our client (tcp:// or avro:// = SASL, through the adapter as the bench
// agent calls it, one call in flight) runs pinned to CPU 1 in a fresh process per tree and round;
// it calls an answerer pinned to CPU 0 that frames answers the way Java's servers do: our own
// server (this tree's) behind a proxy that cuts each answer into 8 KiB frames, as Java's
// ByteBufferOutputStream buffers are, and writes them
//   tcp:  each frame's length and its bytes with separate writes, then the zero length (Java's
//         SocketTransceiver.writeBuffers): the client gets many small reads;
//   avro: all frames of a message in one write (Java's SaslSocketTransceiver gathers them).
// --writes message|parts overrides that (tcp answers in one write: what the many small writes cost
// our client, eighth pass).
// Only the client process's CPU is reported; the answerer is the same code for every tree.
//
//   node impls/avro/profile/client-loop.ts [--seconds 4] [--rounds 3] [--scheme tcp|avro]
//        [--size 65536] [--writes message|parts] [--connections 1] [--tree name=/path/to/a/checkout ...] [--prof DIR]
import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { driveTrees, measureLoop, treeLoopOptions } from '../../../bench/tree-loop.ts';
import { StandardFrameDecoder } from '../framing/standard.ts';
import { adapterOf, echoHandlers, protocol, THIS_TREE, transportOf } from './loop-setup.ts';

const HERE = new URL('.', import.meta.url).pathname;
const FRAME_BYTES = 8192;


/** Java's framing of one message: frames of up to 8 KiB, then the zero length. */
function javaFrames(message: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < message.length; at += FRAME_BYTES) {
    const frame = message.subarray(at, Math.min(message.length, at + FRAME_BYTES));
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(frame.length, 0);
    out.push(header, frame);
  }
  out.push(Buffer.alloc(4));
  return out;
}

async function answerer(scheme: string, writes: string): Promise<void> {
  const transport = transportOf(scheme);
  const inner = await (await adapterOf(THIS_TREE)).listen?.({ url: `${scheme}://127.0.0.1:0/`, transport, protocol }, echoHandlers(), {});
  if (!inner) throw new Error('no server');
  const front = createServer((client: Socket) => {
    client.setNoDelay(true);
    const server = connect(inner.port, '127.0.0.1');
    server.setNoDelay(true);
    client.on('data', (chunk) => server.write(chunk));
    const decoder = new StandardFrameDecoder();
    // SASL: the server's COMPLETE (status byte, 4-byte length, data) passes as it is.
    let negotiation: Buffer | undefined = scheme === 'avro' ? Buffer.alloc(0) : undefined;
    server.on('data', (chunk: Buffer) => {
      if (negotiation !== undefined) {
        negotiation = Buffer.concat([negotiation, chunk]);
        if (negotiation.length < 5) return;
        const end = 5 + negotiation.readUInt32BE(1);
        if (negotiation.length < end) return;
        client.write(negotiation.subarray(0, end));
        chunk = negotiation.subarray(end);
        negotiation = undefined;
      }
      for (const frame of decoder.push(chunk)) {
        const parts = javaFrames(frame.payload);
        if (writes === 'message') client.write(Buffer.concat(parts));
        else for (const part of parts) client.write(part);
      }
    });
    const end = (): void => { client.destroy(); server.destroy(); };
    client.on('close', end).on('error', end);
    server.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({ port: (front.address() as { port: number }).port })}\n`);
  for await (const _ of createInterface({ input: process.stdin })) { /* until the client's process ends */ }
  process.exit(0);
}

async function child(tree: string, scheme: string, size: number, seconds: number, writes: string, connections: number): Promise<void> {
  const peer = spawn('taskset', ['-c', '0', process.execPath, `${HERE}client-loop.ts`, 'answer', scheme, writes], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: peer.stdout }).once('line', resolve));
  const { port } = JSON.parse(line) as { port: number };
  const transport = transportOf(scheme);
  const connectClient = (await adapterOf(tree)).connect;
  if (!connectClient) throw new Error('no client');
  // --connections N: N clients with one call each in flight, as the bench drives 32 in flight on
  // every transport but Netty.
  const clients = await Promise.all(Array.from({ length: connections }, () => connectClient({ url: `${scheme}://127.0.0.1:${port}/`, transport, protocol }, { timeoutMs: 10_000 })));
  const value = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) value[i] = (i * 31 + 7) & 0xff;
  let calls = 0;
  const run = (ms: number): Promise<unknown> => {
    const until = performance.now() + ms;
    return Promise.all(clients.map(async (client) => {
      while (performance.now() < until) {
        const answer = await client.call('echoBytes', { value }) as Buffer;
        if (answer.length !== size) throw new Error(`answer of ${answer.length} bytes`);
        calls++;
      }
    }));
  };
  await measureLoop(async (ms) => { await run(ms); }, () => calls, seconds);
  for (const client of clients) await client.close();
  peer.kill();
  process.exit(0);
}

async function driver(argv: string[]): Promise<void> {
  const options = treeLoopOptions(argv, THIS_TREE, { scheme: 'tcp', size: '65536', writes: '' });
  const scheme = options.extra['scheme'] ?? 'tcp';
  const writes = options.extra['writes'] || (scheme === 'avro' ? 'message' : 'parts');
  await driveTrees(`${HERE}client-loop.ts`, options, (_name, tree) => ({
    args: ['child', tree, scheme, options.extra['size'] ?? '65536', String(options.seconds), writes, String(options.connections)],
  }));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'answer') await answerer(rest[0] as string, rest[1] as string);
else if (mode === 'child') await child(rest[0] as string, rest[1] as string, Number(rest[2]), Number(rest[3]), rest[4] as string, Number(rest[5] ?? 1));
else await driver(process.argv.slice(2));
