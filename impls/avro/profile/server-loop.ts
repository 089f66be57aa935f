// A host-side A/B measure of our Avro stream server's CPU per int call (issue 15), not a test and
// not the bench: our server (tcp:// or avro:// = SASL, through the adapter as the bench agent
// serves it) and a minimal replaying client in ONE process on one CPU. The client's bytes are our
// own client's, recorded once per process (the first call with its handshake, then a plain
// echoInt(42) call, the same bytes every time on standard framing); N connections replay them,
// one call in flight on each. One event loop, no wake-ups of another process: the figure moves far
// less with the machine's load than pingpong.ts, and the client's share is the same few lines in
// every tree, so differences between trees are the server's. A tree named "raw" (--tree raw=) is
// the bench's raw floor echoing the same call bytes back (the warm floor).
//
// --scheme http: our HTTP server; the client posts our client's recorded request body behind the
// request head our client sends, on keep-alive connections, and reads each answer by its
// Content-Length. There the "raw" tree is the bench's HTTP replay server (bench/canned.ts:
// node:http answering every POST with our server's recorded answer), so the difference between
// the trees is our Avro work per request, not node's HTTP server.
//
//   node impls/avro/profile/server-loop.ts [--seconds 2] [--rounds 3] [--connections 1]
//        [--scheme avro|tcp|http] [--tree name=/path/to/a/checkout ...] [--prof DIR]
import { connect, type Socket } from 'node:net';
import { driveTrees, measureLoop, treeLoopOptions } from '../../../bench/tree-loop.ts';
import { pathToFileURL } from 'node:url';
import { adapterOf, echoHandlers, httpAnswers, httpPostHead, protocol, THIS_TREE, transportOf } from './loop-setup.ts';

const HERE = new URL('.', import.meta.url).pathname;

async function child(tree: string, scheme: string, connections: number, seconds: number, raw: boolean): Promise<void> {
  const transport = transportOf(scheme);
  const handlers = echoHandlers();

  // The bytes of our client (this tree's), recorded against a server of this tree.
  const recordingServer = await (await adapterOf(THIS_TREE)).listen?.({ url: `${scheme}://127.0.0.1:0/`, transport, protocol }, handlers, {});
  if (!recordingServer) throw new Error('no server');
  let sent: Buffer[] = [];
  let received: Buffer[] = [];
  const connectClient = (await adapterOf(THIS_TREE)).connect;
  if (!connectClient) throw new Error('no client');
  const client = await connectClient({ url: `${scheme}://127.0.0.1:${recordingServer.port}/`, transport, protocol },
    { timeoutMs: 10_000, recorder: { sent: (bytes) => sent.push(Buffer.from(bytes)), received: (bytes) => received.push(Buffer.from(bytes)) } });
  await client.call('echoInt', { value: 42 });
  const opening = Buffer.concat(sent);
  sent = [];
  received = [];
  await client.call('echoInt', { value: 42 });
  const recorded = Buffer.concat(sent);
  const answer = Buffer.concat(received);
  const http = scheme === 'http';
  // The raw floor gets one length-prefixed message of the same size instead (standard framing's
  // terminator would be a second message to it). Over HTTP every request is the same POST, the
  // head as our client writes it (http/transport.ts).
  const call = http
    ? Buffer.concat([httpPostHead(recorded.length), recorded])
    : raw ? Buffer.alloc(recorded.length) : recorded;
  if (raw && !http) call.writeUInt32BE(recorded.length - 4, 0);
  await client.close();
  await recordingServer.close();

  let port: number;
  let close: () => Promise<void>;
  if (raw && http) {
    const { serveHttpCanned } = await import(pathToFileURL(`${THIS_TREE}/bench/canned.ts`).href) as typeof import('../../../bench/canned.ts');
    const server = await serveHttpCanned('127.0.0.1', 0, { contentType: 'avro/binary', headBytes: 0, answer: () => answer });
    port = (server.address() as { port: number }).port;
    close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  } else if (raw) {
    const { serveRaw } = await import(pathToFileURL(`${THIS_TREE}/bench/raw.ts`).href) as typeof import('../../../bench/raw.ts');
    const server = await serveRaw('127.0.0.1', 0);
    port = (server.address() as { port: number }).port;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  } else {
    const server = await (await adapterOf(tree)).listen?.({ url: `${scheme}://127.0.0.1:0/`, transport, protocol }, handlers, {});
    if (!server) throw new Error('no server');
    port = server.port;
    close = () => server.close();
  }
  const sockets: Socket[] = [];
  for (let i = 0; i < connections; i++) {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.setNoDelay(true);
      s.once('error', reject);
    });
    if (!raw && !http) {
      socket.write(opening);
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.removeAllListeners('data');
    }
    sockets.push(socket);
  }
  let calls = 0;
  const run = (ms: number): Promise<void> => {
    const until = performance.now() + ms;
    return Promise.all(sockets.map((socket) => new Promise<void>((resolve) => {
      // An int answer is small: one read each, ending in the terminating empty frame (or, from
      // the raw floor, the call bytes themselves). Over HTTP an answer may come in more than one
      // read: it ends with its Content-Length's bytes after the head.
      const answered = http ? httpAnswers() : (chunk: Buffer): boolean => chunk.length >= 8;
      const onData = (chunk: Buffer): void => {
        if (!answered(chunk)) {
          if (http) return;
          throw new Error(`unexpected answer of ${chunk.length} bytes`);
        }
        calls++;
        if (performance.now() < until) socket.write(call);
        else {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
      socket.write(call);
    }))).then(() => undefined);
  };
  await measureLoop(run, () => calls, seconds);
  for (const socket of sockets) socket.destroy();
  await close();
  process.exit(0);
}

async function driver(argv: string[]): Promise<void> {
  const options = treeLoopOptions(argv, THIS_TREE, { scheme: 'avro' });
  const scheme = options.extra['scheme'] ?? 'avro';
  await driveTrees(`${HERE}server-loop.ts`, options, (name, tree) => ({
    args: ['child', tree, scheme, String(options.connections), String(options.seconds), name === 'raw' ? 'raw' : 'ours'],
  }));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'child') await child(rest[0] as string, rest[1] as string, Number(rest[2]), Number(rest[3]), rest[4] === 'raw');
else await driver(process.argv.slice(2));
