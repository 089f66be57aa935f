// A host-side A/B measure of our Thrift server's CPU per small call (issue 15), not a test and not
// the bench. Our server (through the adapter, as the bench agent serves it) and a minimal client
// run in ONE process on one CPU: the client writes prepared echoI32 requests on N loopback
// connections, one in flight on each, and counts the answers. Both ends share one event loop, so
// there are no wake-ups of another process and the figure moves far less with the machine's load
// than a two-process loop; the client's share is the same few lines in every tree, so differences
// between trees are the server's. Prints calls/s and CPU µs per call (process, and main thread).
//
//   node impls/thrift/profile/server-loop.ts [--seconds 2] [--rounds 3] [--connections 1]
//        [--protocol compact|binary] [--transport framed|buffered] [--side server|client] [--split yes] [--think-us N]
//        [--tree name=/path/to/a/checkout ...] [--prof DIR]
//
// --side client turns it round: our client (through the adapter, as the bench agent calls) against
// a minimal server in the same process that answers each echoI32 with a prepared reply (the
// request's seqid spliced in).
//
// A tree named "raw" (--tree raw=) is the bench's raw floor serving instead of our server (framed only).
//
// --split yes: the minimal client (or, with --side client, the minimal server) in a process of its
// own on CPU 0, so that ours wakes from epoll for every call as in the bench; the figures are then
// our process's alone (the bench's "ours server" or "ours client" row with a peer that costs
// nothing to speak of).
//
// --think-us N (with --split yes): the minimal client waits N µs (spinning) between an answer and
// its next request, as a slower peer would: how our server's CPU per call grows with the time it
// sleeps between calls.
//
// Trees take turns round by round, each round in a fresh process pinned to CPU 1.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { driveTrees, measureLoop, treeLoopOptions } from '../../../bench/tree-loop.ts';

const HERE = new URL('.', import.meta.url).pathname;
const THIS_TREE = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');

interface Contract {
  serve(endpoint: unknown, handlers: unknown, options: unknown): Promise<{ port: number; close(): Promise<void> }>;
  connect(endpoint: unknown, options: unknown): Promise<{ call(service: string, method: string, args: unknown): Promise<unknown>; close(): Promise<void> }>;
}

/** The reply to an echoI32 request: 42, with the request's seqid (framed when the request is). */
function reply(protocol: string, transport: string, request: Buffer): Buffer {
  const name = Buffer.from('echoI32');
  const at = transport === 'framed' ? 4 : 0;
  let body: Buffer;
  if (protocol === 'compact') {
    let end = at + 2;
    while ((request[end] as number) & 0x80) end++;
    const seqid = request.subarray(at + 2, end + 1);
    // REPLY (2 << 5 | version 1), seqid, name, field 0 i32 (long form: type 5, zigzag id 0), zigzag(42), stop.
    body = Buffer.concat([Buffer.from([0x82, 0x41]), seqid, Buffer.from([name.length]), name, Buffer.from([0x05, 0x00, 84, 0x00])]);
  } else {
    const seqid = request.subarray(at + 8 + name.length, at + 12 + name.length);
    body = Buffer.concat([Buffer.from([0x80, 0x01, 0x00, 0x02, 0, 0, 0, name.length]), name, seqid, Buffer.from([8, 0, 0, 0, 0, 0, 42, 0])]);
  }
  return transport === 'framed' ? framed(body) : body;
}

