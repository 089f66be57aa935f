// What the host A/B loops of this folder share (not a test and not the bench): the conformance
// protocol, the echo handlers, and loading a tree's adapter, so old and new trees run side by side.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

export type Adapter = typeof import('../adapter.ts').default;

/** This checkout's root (the loops record their bytes with this tree's code). */
export const THIS_TREE = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');

export const protocol = { name: 'conformance', text: readFileSync(`${THIS_TREE}/suites/avro/data/protocols/conformance.avpr`, 'utf8') };

/** The adapter of the tree at `root` (another checkout's, for the A/B). */
export async function adapterOf(root: string): Promise<Adapter> {
  return (await import(pathToFileURL(`${root}/impls/avro/adapter.ts`).href) as { default: Adapter }).default;
}

/** Every message of the protocol answers its request's value. */
export function echoHandlers(): Record<string, (request: Readonly<Record<string, unknown>>) => unknown> {
  const messages = Object.keys((JSON.parse(protocol.text) as { messages: object }).messages);
  return Object.fromEntries(messages.map((name) => [name, (request: Readonly<Record<string, unknown>>): unknown => request['value']]));
}

/** The adapter's transport for a URL scheme (avro:// is SASL). */
export function transportOf(scheme: string): string {
  return scheme === 'avro' ? 'sasl' : scheme;
}

/** A loop's child process (this script again, with args) pinned to one CPU, its stdout as lines. */
export function startPinned(script: string, cpu: number, args: readonly string[], nodeArgs: readonly string[]): { proc: ChildProcess; lines: AsyncIterator<string>; exited: Promise<unknown> } {
  const proc = spawn('taskset', ['-c', String(cpu), process.execPath, ...nodeArgs, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const exited = new Promise((done) => proc.once('exit', done));
  return { proc, lines, exited };
}

/** The child's next JSON line; other lines (node's --trace-gc output) go to stderr. */
export async function nextJson<T>(lines: AsyncIterator<string>): Promise<T> {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error('child ended early');
    if ((value as string).startsWith('{')) return JSON.parse(value as string) as T;
    process.stderr.write(`${value as string}\n`);
  }
}

/** A loop server's CPU, as its parent asks for it on stdin: "mark" opens a window, "cpu" answers for it. */
export interface ServerCpu { readonly cpuUs: number; readonly sysUs: number; readonly threadUs: number }

/**
 * Answers "mark" / "cpu" lines on stdin until it closes (the server side of every loop here);
 * onMark resets whatever else the caller counts per window.
 */
export async function answerCpuQueries(answer: (figures: ServerCpu) => void, onMark: () => void = () => undefined): Promise<void> {
  let mark = process.cpuUsage();
  let markThread = process.threadCpuUsage();
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'mark') {
      onMark();
      mark = process.cpuUsage();
      markThread = process.threadCpuUsage();
    } else if (line === 'cpu') {
      const cpu = process.cpuUsage(mark);
      const thread = process.threadCpuUsage(markThread);
      answer({ cpuUs: cpu.user + cpu.system, sysUs: cpu.system, threadUs: thread.user + thread.system });
    }
  }
}

/** A POST of one request body with the head our HTTP client writes (http/transport.ts). */
export function httpPostHead(bodyLength: number): Buffer {
  return Buffer.from(`POST / HTTP/1.1\r\nContent-Type: avro/binary\r\nContent-Length: ${bodyLength}\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`, 'latin1');
}

/** Reads one HTTP answer at a time (one in flight): true when a read completes it; status 200 only. */
export function httpAnswers(): (chunk: Buffer) => boolean {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const headEnd = pending.indexOf('\r\n\r\n');
    if (headEnd < 0) return false;
    const head = pending.toString('latin1', 0, headEnd);
    if (!head.startsWith('HTTP/1.1 200 ')) throw new Error(`unexpected answer: ${head.split('\r\n')[0]}`);
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1]);
    const total = headEnd + 4 + length;
    if (pending.length < total) return false;
    if (pending.length > total) throw new Error('an answer came with more bytes than its Content-Length');
    pending = Buffer.alloc(0);
    return true;
  };
}
