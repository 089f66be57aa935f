// Young bytes per call of our Thrift client, by allocation site: V8's sampling heap profiler, with
// the objects the collector freed counted too, over N calls after N calls of warm-up, against our
// server in a child process (echo-loop.ts's server role). Not a test and not the bench: the
// thirteenth pass of README.md found that at 64 KiB our client's young objects per call set how
// often the agents' scavenges check V8's external-memory limit.
//
//   node impls/thrift/profile/young-bytes.ts [--bytes 65536] [--transport framed] [--calls 20000] [--tree DIR]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

interface Client {
  call(service: string, method: string, args: unknown): Promise<unknown>;
}

const { values } = parseArgs({
  options: {
    bytes: { type: 'string', default: '65536' }, transport: { type: 'string', default: 'framed' }, calls: { type: 'string', default: '20000' },
    tree: { type: 'string', default: new URL('../../../', import.meta.url).pathname.replace(/\/$/, '') },
  },
});
const bytes = Number(values.bytes);
const calls = Number(values.calls);
const { transport, tree } = values;

const server = spawn(process.execPath, [`${tree}/impls/thrift/profile/echo-loop.ts`, 'serve', 'ours', tree], {
  stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ECHO_LOOP_TRANSPORT: transport },
});
const first = await createInterface({ input: server.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]().next();
const { port } = JSON.parse(String(first.value)) as { port: number };
const idl = `${tree}/suites/thrift/data/conformance.thrift`;
const adapter = ((await import(pathToFileURL(`${tree}/impls/thrift/adapter.ts`).href)) as { default: { connect(endpoint: unknown, options: unknown): Promise<Client> } }).default;
const client = await adapter.connect({ transport, protocol: 'binary', socket: 'tcp', host: '127.0.0.1', port, httpPath: '/thrift', idl: { path: idl, text: readFileSync(idl, 'utf8') } }, { timeoutMs: 30_000 });
const args = { value: Buffer.alloc(bytes, 7) };
const loop = async (n: number): Promise<void> => {
  for (let i = 0; i < n; i++) {
    const answer = await client.call('Conformance', 'echoBinary', args);
    if (!Buffer.isBuffer(answer) || answer.length !== bytes) throw new Error('the echo differs');
  }
};

await loop(calls);
const session = new Session();
session.connect();
await session.post('HeapProfiler.enable');
await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
await loop(calls);
const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };

// Self bytes by site; this script's own loop is counted apart.
const sites = new Map<string, number>();
const walk = (node: ProfileNode): void => {
  const frame = node.callFrame;
  const site = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() ?? ''}:${frame.lineNumber + 1}`;
  if (node.selfSize > 0) sites.set(site, (sites.get(site) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child);
};
walk(profile.head);
const here = import.meta.url.split('/').pop() ?? '';
const ours = [...sites].filter(([site]) => !site.includes(here));
const perCall = (n: number): string => (n / calls).toFixed(0);
console.log(`${transport} binary ${bytes} bytes: ${perCall(ours.reduce((sum, [, n]) => sum + n, 0))} bytes per call on the JavaScript heap (this script's loop left out)`);
for (const [site, n] of ours.sort((a, b) => b[1] - a[1]).slice(0, 16)) console.log(`${perCall(n).padStart(8)} B  ${site}`);
server.stdin?.write('exit\n');
process.exit(0);
