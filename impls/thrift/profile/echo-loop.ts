// A host-side A/B loop for profiling (issue 15), not a test and not the bench: one client echoing
// one payload at a time to one server over loopback (framed binary through the adapter, as the
// bench agent calls it, or the bench's raw floor), client pinned to CPU 0 and server to CPU 1,
// each in its own process. Prints calls/s, CPU µs per call of each process (over the measured
// window only) and garbage collections per 1,000 calls. Contenders take turns, round by round.
//
//   node impls/thrift/profile/echo-loop.ts [--seconds 3] [--rounds 2] [--bytes 65536]
//        [--kinds ours,raw] [--transport framed|buffered|fastframed|header] [--protocol binary|compact]
//        [--connections 1] [--tree name=/path/to/a/checkout ...] [--prof DIR] [--perf DIR] [--strace DIR]
//
// --bytes 0 echoes an i32 (echoI32 42, the bench's "int" payload) instead of a binary value.
// --connections N: the client opens N connections, each with one call in flight (the bench's ×32).
//
// Each --tree names a checkout whose impls/thrift/adapter.ts and bench/raw.ts are loaded (default:
// this one), so an old and a new tree run alternately in the same minutes.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';

const HERE = new URL('.', import.meta.url).pathname;
const THIS_TREE = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');

/** Scavenges (and minor mark-sweeps), mark-compacts, and the time of all of them. */
interface GcCount { minor: number; major: number; ms: number }

