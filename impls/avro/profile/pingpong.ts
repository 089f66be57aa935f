// A host-side A/B loop for one Avro int echo at a time (issue 15, "int x1 latency"): our client
// calling our server over tcp:// and avro:// (SASL), through the adapter as the bench calls it,
// beside Node's raw loopback echo of the same bytes (bench/raw.ts), for one or more trees of the
// repository (e.g. the branch and a `git archive` of the commit before it) in the same minutes.
//
//   node impls/avro/profile/pingpong.ts [--seconds 2] [--rounds 3] [--schemes tcp,avro]
//                                       [--tree name=/path/to/repo ...] [--cpu-prof DIR]
//   (PINGPONG_NODE_FLAGS="--trace-gc ..." adds node options to both processes)
//
// Client and server are separate processes pinned to CPUs 0 and 1 (as the bench pins one call in
// flight). Each window reports calls/s and the CPU µs per call of each process; rounds alternate
// the trees and the raw floor, so a change is judged against what ran in the same minutes.
// A measuring tool, not a test: run it by hand on a quiet machine.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { answerCpuQueries, nextJson, startPinned } from './loop-setup.ts';

const HERE = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
const INT = 42;

interface Tree { readonly name: string; readonly root: string }
interface Window {
  readonly calls: number;
  readonly seconds: number;
  /** Process CPU (every thread), and the main (JavaScript) thread's alone. */
  readonly clientCpuUs: number;
  readonly serverCpuUs: number;
  readonly clientThreadUs: number;
  readonly serverThreadUs: number;
}

/** One process's side, driven by lines on stdin, answering with one JSON line each. */
async function child(role: string, root: string, scheme: string, port: string, seconds: string): Promise<void> {
  const out = (value: unknown): void => { process.stdout.write(`${JSON.stringify(value)}\n`); };
  const protocolText = readFileSync(`${root}/suites/avro/data/protocols/conformance.avpr`, 'utf8');
  if (role === 'serve') {
    let port = 0;
    if (scheme === 'raw') {
      const { serveRaw } = await import(pathToFileURL(`${root}/bench/raw.ts`).href) as typeof import('../../../bench/raw.ts');
      const server = await serveRaw('127.0.0.1', 0);
      port = (server.address() as { port: number }).port;
    } else {
      const adapter = (await import(pathToFileURL(`${root}/impls/avro/adapter.ts`).href) as typeof import('../adapter.ts')).default;
      const messages = Object.keys((JSON.parse(protocolText) as { messages: object }).messages);
      const echo = (request: Readonly<Record<string, unknown>>): unknown => request['value'];
      const handlers = Object.fromEntries(messages.map((name) => [name, echo]));
      const listen = adapter.listen;
      if (!listen) throw new Error('no server');
      const url = `${scheme}://127.0.0.1:0/`;
      const handle = await listen({ url, transport: scheme === 'avro' ? 'sasl' : scheme, protocol: { name: 'conformance', text: protocolText } }, handlers, {});
      port = handle.port;
    }
    out({ port });
    await answerCpuQueries(out);
    process.exit(0);
  }
  // client: warm up 1 s, then one window of `seconds`
  let call: () => Promise<void>;
  let close: () => unknown;
  if (scheme === 'raw') {
    const { RawClient } = await import(pathToFileURL(`${root}/bench/raw.ts`).href) as typeof import('../../../bench/raw.ts');
    const payload = Buffer.alloc(4);
    payload.writeInt32BE(INT, 0);
    const client = await RawClient.open('127.0.0.1', Number(port), payload);
    call = () => client.call();
    close = () => client.close();
  } else {
    const adapter = (await import(pathToFileURL(`${root}/impls/avro/adapter.ts`).href) as typeof import('../adapter.ts')).default;
    const connect = adapter.connect;
    if (!connect) throw new Error('no client');
    const url = `${scheme}://127.0.0.1:${port}/`;
    const client = await connect({ url, transport: scheme === 'avro' ? 'sasl' : scheme, protocol: { name: 'conformance', text: protocolText } }, { timeoutMs: 10_000 });
    const request = { value: INT };
    call = async () => {
      if ((await client.call('echoInt', request)) !== INT) throw new Error('wrong echo');
    };
    close = () => client.close();
  }
  const until = (ms: number): number => performance.now() + ms;
  for (let end = until(1000); performance.now() < end;) await call();
  out({ ready: true });
  const cpu0 = process.cpuUsage();
  const thread0 = process.threadCpuUsage();
  const t0 = performance.now();
  let calls = 0;
  for (const end = t0 + Number(seconds) * 1000; performance.now() < end; calls++) await call();
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const thread = process.threadCpuUsage(thread0);
  out({ calls, seconds: elapsed, cpuUs: cpu.user + cpu.system, threadUs: thread.user + thread.system });
  await close();
  process.exit(0);
}

