// A host-side A/B measure of our Avro stream server's CPU per int call when it is woken per
// message (issue 15, ninth pass), not a test and not the bench. server-loop.ts measures the server
// warm, with its client in the same process; here the client is another process, as in the bench,
// so the server sleeps in epoll between calls and is woken by every request.
//
// Per window: a server (a tree's, through the adapter as the bench agent serves it, or the raw
// floor of bench/raw.ts) pinned to CPU 1, and a replaying client pinned to CPU 0 that sends our own
// client's recorded bytes (the first call with its handshake, then a plain echoInt(42) call; the
// same bytes every time on standard framing), one call in flight. The raw floor gets a
// length-prefixed message of the request's size and echoes it. Participants take turns, rotated
// each round. Reported per call: the server process's CPU (every thread, and the main thread),
// the client's, the server's voluntary context switches (its wake-ups) and read/write system calls
// (/proc/<pid>/io syscr, syscw), medians and ranges over the rounds.
// --strace DIR: one window per participant with `strace -f -c` attached to the server (its
// CPU figures then mean nothing; the counts do), the summaries left in DIR. --perf DIR: one window
// per participant under `perf record -g` (cpu-clock, 20 kHz; the server runs with
// --perf-basic-prof so that JIT code has names), DIR/<name>-<scheme>.perf.data.
//
//   node impls/avro/profile/cross-loop.ts [--seconds 2] [--rounds 5] [--scheme avro|tcp|http]
//        [--warmup 1] [--tree name=/path/to/a/checkout ...] [--no-raw] [--raw-spin-us N ...] [--strace DIR | --perf DIR]
//        [--client-writes one|java-tcp|python] [--payload int|64KiB] [--replay] [--replay-loaded]
//
// --payload 64KiB: the call is echoBytes of 64 KiB (bench/protocol.ts's payloadBytes) instead of
// echoInt(42). --replay adds bench/replay-avro.ts's replay server (canned answers, no RPC work) as
// participant `replay`; --replay-loaded adds it once more (`replay+ours`) in a process that has also
// loaded and started our server (idle), so that its heap holds what ours holds.
//
// --raw-spin-us N adds the raw floor spinning N µs before each answer (participant raw+N).
// CROSS_SERVER_NODE_FLAGS="--trace-gc ..." adds node options to the server processes (their output
// goes to stderr).
//
// --scheme http: the client posts our client's recorded body behind our client's request head on
// one keep-alive connection and reads each answer by its Content-Length; --replay is then
// replay-avro.ts's HTTP replay server (node:http with the canned answer). --client-writes
// java-http sends an int call framed as Java's client frames it (javaHttpBody); head-body writes
// the head and the body apart (two segments, as a client that flushes its headers first sends
// them).
//
// --client-writes java-tcp sends each request as Java's SocketTransceiver writes it on raw TCP (each
// frame's length and its bytes with separate writes, then the zero length), to see what a request
// arriving in pieces costs the server.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { adapterOf, answerCpuQueries, echoHandlers, httpAnswers, httpPostHead, nextJson, protocol, type ServerCpu, startPinned, THIS_TREE, transportOf } from './loop-setup.ts';

const SCRIPT = new URL(import.meta.url).pathname;

interface Participant { readonly name: string; readonly root: string | undefined }

interface ServerFigures extends ServerCpu {
  /** Collections in the window (PerformanceObserver 'gc'): scavenges, mark-compacts, and their ms. */
  readonly scavenges: number;
  readonly markCompacts: number;
  readonly gcMs: number;
}
interface ClientFigures { readonly calls: number; readonly seconds: number; readonly cpuUs: number }
interface ProcCounts {
  readonly voluntary: number;
  readonly involuntary: number;
  readonly syscr: number;
  readonly syscw: number;
  readonly minflt: number;
  /** CPU ns of the threads other than the main one, by thread name (/proc/<pid>/task/<tid>/schedstat). */
  readonly others: Readonly<Record<string, number>>;
}