function watchGc(): GcCount {
  const gc: GcCount = { minor: 0, major: 0, ms: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // v8::GCType: 1 scavenge, 2 minor mark-sweep, 4 mark-sweep-compact, 8 incremental marking.
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (kind === 1 || kind === 2) gc.minor++;
      else if (kind === 4) gc.major++;
      gc.ms += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  return gc;
}

/** New space capacity and old space use (MB): V8 starts marking once the old generation's headroom is below new space's capacity. */
function heapShape(): string {
  const spaces = new Map(getHeapSpaceStatistics().map((s) => [s.space_name, s]));
  const mb = (n: number | undefined): string => ((n ?? 0) / 1048576).toFixed(1);
  return `new ${mb(spaces.get('new_space')?.space_size)} MB, old used ${mb(spaces.get('old_space')?.space_used_size)} MB`;
}

function payload(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
  return bytes;
}

function endpoint(tree: string, port: number) {
  const idl = `${tree}/suites/thrift/data/conformance.thrift`;
  // The driver's --transport reaches its children through the environment.
  return { transport: process.env['ECHO_LOOP_TRANSPORT'] ?? 'framed', protocol: process.env['ECHO_LOOP_PROTOCOL'] ?? 'binary', socket: 'tcp' as const, host: '127.0.0.1', port, httpPath: '/thrift', idl: { path: idl, text: readFileSync(idl, 'utf8') } };
}

interface Contract {
  serve(endpoint: unknown, handlers: unknown, options: unknown): Promise<{ port: number }>;
  connect(endpoint: unknown, options: unknown): Promise<{ call(service: string, method: string, args: unknown): Promise<unknown> }>;
}

/** Child: a server; prints its port, then answers "cpu" lines with its CPU time and GC counts. */
async function server(kind: string, tree: string): Promise<void> {
  const gc = watchGc();
  let port: number;
  if (kind === 'raw') {
    const raw = (await import(pathToFileURL(`${tree}/bench/raw.ts`).href)) as { serveRaw(host: string, port: number): Promise<import('node:net').Server> };
    const listening = await raw.serveRaw('127.0.0.1', 0);
    port = (listening.address() as { port: number }).port;
  } else {
    const adapter = ((await import(pathToFileURL(`${tree}/impls/thrift/adapter.ts`).href)) as { default: Contract }).default;
    const echo = (args: Readonly<Record<string, unknown>>): unknown => args['value'];
    const handle = await adapter.serve({ ...endpoint(tree, 0), serverKind: 'ours', services: ['Conformance'] }, { Conformance: { echoI32: echo, echoBinary: echo } }, {});
    port = handle.port;
  }
  process.stdout.write(`${JSON.stringify({ port })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'cpu') {
      const cpu = process.cpuUsage();
      process.stdout.write(`${JSON.stringify({ cpuUs: cpu.user + cpu.system, sysUs: cpu.system, faults: process.resourceUsage().minorPageFault, gc, heap: heapShape() })}\n`);
    } else if (line === 'exit') {
      process.exit(0);
    }
  }
}

/** Child: the client; a warm-up, then prints "measuring", then the window's figures. */
async function client(kind: string, tree: string, port: number, bytes: number, seconds: number): Promise<void> {
  const connections = Number(process.env['ECHO_LOOP_CONNECTIONS'] ?? '1');
  const int = bytes === 0;
  const value = int ? Buffer.from([0, 0, 0, 42]) : payload(bytes);
  const loops: Array<() => Promise<void>> = [];
  for (let i = 0; i < connections; i++) {
    if (kind === 'raw') {
      const raw = (await import(pathToFileURL(`${tree}/bench/raw.ts`).href)) as { RawClient: { open(host: string, port: number, payload: Buffer): Promise<{ call(): Promise<void> }> } };
      const c = await raw.RawClient.open('127.0.0.1', port, value);
      loops.push(() => c.call());
    } else {
      const adapter = ((await import(pathToFileURL(`${tree}/impls/thrift/adapter.ts`).href)) as { default: Contract }).default;
      const c = await adapter.connect(endpoint(tree, port), { timeoutMs: 30_000 });
      const args = { value: int ? 42 : value };
      loops.push(int
        ? async () => {
          if ((await c.call('Conformance', 'echoI32', args)) !== 42) throw new Error('the echo differs');
        }
        : async () => {
          const answer = await c.call('Conformance', 'echoBinary', args);
          if (!Buffer.isBuffer(answer) || !answer.equals(value)) throw new Error('the echo differs');
        });
    }
  }
  const gc = watchGc();
  const run = async (ms: number): Promise<number> => {
    const until = performance.now() + ms;
    let n = 0;
    await Promise.all(loops.map(async (call) => {
      while (performance.now() < until) {
        await call();
        n++;
      }
    }));
    return n;
  };
  await run(1500);
  const gcBefore = { ...gc };
  process.stdout.write('measuring\n');
  // Let the driver read the server's CPU before the window starts.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const cpuBefore = process.cpuUsage();
  const faultsBefore = process.resourceUsage().minorPageFault;
  const started = performance.now();
  const calls = await run(seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const faults = process.resourceUsage().minorPageFault - faultsBefore;
  const gcWindow = { minor: gc.minor - gcBefore.minor, major: gc.major - gcBefore.major, ms: gc.ms - gcBefore.ms };
  process.stdout.write(`${JSON.stringify({ calls, elapsed, cpuUs: cpu.user + cpu.system, sysUs: cpu.system, faults, gc: gcWindow })}\n`);
  process.exit(0);
}

function lines(child: ChildProcess): AsyncIterator<string> {
  return createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
}

async function next(it: AsyncIterator<string>): Promise<string> {
  const r = await it.next();
  if (r.done) throw new Error('child ended early');
  return r.value;
}

interface Profiling {
  /** --cpu-prof into this folder. */
  readonly cpuProf?: string;
  /** perf record (with --perf-basic-prof) of both processes into this folder. */
  readonly perf?: string;
  /** strace -c (system calls counted) of both processes into this folder. */
  readonly strace?: string;
}

async function contend(name: string, kind: string, tree: string, bytes: number, seconds: number, profiling: Profiling): Promise<void> {
  const stamp = Date.now();
  const command = (cpu: string, role: string, args: string[]): [string, string[]] => {
    const node = [process.execPath, ...(profiling.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profiling.cpuProf}`, `--cpu-prof-name=${name}-${kind}-${role}-${stamp}.cpuprofile`] : []),
      ...(profiling.perf ? ['--perf-basic-prof'] : []), `${HERE}echo-loop.ts`, ...args];
    const perf = profiling.perf ? ['perf', 'record', '-q', '-F', '4000', '-g', '-o', `${profiling.perf}/${name}-${kind}-${role}-${stamp}.data`, '--'] : [];
    const strace = profiling.strace ? ['strace', '-f', '-c', '-o', `${profiling.strace}/${name}-${kind}-${role}-${stamp}.txt`] : [];
    return ['taskset', ['-c', cpu, ...perf, ...strace, ...node]];
  };
  const [srvCmd, srvArgs] = command('1', 'server', ['serve', kind, tree]);
  const srv = spawn(srvCmd, srvArgs, { stdio: ['pipe', 'pipe', 'inherit'] });
  const srvLines = lines(srv);
  const { port } = JSON.parse(await next(srvLines)) as { port: number };
  const [cliCmd, cliArgs] = command('0', 'client', ['call', kind, tree, String(port), String(bytes), String(seconds)]);
  const cli = spawn(cliCmd, cliArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const cliExited = new Promise((resolve) => cli.once('exit', resolve));
  const cliLines = lines(cli);
  const askServer = async (): Promise<{ cpuUs: number; sysUs: number; faults: number; gc: GcCount; heap: string }> => {
    srv.stdin?.write('cpu\n');
    return JSON.parse(await next(srvLines)) as { cpuUs: number; sysUs: number; faults: number; gc: GcCount; heap: string };
  };
  if ((await next(cliLines)) !== 'measuring') throw new Error('client did not start');
  const s0 = await askServer();
  const result = JSON.parse(await next(cliLines)) as { calls: number; elapsed: number; cpuUs: number; sysUs: number; faults: number; gc: GcCount };
  const s1 = await askServer();
  if (process.env['ECHO_LOOP_HEAP']) console.log(`  server heap at the end: ${s1.heap}`);
  srv.stdin?.write('exit\n');
  await Promise.all([new Promise((resolve) => srv.once('exit', resolve)), cliExited]);
  const perK = (n: number): string => ((1000 * n) / result.calls).toFixed(1);
  const serverCpu = (s1.cpuUs - s0.cpuUs) / result.calls;
  const clientCpu = result.cpuUs / result.calls;
  console.log([
    name.padEnd(6), kind.padEnd(4),
    `${Math.round(result.calls / result.elapsed)} calls/s`.padStart(14),
    `client ${clientCpu.toFixed(1)} µs (sys ${(result.sysUs / result.calls).toFixed(1)}, ${(result.faults / result.calls).toFixed(1)} faults)`.padStart(40),
    `server ${serverCpu.toFixed(1)} µs (sys ${((s1.sysUs - s0.sysUs) / result.calls).toFixed(1)}, ${((s1.faults - s0.faults) / result.calls).toFixed(1)} faults)`.padStart(40),
    `sum ${(clientCpu + serverCpu).toFixed(1)}`.padStart(10),
    `| GC per 1k calls: client ${perK(result.gc.minor)} minor ${perK(result.gc.major)} major ${(1000 * result.gc.ms / result.calls).toFixed(1)} µs/call;`,
    `server ${perK(s1.gc.minor - s0.gc.minor)} minor ${perK(s1.gc.major - s0.gc.major)} major ${(1000 * (s1.gc.ms - s0.gc.ms) / result.calls).toFixed(1)} µs/call`,
  ].join(' '));
}