function start(cpu: number, args: string[], profileDir: string | undefined): ReturnType<typeof startPinned> {
  const nodeArgs = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...(process.env['PINGPONG_NODE_FLAGS']?.split(' ').filter(Boolean) ?? [])];
  return startPinned(new URL(import.meta.url).pathname, cpu, args, nodeArgs);
}

async function window(tree: Tree, scheme: string, seconds: number, profileDir: string | undefined): Promise<Window> {
  const server = start(1, ['serve', tree.root, scheme], profileDir);
  const { port } = await nextJson<{ port: number }>(server.lines);
  const client = start(0, ['client', tree.root, scheme, String(port), String(seconds)], profileDir);
  await nextJson<{ ready: boolean }>(client.lines);
  server.proc.stdin?.write('mark\n');
  const result = await nextJson<{ calls: number; seconds: number; cpuUs: number; threadUs: number }>(client.lines);
  server.proc.stdin?.write('cpu\n');
  const { cpuUs, threadUs } = await nextJson<{ cpuUs: number; threadUs: number }>(server.lines);
  server.proc.stdin?.end();
  await client.exited;
  await server.exited;
  return { calls: result.calls, seconds: result.seconds, clientCpuUs: result.cpuUs, serverCpuUs: cpuUs, clientThreadUs: result.threadUs, serverThreadUs: threadUs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'serve' || argv[0] === 'client') {
    await child(argv[0], argv[1] as string, argv[2] as string, argv[3] ?? '', argv[4] ?? '');
    return;
  }
  let seconds = 2;
  let rounds = 3;
  let schemes = ['tcp', 'avro'];
  let profileDir: string | undefined;
  const trees: Tree[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i] ?? '';
    if (flag === '--seconds') seconds = Number(value);
    else if (flag === '--rounds') rounds = Number(value);
    else if (flag === '--schemes') schemes = value.split(',');
    else if (flag === '--cpu-prof') profileDir = value;
    else if (flag === '--tree') {
      const [name, root] = value.split('=');
      trees.push({ name: name as string, root: root as string });
    } else throw new Error(`unknown option ${flag}`);
  }
  if (trees.length === 0) trees.push({ name: 'this', root: HERE });
  const rows = new Map<string, Window[]>();
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round, the raw floor among them.
    const contenders: Array<{ label: string; tree: Tree; scheme: string }> = [];
    for (const scheme of schemes) for (const tree of trees) contenders.push({ label: `${scheme} ${tree.name}`, tree, scheme });
    contenders.push({ label: 'raw floor', tree: { name: 'raw', root: HERE }, scheme: 'raw' });
    const shift = round % contenders.length;
    for (const c of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
      const w = await window(c.tree, c.scheme, seconds, profileDir);
      rows.set(c.label, [...(rows.get(c.label) ?? []), w]);
      const per = (us: number): string => (us / w.calls).toFixed(1);
      process.stderr.write(`round ${round + 1} ${c.label}: ${(w.calls / w.seconds).toFixed(0)} calls/s, CPU µs per call: client ${per(w.clientCpuUs)} (main thread ${per(w.clientThreadUs)}), server ${per(w.serverCpuUs)} (main thread ${per(w.serverThreadUs)})\n`);
    }
  }
  const floor = rows.get('raw floor') ?? [];
  console.log('| contender | calls/s (median) | × raw floor (per round, median) | client CPU µs/call (main thread) | server CPU µs/call (main thread) |');
  console.log('|---|---|---|---|---|');
  const med = (ws: Window[], f: (w: Window) => number): string => median(ws.map((w) => f(w) / w.calls)).toFixed(1);
  for (const [label, ws] of rows) {
    const ofFloor = ws.map((w, i) => (w.calls / w.seconds) / ((floor[i] as Window).calls / (floor[i] as Window).seconds));
    console.log(`| ${label} | ${median(ws.map((w) => w.calls / w.seconds)).toFixed(0)} | ${median(ofFloor).toFixed(2)} | ${med(ws, (w) => w.clientCpuUs)} (${med(ws, (w) => w.clientThreadUs)}) | ${med(ws, (w) => w.serverCpuUs)} (${med(ws, (w) => w.serverThreadUs)}) |`);
  }
}

await main();