function out(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Server child: serves until stdin ends; `mark` and `cpu` lines measure a window. */
async function serve(root: string, scheme: string): Promise<void> {
  let port: number;
  if (root.startsWith('replay:') || root.startsWith('replay+ours:')) {
    // replay+ours: the replay server in a process that has also loaded and started our server (its
    // modules, protocol and an idle listener), to tell our per-call work from our heap's size.
    if (root.startsWith('replay+ours:')) {
      const listen = (await adapterOf(THIS_TREE)).listen;
      await listen?.({ url: `${scheme}://127.0.0.1:0/`, transport: transportOf(scheme), protocol }, echoHandlers(), {});
    }
    const { serveAvroHttpReplay, serveAvroReplay } = await import(pathToFileURL(`${THIS_TREE}/bench/replay-avro.ts`).href) as typeof import('../../../bench/replay-avro.ts');
    const payload = payloadOf(root.slice(root.indexOf(':') + 1));
    const server = scheme === 'http' ? await serveAvroHttpReplay('127.0.0.1', 0, payload) : await serveAvroReplay('127.0.0.1', 0, { transport: transportOf(scheme), payload });
    port = (server.address() as { port: number }).port;
  } else if (root === 'raw') {
    const { serveRaw } = await import(pathToFileURL(`${THIS_TREE}/bench/raw.ts`).href) as typeof import('../../../bench/raw.ts');
    const server = await serveRaw('127.0.0.1', 0);
    port = (server.address() as { port: number }).port;
  } else if (root.startsWith('raw+')) {
    // The raw floor made slower on purpose: it spins this many µs before each answer (is the cost
    // of waking the client a matter of how long the client slept?).
    const spinMs = Number(root.slice(4)) / 1000;
    const { LENGTH_PREFIXED, serveCanned } = await import(pathToFileURL(`${THIS_TREE}/bench/canned.ts`).href) as typeof import('../../../bench/canned.ts');
    const server = await serveCanned('127.0.0.1', 0, { boundary: LENGTH_PREFIXED, answerer: () => (message) => {
      for (const until = performance.now() + spinMs; performance.now() < until;);
      return message;
    } });
    port = (server.address() as { port: number }).port;
  } else {
    const listen = (await adapterOf(root)).listen;
    if (!listen) throw new Error('no server');
    port = (await listen({ url: `${scheme}://127.0.0.1:0/`, transport: transportOf(scheme), protocol }, echoHandlers(), {})).port;
  }
  out({ port, pid: process.pid });
  // Collections are counted from the process's own gc entries (minor = scavenge, major = mark-compact).
  const gcs = { scavenges: 0, markCompacts: 0, gcMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) gcs.scavenges++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcs.markCompacts++;
      gcs.gcMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  await answerCpuQueries((cpu) => out({ ...cpu, ...gcs } satisfies ServerFigures), () => {
    gcs.scavenges = 0;
    gcs.markCompacts = 0;
    gcs.gcMs = 0;
  });
  process.exit(0);
}

type PayloadSpec = { readonly kind: 'int' } | { readonly kind: 'bytes'; readonly size: number };

function payloadOf(name: string): PayloadSpec {
  if (name === 'int') return { kind: 'int' };
  const m = /^(\d+)KiB$/.exec(name);
  if (!m) throw new Error(`--payload int or <n>KiB, not ${name}`);
  return { kind: 'bytes', size: Number(m[1]) * 1024 };
}

/** The echo call of a payload: echoInt(42) or echoBytes of bench's payload bytes. */
async function echoCall(payloadName: string): Promise<{ message: string; request: Record<string, unknown> }> {
  const payload = payloadOf(payloadName);
  if (payload.kind === 'int') return { message: 'echoInt', request: { value: 42 } };
  const { payloadBytes } = await import(pathToFileURL(`${THIS_TREE}/bench/protocol.ts`).href) as typeof import('../../../bench/protocol.ts');
  return { message: 'echoBytes', request: { value: payloadBytes(payload.size) } };
}

/** What the replay server answers to the opening and to each later call (framed; SASL's COMPLETE first). */
async function replayAnswerBytes(scheme: string, payloadName: string): Promise<{ opening: number; call: number }> {
  const wire = await import(pathToFileURL(`${THIS_TREE}/bench/replay-avro-wire.ts`).href) as typeof import('../../../bench/replay-avro-wire.ts');
  const answer = wire.callResponse(payloadOf(payloadName));
  const sasl = transportOf(scheme) === 'sasl' ? wire.SASL_COMPLETE.length : 0;
  return { opening: sasl + wire.standardFramed(Buffer.concat([wire.HANDSHAKE_BOTH, answer])).length, call: wire.standardFramed(answer).length };
}

/** Our client's bytes for the first call (handshake, SASL negotiation) and a plain call, and the plain call's answer. */
async function record(scheme: string, payloadName: string): Promise<{ opening: Buffer; openingAnswerBytes: number; call: Buffer; answerBytes: number }> {
  const { message, request } = await echoCall(payloadName);
  const transport = transportOf(scheme);
  const adapter = await adapterOf(THIS_TREE);
  const server = await adapter.listen?.({ url: `${scheme}://127.0.0.1:0/`, transport, protocol }, echoHandlers(), {});
  if (!server || !adapter.connect) throw new Error('no server or client');
  let sent: Buffer[] = [];
  let received = 0;
  const client = await adapter.connect({ url: `${scheme}://127.0.0.1:${server.port}/`, transport, protocol },
    { timeoutMs: 10_000, recorder: { sent: (bytes) => sent.push(Buffer.from(bytes)), received: (bytes) => { received += bytes.length; } } });
  await client.call(message, request);
  const opening = Buffer.concat(sent);
  const openingAnswerBytes = received;
  sent = [];
  received = 0;
  await client.call(message, request);
  const call = Buffer.concat(sent);
  const answerBytes = received;
  await client.close();
  await server.close();
  return { opening, openingAnswerBytes, call, answerBytes };
}

/**
 * The request as Java's SocketTransceiver writes it: each buffer's length and its bytes apart,
 * then the zero length. Java's encoder cuts a message into buffers of 8 KiB (and a large bytes
 * value into a buffer of its own, cut the same way), so our one big frame is cut at 8 KiB here.
 */
function javaTcpPieces(call: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  for (;;) {
    const length = call.readUInt32BE(at);
    at += 4;
    if (length === 0) {
      pieces.push(Buffer.alloc(4));
      return pieces;
    }
    for (let cut = 0; cut < length; cut += 8192) {
      const n = Math.min(8192, length - cut);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(n, 0);
      pieces.push(header, call.subarray(at + cut, at + cut + n));
    }
    at += length;
  }
}

/**
 * An int call's body as Java's HttpTransceiver sends it (seen in the bench: one read per request):
 * the handshake's meta an empty map (02 00) where ours is null (00), and the parameters in a frame
 * of their own (Java frames each buffer of its encoder, and the call's parameters start a new one).
 */
function javaHttpBody(ours: Buffer): Buffer {
  const payload = ours.subarray(4, 4 + ours.readUInt32BE(0));
  // clientHash (16), clientProtocol null (1), serverHash (16), then the meta's union index.
  if (payload[33] !== 0) throw new Error('java-http: our handshake was expected to carry a null meta');
  const java = Buffer.concat([payload.subarray(0, 33), Buffer.from([2, 0]), payload.subarray(34)]);
  const frame = (bytes: Buffer): Buffer => {
    const header = Buffer.alloc(4);
    header.writeUInt32BE(bytes.length, 0);
    return Buffer.concat([header, bytes]);
  };
  const parameters = 1; // zigzag 42: one byte
  return Buffer.concat([frame(java.subarray(0, java.length - parameters)), frame(java.subarray(java.length - parameters)), Buffer.alloc(4)]);
}

/** Client child: warms up (--warmup seconds), says ready, runs `seconds`, prints its figures. */
async function client(scheme: string, port: number, seconds: number, raw: boolean, writes: string, warmupSeconds: number, payloadName: string, replay: boolean): Promise<void> {
  const recorded = await record(scheme, payloadName);
  const http = scheme === 'http' && !raw;
  let call = recorded.call;
  let answerBytes = recorded.answerBytes;
  if (replay && !http) {
    const replayed = await replayAnswerBytes(scheme, payloadName);
    recorded.openingAnswerBytes = replayed.opening;
    answerBytes = replayed.call;
  }
  if (raw) {
    call = Buffer.alloc(recorded.call.length);
    call.writeUInt32BE(call.length - 4, 0);
    answerBytes = call.length;
  }
  // python: the same 8 KiB frames, written at once (containers/python-avro/wire.py: one sendall).
  // HTTP: our client's POST (head and body in one write), or with head-body the two apart.
  if (http && writes === 'java-http') call = javaHttpBody(call);
  const head = httpPostHead(call.length);
  const pieces = http ? (writes === 'head-body' ? [head, call] : [Buffer.concat([head, call])])
    : raw || writes === 'one' ? [call] : writes === 'python' ? [Buffer.concat(javaTcpPieces(call))] : javaTcpPieces(call);
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
  if (!raw && !http) {
    // The opening's answer (SASL COMPLETE, handshake, echo) is read whole and dropped.
    await new Promise<void>((resolve, reject) => {
      let got = 0;
      const timer = setTimeout(() => reject(new Error(`the opening's answer: ${got} of ${recorded.openingAnswerBytes} bytes`)), 10_000);
      const drop = (chunk: Buffer): void => {
        got += chunk.length;
        if (got < recorded.openingAnswerBytes) return;
        clearTimeout(timer);
        socket.off('data', drop);
        if (got > recorded.openingAnswerBytes) reject(new Error(`the opening's answer: ${got} bytes, ${recorded.openingAnswerBytes} expected`));
        else resolve();
      };
      socket.on('data', drop);
      socket.write(recorded.opening);
    });
  }
  let calls = 0;
  const send = (): void => {
    for (const piece of pieces) socket.write(piece);
  };
  const run = (ms: number): Promise<void> => new Promise((resolve) => {
    const until = performance.now() + ms;
    let got = 0;
    // An HTTP answer's head is the server's own: it ends with its Content-Length's bytes.
    const httpAnswer = http ? httpAnswers() : undefined;
    const onData = (chunk: Buffer): void => {
      if (httpAnswer) {
        if (!httpAnswer(chunk)) return;
      } else {
        got += chunk.length;
        if (got < answerBytes) return;
        if (got > answerBytes) throw new Error(`answer of ${got} bytes, ${answerBytes} expected`);
        got = 0;
      }
      calls++;
      if (performance.now() < until) send();
      else {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    send();
  });
  await run(warmupSeconds * 1000);
  out({ ready: true });
  // The driver marks the server's counters after reading this line; give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const calls0 = calls;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(seconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  out({ calls: calls - calls0, seconds: (performance.now() - t0) / 1000, cpuUs: cpu.user + cpu.system } satisfies ClientFigures);
  socket.destroy();
  process.exit(0);
}

function start(cpu: number, args: string[], nodeFlags: readonly string[] = []): ReturnType<typeof startPinned> {
  return startPinned(SCRIPT, cpu, args, nodeFlags);
}

/** Context switches of the main thread and read/write system calls of the process. */
function procCounts(pid: number): ProcCounts {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, 'utf8');
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (text: string, name: string): number => Number(new RegExp(`^${name}:\\s*(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
  // /proc/<pid>/stat: the fields after the command's closing parenthesis; minflt is the 10th field.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const minflt = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  const others: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (tid === String(pid)) continue;
    try {
      const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      others[name] = (others[name] ?? 0) + Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return {
    others,
    minflt,
    voluntary: field(status, 'voluntary_ctxt_switches'), involuntary: field(status, 'nonvoluntary_ctxt_switches'),
    syscr: field(io, 'syscr'), syscw: field(io, 'syscw'),
  };
}

interface WindowResult {
  readonly client: ClientFigures;
  readonly server: ServerFigures;
  readonly counts: ProcCounts;
  readonly strace?: string;
}

/** How a window is watched from outside: strace -c (counts) or perf record (samples), into a file. */
interface Tracing { readonly kind: 'strace' | 'perf'; readonly file: string }

async function window(p: Participant, scheme: string, seconds: number, writes: string, tracing: Tracing | undefined, warmup: number, payloadName: string): Promise<WindowResult> {
  const flags = [...(tracing?.kind === 'perf' ? ['--perf-basic-prof'] : []), ...(process.env['CROSS_SERVER_NODE_FLAGS']?.split(' ').filter(Boolean) ?? [])];
  const replay = (p.root?.startsWith('replay:') || p.root?.startsWith('replay+ours:')) ?? false;
  const server = start(1, ['serve', replay ? `${p.root}${payloadName}` : p.root ?? 'raw', scheme], flags);
  const { port, pid } = await nextJson<{ port: number; pid: number }>(server.lines);
  const raw = p.root === undefined || p.root.startsWith('raw+');
  const client = start(0, ['client', scheme, String(port), String(seconds), raw ? 'raw' : replay ? 'replay' : 'ours', writes, String(warmup), payloadName]);
  await nextJson<{ ready: boolean }>(client.lines);
  let tracer: ChildProcess | undefined;
  if (tracing) {
    tracer = tracing.kind === 'strace'
      ? spawn('strace', ['-f', '-c', '-o', tracing.file, '-p', String(pid)], { stdio: 'ignore' })
      : spawn('perf', ['record', '-q', '-e', 'cpu-clock', '-F', '20000', '-g', '-o', tracing.file, '-p', String(pid)], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  server.proc.stdin?.write('mark\n');
  const before = procCounts(pid);
  const result = await nextJson<ClientFigures>(client.lines);
  const after = procCounts(pid);
  server.proc.stdin?.write('cpu\n');
  const figures = await nextJson<ServerFigures>(server.lines);
  if (tracer) {
    tracer.kill('SIGINT');
    await new Promise((resolve) => tracer?.once('exit', resolve));
  }
  server.proc.stdin?.end();
  await client.exited;
  await server.exited;
  const counts = {
    voluntary: after.voluntary - before.voluntary, involuntary: after.involuntary - before.involuntary,
    syscr: after.syscr - before.syscr, syscw: after.syscw - before.syscw, minflt: after.minflt - before.minflt,
    others: Object.fromEntries(Object.entries(after.others).map(([name, ns]) => [name, ns - (before.others[name] ?? 0)])),
  };
  return { client: result, server: figures, counts, ...(tracing?.kind === 'strace' ? { strace: readFileSync(tracing.file, 'utf8') } : {}) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function summary(values: number[], digits = 1): string {
  return `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
}

/** strace -c's table as system call -> calls, per call of the loop. */
function straceCounts(text: string, calls: number): string {
  const rows: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:(\d+)\s+)?(\w+)\s*$/.exec(line);
    if (!m || m[3] === 'total') continue;
    const perCall = Number(m[1]) / calls;
    if (perCall >= 0.01) rows.push(`${m[3]} ${perCall.toFixed(2)}${m[2] ? ` (${(Number(m[2]) / calls).toFixed(2)} errors)` : ''}`);
  }
  return rows.join(', ');
}

async function driver(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '2' }, rounds: { type: 'string', default: '5' }, scheme: { type: 'string', default: 'avro' },
      tree: { type: 'string', multiple: true }, 'no-raw': { type: 'boolean', default: false }, strace: { type: 'string' }, perf: { type: 'string' },
      'client-writes': { type: 'string', default: 'one' }, payload: { type: 'string', default: 'int' }, replay: { type: 'boolean', default: false }, 'replay-loaded': { type: 'boolean', default: false }, 'raw-spin-us': { type: 'string', multiple: true }, warmup: { type: 'string', default: '1' },
    },
  });
  const scheme = values.scheme;
  const seconds = Number(values.seconds);
  const writes = values['client-writes'];
  const participants: Participant[] = (values.tree ?? ['this']).map((spec) => {
    const [name, path] = spec.split('=');
    return { name: name || 'tree', root: path || THIS_TREE };
  });
  if (values.replay) participants.push({ name: 'replay', root: 'replay:' });
  if (values['replay-loaded']) participants.push({ name: 'replay+ours', root: 'replay+ours:' });
  if (!values['no-raw']) participants.push({ name: 'raw', root: undefined });
  const payloadName = values.payload;
  for (const us of values['raw-spin-us'] ?? []) participants.push({ name: `raw+${us}`, root: `raw+${us}` });
  if (values.strace) {
    for (const p of participants) {
      const w = await window(p, scheme, seconds, writes, { kind: 'strace', file: `${values.strace}/${p.name}-${scheme}.strace` }, Number(values.warmup), payloadName);
      console.log(`strace ${p.name.padEnd(8)} ${w.client.calls} calls; per call: ${straceCounts(w.strace ?? '', w.client.calls)}`);
    }
    return;
  }
  if (values.perf) {
    for (const p of participants) {
      const file = `${values.perf}/${p.name}-${scheme}.perf.data`;
      const w = await window(p, scheme, seconds, writes, { kind: 'perf', file }, Number(values.warmup), payloadName);
      console.log(`perf ${p.name.padEnd(8)} ${w.client.calls} calls, server CPU µs/call ${(w.server.cpuUs / w.client.calls).toFixed(1)}: ${file}`);
    }
    return;
  }
  const results = new Map<string, WindowResult[]>();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (let k = 0; k < participants.length; k++) {
      const p = participants[(k + round) % participants.length] as Participant;
      const w = await window(p, scheme, seconds, writes, undefined, Number(values.warmup), payloadName);
      results.set(p.name, [...(results.get(p.name) ?? []), w]);
      const n = w.client.calls;
      process.stderr.write(`round ${round + 1} ${p.name.padEnd(8)} ${(n / w.client.seconds).toFixed(0)} calls/s, server CPU µs/call ${(w.server.cpuUs / n).toFixed(1)} (sys ${(w.server.sysUs / n).toFixed(1)}, main thread ${(w.server.threadUs / n).toFixed(1)}), client ${(w.client.cpuUs / n).toFixed(1)}; server per call: wake-ups ${(w.counts.voluntary / n).toFixed(2)}, preempted ${(w.counts.involuntary / n).toFixed(3)}, reads ${(w.counts.syscr / n).toFixed(2)}, writes ${(w.counts.syscw / n).toFixed(2)}, minor faults ${(w.counts.minflt / n).toFixed(3)}; other threads µs/call ${Object.entries(w.counts.others).filter(([, ns]) => ns / n >= 50).map(([name, ns]) => `${name} ${(ns / n / 1000).toFixed(2)}`).join(', ')}\n`);
    }
  }
  console.log(`scheme ${scheme}, payload ${payloadName}, client writes ${writes}, ${values.rounds} rounds × ${seconds} s after ${values.warmup} s of warm-up; median (min-max) over rounds`);
  console.log('| server | calls/s | server CPU µs/call | of it system | main thread | client CPU µs/call | server wake-ups/call | reads/call | writes/call | minor faults/call | scavenges / mark-compacts per 1,000 calls | GC pause µs/call |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, ws] of results) {
    const per = (f: (w: WindowResult) => number): number[] => ws.map((w) => f(w) / w.client.calls);
    console.log(`| ${name} | ${summary(ws.map((w) => w.client.calls / w.client.seconds), 0)} | ${summary(per((w) => w.server.cpuUs))} | ${summary(per((w) => w.server.sysUs))} | ${summary(per((w) => w.server.threadUs))} | ${summary(per((w) => w.client.cpuUs))} | ${summary(per((w) => w.counts.voluntary), 2)} | ${summary(per((w) => w.counts.syscr), 2)} | ${summary(per((w) => w.counts.syscw), 2)} | ${summary(per((w) => w.counts.minflt), 3)} | ${summary(per((w) => 1000 * w.server.scavenges))} / ${summary(per((w) => 1000 * w.server.markCompacts))} | ${summary(per((w) => 1000 * w.server.gcMs))} |`);
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'serve') await serve(rest[0] as string, rest[1] as string);
else if (mode === 'client') await client(rest[0] as string, Number(rest[1]), Number(rest[2]), rest[3] === 'raw', rest[4] ?? 'one', Number(rest[5] ?? 1), rest[6] ?? 'int', rest[3] === 'replay');
else await driver(process.argv.slice(2));