async function driver(argv: string[]): Promise<void> {
  let seconds = 3;
  let rounds = 2;
  let bytes = 64 * 1024;
  let kinds = ['ours', 'raw'];
  const profiling: { cpuProf?: string; perf?: string; strace?: string } = {};
  const trees: Array<[string, string]> = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1] ?? '';
    if (arg === '--seconds') seconds = Number(value);
    else if (arg === '--rounds') rounds = Number(value);
    else if (arg === '--bytes') bytes = Number(value);
    else if (arg === '--kinds') kinds = value.split(',');
    else if (arg === '--transport') process.env['ECHO_LOOP_TRANSPORT'] = value;
    else if (arg === '--protocol') process.env['ECHO_LOOP_PROTOCOL'] = value;
    else if (arg === '--connections') process.env['ECHO_LOOP_CONNECTIONS'] = value;
    else if (arg === '--prof') profiling.cpuProf = value;
    else if (arg === '--perf') profiling.perf = value;
    else if (arg === '--strace') profiling.strace = value;
    else if (arg === '--tree') {
      const [name, path] = value.split('=');
      trees.push([name ?? 'tree', path ?? THIS_TREE]);
    } else throw new Error(`unknown argument ${arg}`);
    i++;
  }
  if (trees.length === 0) trees.push(['this', THIS_TREE]);
  const contenders = trees.flatMap(([name, tree]) => kinds.filter((k) => k !== 'raw').map((kind) => [name, kind, tree] as const));
  if (kinds.includes('raw')) contenders.push(['floor', 'raw', THIS_TREE]);
  for (let r = 0; r < rounds; r++) {
    // Rotated each round so no contender always runs first.
    for (let k = 0; k < contenders.length; k++) {
      const [name, kind, tree] = contenders[(k + r) % contenders.length] as readonly [string, string, string];
      await contend(name, kind, tree, bytes, seconds, profiling);
    }
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'serve') await server(rest[0] as string, rest[1] as string);
else if (mode === 'call') await client(rest[0] as string, rest[1] as string, Number(rest[2]), Number(rest[3]), Number(rest[4]));
else await driver(process.argv.slice(2));
