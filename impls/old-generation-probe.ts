// Run by old-generation.test.ts in a fresh process: our client calling our server on loopback, one
// call at a time, and how many bytes per call the process allocated in V8's old generation,
// counted over windows of calls that no collection interrupted (the median of the windows). Prints
// one JSON line.
//
//   node impls/old-generation-probe.ts <avro|thrift> <transport> [--churn | --closure] [--bytes N]
//
// --bytes: the echoed value's size (default 64; the bench's large rows are 65536).
// --churn adds, per call, a set and a delete on a long-lived Map: what the calls-in-flight Map
// cost before wire/waiting.ts, so the test can show its check would see it. --closure adds, per
// call, a function literal assigned straight to a long-lived object's property: what the Avro
// HTTP client's answer reader cost before 2026-12-02.
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import type { AvroImplementation } from '../harness/contract/avro.ts';
import type { ThriftImplementation } from '../harness/contract/thrift.ts';
import avroAdapter from './avro/adapter.ts';
import thriftAdapter from './thrift/adapter.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const [family, transport = '', ...options] = process.argv.slice(2);
const flag = options.find((o) => o === '--churn' || o === '--closure');
const bytesAt = options.indexOf('--bytes');
const VALUE_BYTES = bytesAt >= 0 ? Number(options[bytesAt + 1]) : 64;
if (!Number.isInteger(VALUE_BYTES) || VALUE_BYTES < 0) throw new Error(`--bytes wants a size in bytes, not ${options[bytesAt + 1]}`);
const CALLS_PER_WINDOW = 20;
const WINDOWS = 150;

function used(): Map<string, number> {
  return new Map(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_used_size]));
}

async function connected(): Promise<{ call(): Promise<unknown>; close(): Promise<void> }> {
  const value = Buffer.alloc(VALUE_BYTES, 7);
  if (family === 'avro') {
    const adapter: AvroImplementation = avroAdapter;
    const text = readFileSync(`${ROOT}suites/avro/data/protocols/conformance.avpr`, 'utf8');
    const messages = Object.keys((JSON.parse(text) as { messages: object }).messages);
    const echo = (request: Readonly<Record<string, unknown>>): unknown => request['value'];
    const handlers = Object.fromEntries(messages.map((name) => [name, echo]));
    const scheme = transport === 'sasl' ? 'avro' : transport;
    const listening = await adapter.listen?.({ url: `${scheme}://127.0.0.1:0/`, transport, protocol: { name: 'conformance', text } }, handlers, {});
    if (!listening) throw new Error('no Avro server');
    const client = await adapter.connect?.({ url: `${scheme}://127.0.0.1:${listening.port}/`, transport, protocol: { name: 'conformance', text } }, { timeoutMs: 30_000 });
    if (!client) throw new Error('no Avro client');
    return { call: () => client.call('echoBytes', { value }), close: async () => { await client.close(); await listening.close(); } };
  }
  const adapter: ThriftImplementation = thriftAdapter;
  const path = `${ROOT}suites/thrift/data/conformance.thrift`;
  const endpoint = { transport, protocol: 'binary', socket: 'tcp' as const, host: '127.0.0.1', httpPath: '/thrift', idl: { path, text: readFileSync(path, 'utf8') } };
  const echo = (args: Readonly<Record<string, unknown>>): unknown => args['value'];
  const server = await adapter.serve?.({ ...endpoint, port: 0, serverKind: 'ours', services: ['Conformance'] }, { Conformance: { echoBinary: echo } }, {});
  if (!server) throw new Error('no Thrift server');
  const client = await adapter.connect?.({ ...endpoint, port: server.port }, { timeoutMs: 30_000 });
  if (!client) throw new Error('no Thrift client');
  return { call: () => client.call('Conformance', 'echoBinary', { value }), close: async () => { await client.close(); await server.close(); } };
}

const endpoint = await connected();
const churn = new Map<number, number>();
const holder: { reader: ((n: number) => number) | undefined } = { reader: undefined };
let n = 0;
const call = async (): Promise<void> => {
  await endpoint.call();
  if (flag === '--churn') {
    churn.set(n, n);
    churn.delete(n);
  } else if (flag === '--closure') {
    const at = n;
    holder.reader = (k) => k + at;
  }
  n++;
};
for (let i = 0; i < 2000; i++) await call();
// Two scavenges or more move what lives on (the connection, the client's collections) to the old
// generation, where a long-lived process has them.
let sink: unknown;
for (let i = 0; i < 4_000_000; i++) sink = { i };
for (let i = 0; i < 500; i++) await call();

// Per window of calls that no collection interrupted, its old-space bytes per call. The median of
// those is what is printed: an allocation on every call shows in every window, while a one-off (a
// 64 KiB array grown once, code the compiler emits) shows in one window and would move a mean
// (avro sasl at 64 KiB: 17-31 bytes per call in 3 of 16 runs by the mean, 0.3-0.6 by the median).
const perWindow: number[] = [];
let counted = 0;
let oldBytes = 0;
for (let w = 0; w < WINDOWS; w++) {
  const before = used();
  for (let i = 0; i < CALLS_PER_WINDOW; i++) await call();
  const after = used();
  // New space only fills between collections: less of it in use means one ran in the window.
  if ((after.get('new_space') ?? 0) < (before.get('new_space') ?? 0) || (after.get('old_space') ?? 0) < (before.get('old_space') ?? 0)) continue;
  const bytes = (after.get('old_space') ?? 0) - (before.get('old_space') ?? 0);
  perWindow.push(bytes / CALLS_PER_WINDOW);
  counted += CALLS_PER_WINDOW;
  oldBytes += bytes;
}
await endpoint.close();
perWindow.sort((a, b) => a - b);
const median = perWindow.length > 0 ? ((perWindow[(perWindow.length - 1) >> 1] as number) + (perWindow[perWindow.length >> 1] as number)) / 2 : Number.NaN;
process.stdout.write(`${JSON.stringify({ calls: counted, oldBytesPerCall: median, meanOldBytesPerCall: counted > 0 ? oldBytes / counted : Number.NaN, sink: typeof sink })}\n`);