function framed(body: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** An echoI32(42) call, seqid 1, in the binary or compact protocol (written by hand: the bytes are fixed). */
function request(protocol: string, transport: string): Buffer {
  const name = Buffer.from('echoI32');
  const body = protocol === 'compact'
    // 0x82, version 1 | CALL << 5, seqid varint 1, name length varint, name, field 1 i32 (delta 1, type 5), zigzag(42) = 84, stop.
    ? Buffer.concat([Buffer.from([0x82, 0x21, 0x01, name.length]), name, Buffer.from([0x15, 84, 0x00])])
    // 0x80010001, name length, name, seqid 1, field i32 (8) id 1, 42, stop.
    : Buffer.concat([Buffer.from([0x80, 0x01, 0x00, 0x01, 0, 0, 0, name.length]), name, Buffer.from([0, 0, 0, 1, 8, 0, 1, 0, 0, 0, 42, 0])]);
  return transport === 'framed' ? framed(body) : body;
}

/**
 * Whether a chunk is one whole small message: framed, by its length; unframed, by the bytes an
 * echoI32 call or reply has (the compact seqid is a varint of 1-5 bytes) and its closing stop.
 */
function oneMessage(chunk: Buffer, protocol: string, transport: string): boolean {
  if (transport === 'framed') return chunk.length >= 4 && chunk.readUInt32BE(0) + 4 === chunk.length;
  const least = protocol === 'compact' ? 14 : 27;
  return chunk.length >= least && chunk.length <= least + 4 && chunk[chunk.length - 1] === 0;
}

function endpoint(tree: string, protocol: string, transport: string, port: number): Record<string, unknown> {
  const idl = `${tree}/suites/thrift/data/conformance.thrift`;
  return {
    transport, protocol, socket: 'tcp', host: '127.0.0.1', port, httpPath: '/thrift',
    idl: { path: idl, text: readFileSync(idl, 'utf8') }, serverKind: 'ours', services: ['Conformance'],
  };
}

/** Measures `run` over a warm-up and a window; prints one JSON line. */
/** Child, --side server: our server, the minimal client. */
async function serverSide(tree: string, protocol: string, transport: string, connections: number, seconds: number): Promise<void> {
  let server: { port: number; close(): Promise<void> };
  if (process.env['SERVER_LOOP_RAW']) {
    // The bench's raw floor, which sends each frame back as it came: the same length, so the same check passes.
    if (transport !== 'framed') throw new Error('the raw floor reads frames: --transport framed only');
    const raw = (await import(pathToFileURL(`${THIS_TREE}/bench/raw.ts`).href)) as { serveRaw(host: string, port: number): Promise<import('node:net').Server> };
    const listening = await raw.serveRaw('127.0.0.1', 0);
    server = { port: (listening.address() as { port: number }).port, close: () => new Promise<void>((resolve) => listening.close(() => resolve())) };
  } else {
    const adapter = ((await import(pathToFileURL(`${tree}/impls/thrift/adapter.ts`).href)) as { default: Contract }).default;
    const echo = (args: Readonly<Record<string, unknown>>): unknown => args['value'];
    server = await adapter.serve(endpoint(tree, protocol, transport, 0), { Conformance: { echoI32: echo, echoBinary: echo } }, {});
  }
  if (process.env['SERVER_LOOP_SPLIT']) {
    await measureFromDriver(server.port, protocol, transport, connections, seconds);
  } else {
    const drive = await driveCalls(server.port, protocol, transport, connections);
    await measureLoop(drive.run, () => drive.calls, seconds);
    drive.close();
  }
  await server.close();
  process.exit(0);
}

/** The minimal client: prepared requests on N connections, one in flight on each. */
async function driveCalls(port: number, protocol: string, transport: string, connections: number): Promise<{ run(ms: number): Promise<void>; readonly calls: number; close(): void }> {
  const frame = request(protocol, transport);
  const thinkUs = Number(process.env['SERVER_LOOP_THINK_US'] ?? 0);
  let calls = 0;
  const sockets: Socket[] = [];
  for (let i = 0; i < connections; i++) {
    sockets.push(await new Promise<Socket>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(socket));
      socket.setNoDelay(true);
      socket.once('error', reject);
    }));
  }
  const run = (ms: number): Promise<void> => {
    const until = performance.now() + ms;
    return Promise.all(sockets.map((socket) => new Promise<void>((resolve) => {
      // Answers are small: one read each (checked by length).
      const onData = (chunk: Buffer): void => {
        if (!oneMessage(chunk, protocol, transport)) throw new Error(`unexpected answer of ${chunk.length} bytes`);
        calls++;
        if (thinkUs > 0) {
          const ready = performance.now() + thinkUs / 1000;
          while (performance.now() < ready) { /* a peer's own work between calls */ }
        }
        if (performance.now() < until) socket.write(frame);
        else {
          socket.off('data', onData);
          resolve();
        }
      };
      socket.on('data', onData);
      socket.write(frame);
    }))).then(() => undefined);
  };
  return {
    run,
    get calls() {
      return calls;
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/**
 * --split: the minimal client runs in a process of its own pinned to CPU 0 (the server stays on
 * CPU 1), so every call wakes the server from epoll as in the bench; the figures are the server
 * process's own CPU over the client's measured window.
 */
async function measureFromDriver(port: number, protocol: string, transport: string, connections: number, seconds: number): Promise<void> {
  const driver = spawn('taskset', ['-c', '0', process.execPath, `${HERE}server-loop.ts`, 'drive', String(port), protocol, transport, String(connections), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: driver.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done) throw new Error('the driver ended early');
    return line.value;
  };
  if ((await next()) !== 'start') throw new Error('the driver did not start');
  const cpu0 = process.cpuUsage();
  const thread0 = process.threadCpuUsage();
  const threads0 = threadTimes();
  const { calls, elapsed } = JSON.parse(await next()) as { calls: number; elapsed: number };
  const cpu = process.cpuUsage(cpu0);
  const thread = process.threadCpuUsage(thread0);
  const threads = threadTimes();
  // Where the CPU of threads other than the main one went, by thread name, µs per call.
  const others: Record<string, number> = {};
  for (const [tid, { name, ns }] of threads) {
    if (tid === process.pid) continue;
    const spent = ns - (threads0.get(tid)?.ns ?? 0);
    if (spent > 0) others[name] = Math.round((others[name] ?? 0) + spent / 1000 / calls * 100) / 100;
  }
  process.stdout.write(`${JSON.stringify({ calls, elapsed, cpuUs: cpu.user + cpu.system, sysUs: cpu.system, threadUs: thread.user + thread.system, others })}\n`);
}

/** Nanoseconds on a CPU of each thread of this process (/proc schedstat), with the thread's name. */
function threadTimes(): Map<number, { name: string; ns: number }> {
  const times = new Map<number, { name: string; ns: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const ns = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      times.set(Number(tid), { name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), ns });
    } catch {
      // The thread ended.
    }
  }
  return times;
}

