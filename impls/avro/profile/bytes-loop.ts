// A host-side A/B measure of our Avro stream server's or client's CPU per large call (issue 15:
// the Netty 1 MiB echo), not a test and not the bench. Like server-loop.ts, the side measured
// (through the adapter, as the bench agent serves and calls) and a minimal replaying peer run in
// ONE process on one CPU; the call is echoBytes of --bytes bytes, one in flight.
// --side server: our server (netty://, tcp:// or avro:// = SASL); the peer replays our own
//   client's recorded call bytes (Netty framing: 8 KiB buffers, as Java's NettyTransceiver writes
//   them), reads with `onread` into one reused buffer and only counts the answer's bytes.
// --side client: our client (netty:// or tcp://); the peer replays our own server's recorded
//   answers (the first with its handshake), the request's Netty serial copied into each.
// The peer allocates nothing per call: what differs between trees is the measured side's work.
//
//   node impls/avro/profile/bytes-loop.ts [--seconds 2] [--rounds 3] [--bytes 1048576]
//        [--scheme netty|tcp|avro] [--side server|client] [--tree name=/path/to/a/checkout ...] [--prof DIR]
import { connect, createServer, type Socket } from 'node:net';
import { driveTrees, measureLoop, treeLoopOptions } from '../../../bench/tree-loop.ts';
import { adapterOf, echoHandlers, protocol, THIS_TREE, transportOf } from './loop-setup.ts';

const HERE = new URL('.', import.meta.url).pathname;

async function child(tree: string, scheme: string, size: number, seconds: number, side: string): Promise<void> {
  const transport = transportOf(scheme);
  const handlers = echoHandlers();
  const value = Buffer.alloc(size, 0xa5);

  // The bytes of our client (this tree's), recorded against a server of this tree.
  const recordingServer = await (await adapterOf(THIS_TREE)).listen?.({ url: `${scheme}://127.0.0.1:0/`, transport, protocol }, handlers, {});
  if (!recordingServer) throw new Error('no server');
  let sent: Buffer[] = [];
  let received: Buffer[] = [];
  const connectClient = (await adapterOf(THIS_TREE)).connect;
  if (!connectClient) throw new Error('no client');
  const client = await connectClient({ url: `${scheme}://127.0.0.1:${recordingServer.port}/`, transport, protocol },
    { timeoutMs: 10_000, recorder: { sent: (bytes) => sent.push(Buffer.from(bytes)), received: (bytes) => received.push(Buffer.from(bytes)) } });
  await client.call('echoBytes', { value });
  const opening = Buffer.concat(sent);
  const openingAnswer = Buffer.concat(received);
  sent = [];
  received = [];
  await client.call('echoBytes', { value });
  const call = Buffer.concat(sent);
  const answer = Buffer.concat(received);
  const answerBytes = answer.length;
  await client.close();
  await recordingServer.close();
  if (side === 'client') {
    await measureClient(tree, scheme, protocol, value, [opening.length, call.length], [openingAnswer, answer], seconds);
    return;
  }

  const server = await (await adapterOf(tree)).listen?.({ url: `${scheme}://127.0.0.1:0/`, transport, protocol }, handlers, {});
  if (!server) throw new Error('no server');
  // The client reads into one buffer of its own: no allocation per read on this side.
  let onBytes: (n: number) => void = () => undefined;
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({
      port: server.port, host: '127.0.0.1',
      onread: { buffer: Buffer.allocUnsafe(256 * 1024), callback: (n) => { onBytes(n); return true; } },
    }, () => resolve(s));
    s.setNoDelay(true);
    s.once('error', reject);
  });
  // The first call (with its handshake): its answer is let go before the loop starts.
  socket.write(opening);
  await new Promise((resolve) => setTimeout(resolve, 500));
  let calls = 0;
  const run = (ms: number): Promise<void> => {
    const until = performance.now() + ms;
    return new Promise<void>((resolve) => {
      let got = 0;
      onBytes = (n) => {
        got += n;
        if (got < answerBytes) return;
        if (got > answerBytes) throw new Error(`answer of ${got} bytes, expected ${answerBytes}`);
        got = 0;
        calls++;
        if (performance.now() < until) socket.write(call);
        else resolve();
      };
      socket.write(call);
    });
  };
  await measureLoop(run, () => calls, seconds);
  socket.destroy();
  await server.close();
  process.exit(0);
}

/**
 * Our client (the tree's) against a peer answering with recorded answers: the first request
 * (`requestBytes[0]` long) gets answers[0], every later one answers[1], with the request's Netty
 * serial (its first 4 bytes) copied in.
 */
async function measureClient(tree: string, scheme: string, protocol: { name: string; text: string }, value: Buffer,
  requestBytes: readonly [number, number], answers: readonly [Buffer, Buffer], seconds: number): Promise<void> {
  const netty = scheme === 'netty';
  let requests = 0;
  let got = 0;
  const serial = Buffer.alloc(4);
  const peer = createServer((socket) => {
    socket.setNoDelay(true);
    // net gives accepted sockets no `onread`; node's own reads on this side are the same for every tree.
    socket.on('data', (chunk: Buffer) => {
      if (got === 0 && netty) chunk.copy(serial, 0, 0, 4);
      got += chunk.length;
      const need = requestBytes[requests === 0 ? 0 : 1];
      if (got < need) return;
      if (got > need) throw new Error(`request of ${got} bytes, expected ${need}`);
      const answer = answers[requests === 0 ? 0 : 1];
      requests++;
      got = 0;
      if (netty) serial.copy(answer, 0);
      socket.write(answer);
    });
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  const port = (peer.address() as { port: number }).port;
  const transport = transportOf(scheme);
  const connectClient = (await adapterOf(tree)).connect;
  if (!connectClient) throw new Error('no client');
  const client = await connectClient({ url: `${scheme}://127.0.0.1:${port}/`, transport, protocol }, { timeoutMs: 10_000 });
  let calls = 0;
  const run = async (ms: number): Promise<void> => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      const echoed = await client.call('echoBytes', { value });
      if (!Buffer.isBuffer(echoed) || echoed.length !== value.length) throw new Error('unexpected answer');
      calls++;
    }
  };
  await measureLoop(run, () => calls, seconds);
  await client.close();
  peer.close();
  process.exit(0);
}

async function driver(argv: string[]): Promise<void> {
  const options = treeLoopOptions(argv, THIS_TREE, { scheme: 'netty', bytes: String(1024 * 1024), side: 'server' });
  const scheme = options.extra['scheme'] ?? 'netty';
  await driveTrees(`${HERE}bytes-loop.ts`, options, (_name, tree) => ({
    args: ['child', tree, scheme, options.extra['bytes'] ?? String(1024 * 1024), String(options.seconds), options.extra['side'] ?? 'server'],
  }));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'child') await child(rest[0] as string, rest[1] as string, Number(rest[2]), Number(rest[3]), rest[4] ?? 'server');
else await driver(process.argv.slice(2));
