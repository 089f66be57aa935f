// A host-side A/B measure of our Thrift server's CPU per small call (issue 15), not a test and not
// the bench. Our server (through the adapter, as the bench agent serves it) and a minimal client
// run in ONE process on one CPU: the client writes prepared framed echoI32 requests on N loopback
// connections, one in flight on each, and counts the answers. Both ends share one event loop, so
// there are no wake-ups of another process and the figure moves far less with the machine's load
// than a two-process loop; the client's share is the same few lines in every tree, so differences
// between trees are the server's. Prints calls/s and CPU µs per call (process, and main thread).
//
//   node impls/thrift/profile/server-loop.ts [--seconds 2] [--rounds 3] [--connections 1]
//        [--protocol compact|binary] [--tree name=/path/to/a/checkout ...] [--prof DIR]
//
// Trees take turns round by round, each round in a fresh process pinned to CPU 1.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { pathToFileURL } from 'node:url';

const HERE = new URL('.', import.meta.url).pathname;
const THIS_TREE = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');

interface Contract {
  serve(endpoint: unknown, handlers: unknown, options: unknown): Promise<{ port: number; close(): Promise<void> }>;
}

/** A framed echoI32(42) call, seqid 1, in the binary or compact protocol (written by hand: the bytes are fixed). */
function request(protocol: string): Buffer {
  const name = Buffer.from('echoI32');
  const body = protocol === 'compact'
    // 0x82, version 1 | CALL << 5, seqid varint 1, name length varint, name, field 1 i32 (delta 1, type 5), zigzag(42) = 84, stop.
    ? Buffer.concat([Buffer.from([0x82, 0x21, 0x01, name.length]), name, Buffer.from([0x15, 84, 0x00])])
    // 0x80010001, name length, name, seqid 1, field i32 (8) id 1, 42, stop.
    : Buffer.concat([Buffer.from([0x80, 0x01, 0x00, 0x01, 0, 0, 0, name.length]), name, Buffer.from([0, 0, 0, 1, 8, 0, 1, 0, 0, 0, 42, 0])]);
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** Child: serves, drives, measures, prints one JSON line. */
async function child(tree: string, protocol: string, connections: number, seconds: number): Promise<void> {
  const idl = `${tree}/suites/thrift/data/conformance.thrift`;
  const adapter = ((await import(pathToFileURL(`${tree}/impls/thrift/adapter.ts`).href)) as { default: Contract }).default;
  const echo = (args: Readonly<Record<string, unknown>>): unknown => args['value'];
  const server = await adapter.serve({
    transport: 'framed', protocol, socket: 'tcp', host: '127.0.0.1', port: 0, httpPath: '/thrift',
    idl: { path: idl, text: readFileSync(idl, 'utf8') }, serverKind: 'ours', services: ['Conformance'],
  }, { Conformance: { echoI32: echo, echoBinary: echo } }, {});
  const frame = request(protocol);
  let calls = 0;
  let until = 0;
  const sockets: Socket[] = [];
  const done: Array<Promise<void>> = [];
  const run = (ms: number): Promise<void> => {
    until = performance.now() + ms;
    done.length = 0;
    for (const socket of sockets) {
      done.push(new Promise<void>((resolve) => {
        // Answers are small: one read each (checked by length).
        const onData = (chunk: Buffer): void => {
          if (chunk.length < 4 || chunk.readUInt32BE(0) + 4 !== chunk.length) throw new Error(`unexpected answer of ${chunk.length} bytes`);
          calls++;
          if (performance.now() < until) socket.write(frame);
          else {
            socket.off('data', onData);
            resolve();
          }
        };
        socket.on('data', onData);
        socket.write(frame);
      }));
    }
    return Promise.all(done).then(() => undefined);
  };
  for (let i = 0; i < connections; i++) {
    sockets.push(await new Promise<Socket>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => resolve(socket));
      socket.setNoDelay(true);
      socket.once('error', reject);
    }));
  }
  await run(1000);
  calls = 0;
  const cpu0 = process.cpuUsage();
  const thread0 = process.threadCpuUsage();
  const t0 = performance.now();
  await run(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const thread = process.threadCpuUsage(thread0);
  process.stdout.write(`${JSON.stringify({ calls, elapsed, cpuUs: cpu.user + cpu.system, sysUs: cpu.system, threadUs: thread.user + thread.system })}\n`);
  for (const socket of sockets) socket.destroy();
  await server.close();
  process.exit(0);
}

async function driver(argv: string[]): Promise<void> {
  let seconds = 2;
  let rounds = 3;
  let connections = 1;
  let protocol = 'compact';
  let prof: string | undefined;
  const trees: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i += 2) {
    const arg = argv[i];
    const value = argv[i + 1] ?? '';
    if (arg === '--seconds') seconds = Number(value);
    else if (arg === '--rounds') rounds = Number(value);
    else if (arg === '--connections') connections = Number(value);
    else if (arg === '--protocol') protocol = value;
    else if (arg === '--prof') prof = value;
    else if (arg === '--tree') {
      const [name, path] = value.split('=');
      trees.push([name ?? 'tree', path ?? THIS_TREE]);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (trees.length === 0) trees.push(['this', THIS_TREE]);
  const results = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < trees.length; k++) {
      const [name, tree] = trees[(k + r) % trees.length] as [string, string];
      const flags = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`, `--cpu-prof-name=${name}-${r}.cpuprofile`] : [];
      const line = await new Promise<string>((resolve, reject) => {
        const c = spawn('taskset', ['-c', '1', process.execPath, ...flags, `${HERE}server-loop.ts`, 'child', tree, protocol, String(connections), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
        c.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))));
      });
      const m = JSON.parse(line) as { calls: number; elapsed: number; cpuUs: number; sysUs: number; threadUs: number };
      const perCall = m.cpuUs / m.calls;
      results.set(name, [...(results.get(name) ?? []), perCall]);
      console.log(`${name.padEnd(8)} ${String(Math.round(m.calls / m.elapsed)).padStart(7)} calls/s  CPU ${perCall.toFixed(2)} µs/call (sys ${(m.sysUs / m.calls).toFixed(2)}, main thread ${(m.threadUs / m.calls).toFixed(2)})`);
    }
  }
  for (const [name, values] of results) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(`${name.padEnd(8)} median CPU ${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(2)} µs/call over ${values.length} rounds`);
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'child') await child(rest[0] as string, rest[1] as string, Number(rest[2]), Number(rest[3]));
else await driver(process.argv.slice(2));