/** The --split driver process: warm-up, "start", the window, then its calls and seconds. */
async function driverProcess(port: number, protocol: string, transport: string, connections: number, seconds: number): Promise<void> {
  const drive = await driveCalls(port, protocol, transport, connections);
  await drive.run(1000);
  process.stdout.write('start\n');
  // Let the server read its CPU before the window starts.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const calls0 = drive.calls;
  const t0 = performance.now();
  await drive.run(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({ calls: drive.calls - calls0, elapsed })}\n`);
  drive.close();
  process.exit(0);
}

/** The minimal server: answers each echoI32 with a prepared reply; resolves with its port. */
async function answerCalls(protocol: string, transport: string): Promise<number> {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    // Requests are small and one is in flight per connection: one read each.
    socket.on('data', (chunk: Buffer) => {
      if (!oneMessage(chunk, protocol, transport)) throw new Error(`unexpected request of ${chunk.length} bytes`);
      socket.write(reply(protocol, transport, chunk));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

/** The --split answerer process (--side client): the minimal server on CPU 0; prints its port, ends with its parent. */
async function answererProcess(protocol: string, transport: string): Promise<void> {
  process.stdout.write(`${await answerCalls(protocol, transport)}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}

/** Child, --side client: our client, the minimal server (in a process of its own with --split). */
async function clientSide(tree: string, protocol: string, transport: string, connections: number, seconds: number): Promise<void> {
  const adapter = ((await import(pathToFileURL(`${tree}/impls/thrift/adapter.ts`).href)) as { default: Contract }).default;
  let port: number;
  if (process.env['SERVER_LOOP_SPLIT']) {
    const answerer = spawn('taskset', ['-c', '0', process.execPath, `${HERE}server-loop.ts`, 'answer', protocol, transport], { stdio: ['pipe', 'pipe', 'inherit'] });
    const line = await createInterface({ input: answerer.stdout })[Symbol.asyncIterator]().next();
    if (line.done) throw new Error('the answerer ended early');
    port = Number(line.value);
  } else {
    port = await answerCalls(protocol, transport);
  }
  const clients = await Promise.all(Array.from({ length: connections }, () => adapter.connect(endpoint(tree, protocol, transport, port), { timeoutMs: 30_000 })));
  let calls = 0;
  const args = { value: 42 };
  const run = async (ms: number): Promise<void> => {
    const until = performance.now() + ms;
    await Promise.all(clients.map(async (client) => {
      while (performance.now() < until) {
        if ((await client.call('Conformance', 'echoI32', args)) !== 42) throw new Error('the echo differs');
        calls++;
      }
    }));
  };
  await measureLoop(run, () => calls, seconds);
  process.exit(0);
}

async function driver(argv: string[]): Promise<void> {
  const options = treeLoopOptions(argv, THIS_TREE, { protocol: 'compact', transport: 'framed', side: 'server', split: 'no', 'think-us': '0' });
  const { protocol = 'compact', transport = 'framed', side = 'server', split } = options.extra;
  if (transport !== 'framed' && transport !== 'buffered') throw new Error(`--transport framed or buffered, not ${transport}`);
  const env = { ...process.env, SERVER_LOOP_SPLIT: split === 'no' ? '' : '1', SERVER_LOOP_THINK_US: options.extra['think-us'] ?? '0' };
  await driveTrees(`${HERE}server-loop.ts`, options, (name, tree) => ({
    args: [side, tree, protocol, transport, String(options.connections), String(options.seconds)],
    env: name === 'raw' ? { ...env, SERVER_LOOP_RAW: '1' } : env,
  }));
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'server') await serverSide(rest[0] as string, rest[1] as string, rest[2] as string, Number(rest[3]), Number(rest[4]));
else if (mode === 'drive') await driverProcess(Number(rest[0]), rest[1] as string, rest[2] as string, Number(rest[3]), Number(rest[4]));
else if (mode === 'answer') await answererProcess(rest[0] as string, rest[1] as string);
else if (mode === 'client') await clientSide(rest[0] as string, rest[1] as string, rest[2] as string, Number(rest[3]), Number(rest[4]));
else await driver(process.argv.slice(2));
