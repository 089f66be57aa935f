// Interop with a reference peer image of the plan-file contract (containers/README.md): one
// container serves every listener of a server plan while our client runs the case catalogue
// against each; another runs a client plan (TAP per cell) against our servers. Containers use host
// networking, carry the suite's label and are removed afterwards.
//
//   node impls/thrift/interop/run-plan-peer.ts --image avro-thrift-conformance/java-thrift:dev-0.25.0
//        --offers buffered/binary/simple,framed/compact/threadpool,http/json/servlet,... [--sockets tcp,tls,unix]
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { loadIdl, serve, type Endpoint, type ThriftServer } from '../index.ts';
import { casesFor, loadCases, runClientCase } from '../testing/cases.ts';
import { CONFORMANCE_IDL, conformanceHandlers } from '../testing/conformance-handlers.ts';
import { makeTlsFixture } from '../testing/tls.ts';

const { values } = parseArgs({
  options: {
    image: { type: 'string', default: 'avro-thrift-conformance/java-thrift:dev-0.25.0' },
    offers: { type: 'string', default: 'buffered/binary/simple' },
    sockets: { type: 'string', default: 'tcp' },
    direction: { type: 'string', default: 'both' },
    run: { type: 'string', default: '/tmp/plan-interop' },
  },
});

const LABEL = 'org.avro-thrift-conformance.suite=true';
const idl = loadIdl(CONFORMANCE_IDL);
const all = loadCases();
mkdirSync(values.run, { recursive: true });
const tls = await makeTlsFixture();

interface Offer { transport: string; protocol: string; kind: string; socket: string }
const offers: Offer[] = [];
for (const socket of values.sockets.split(',')) {
  for (const o of values.offers.split(',')) {
    const [transport = '', protocol = '', kind = 'simple'] = o.split('/');
    if (socket === 'unix' && transport === 'http') continue;
    offers.push({ transport, protocol, kind, socket });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const peerCases = (o: Offer, direction: 'ts-client' | 'ts-server') => casesFor(all, o.transport, o.protocol, direction)
  .filter((c) => c.kind !== 'client-timeout' && c.kind !== 'wrong-seqid');

const lines: string[] = [];
const failures: string[] = [];
let pass = 0;
let fail = 0;

async function peerServes(): Promise<void> {
  const listeners: (Offer & { key: string; endpoint: Endpoint })[] = [];
  for (const [i, o] of offers.entries()) {
    const key = `l${i}`;
    const port = await freePort();
    const endpoint: Endpoint = o.socket === 'unix'
      ? { transport: o.transport, protocol: o.protocol, socket: 'unix', path: `${values.run}/${key}-${process.pid}.sock` }
      : { transport: o.transport, protocol: o.protocol, socket: o.socket as 'tcp' | 'tls', host: '127.0.0.1', port, ...(o.socket === 'tls' ? { tls: { ca: tls.ca } } : {}) };
    listeners.push({ ...o, key, endpoint });
  }
  const plan = {
    listeners: listeners.map((l) => ({
      key: l.key, transport: l.transport, protocol: l.protocol, socket: l.socket, serverKind: l.kind,
      ...(l.socket === 'unix' ? { path: l.endpoint.path } : { host: '127.0.0.1', port: l.endpoint.port }),
      ...(l.socket === 'tls' ? { tls: { cert: tls.cert, key: tls.key, ca: tls.ca } } : {}),
    })),
  };
  const planFile = `${values.run}/server-${process.pid}.json`;
  writeFileSync(planFile, JSON.stringify(plan));
  const name = `thrift-impl-plan-${process.pid}`;
  const child = spawn('docker', ['run', '--rm', '--name', name, '--network', 'host', '--label', LABEL, '-v', `${values.run}:${values.run}`, '-v', `${tls.dir}:${tls.dir}`, values.image, 'server', '--plan', planFile]);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no READY within 60 s: ${stderr}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/^READY$/m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('close', () => reject(new Error(`the peer exited: ${stderr}`)));
  });
  try {
    for (const l of listeners) {
      const key = `ours -> ${values.image.split('/').pop()} (${l.kind}) | ${l.transport} | ${l.protocol} | ${l.socket}`;
      if (new RegExp(`^FAILED ${l.key} `, 'm').test(stdout)) {
        lines.push(`${key}: listener FAILED: ${(new RegExp(`^FAILED ${l.key} (.*)$`, 'm').exec(stdout) ?? [])[1] ?? ''}`);
        continue;
      }
      let ok = 0;
      const cases = peerCases(l, 'ts-client');
      for (const c of cases) {
        try {
          await runClientCase({ idl, endpoint: l.endpoint, timeoutMs: 10_000 }, c);
          ok++;
        } catch (error) {
          failures.push(`${key} | ${c.id}: ${String(error).replace(/\n/g, ' ').slice(0, 300)}`);
        }
      }
      pass += ok;
      fail += cases.length - ok;
      lines.push(`${key}: ${ok}/${cases.length}`);
    }
  } finally {
    execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  }
}

async function peerCalls(): Promise<void> {
  const servers: ThriftServer[] = [];
  const cells: Record<string, unknown>[] = [];
  const keys = new Map<string, string>();
  for (const [i, o] of offers.entries()) {
    const key = `c${i}`;
    const endpoint: Endpoint = o.socket === 'unix'
      ? { transport: o.transport, protocol: o.protocol, socket: 'unix', path: `${values.run}/${key}-${process.pid}.sock` }
      : { transport: o.transport, protocol: o.protocol, socket: o.socket as 'tcp' | 'tls', host: '127.0.0.1', port: 0, ...(o.socket === 'tls' ? { tls: { cert: tls.cert, key: tls.key } } : {}) };
    const server = await serve(endpoint, idl, conformanceHandlers(), {
      defaultService: o.protocol.startsWith('multiplexed') ? undefined : 'Conformance', onReject: () => undefined, log: () => undefined,
    });
    servers.push(server);
    const cases = peerCases(o, 'ts-server');
    keys.set(key, `${values.image.split('/').pop()} -> ours | ${o.transport} | ${o.protocol} | ${o.socket}`);
    cells.push({
      key, transport: o.transport, protocol: o.protocol, socket: o.socket, serverKind: 'ours', cases: cases.map((c) => c.id),
      ...(o.socket === 'unix' ? { path: endpoint.path } : { host: '127.0.0.1', port: server.port }),
      ...(o.socket === 'tls' ? { tls: { ca: tls.ca } } : {}),
    });
  }
  const planFile = `${values.run}/client-${process.pid}.json`;
  writeFileSync(planFile, JSON.stringify({ cells }));
  const output = await new Promise<string>((resolve) => {
    const child = spawn('docker', ['run', '--rm', '--network', 'host', '--label', LABEL, '-v', `${values.run}:${values.run}`, '-v', `${tls.dir}:${tls.dir}`, values.image, 'client', '--plan', planFile]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', () => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.on('close', () => { clearTimeout(timer); resolve(out); });
  });
  for (const s of servers) await s.close();
  let cell = '';
  const counts = new Map<string, { ok: number; n: number }>();
  const outLines = output.split('\n');
  outLines.forEach((line, i) => {
    const begin = /^# cell (\S+) begins/.exec(line);
    if (begin) cell = begin[1] ?? '';
    const m = /^(ok|not ok) \d+ - (\S+)/.exec(line);
    if (!m) return;
    const c = counts.get(cell) ?? { ok: 0, n: 0 };
    c.n++;
    if (m[1] === 'ok' && !line.includes('# SKIP')) c.ok++;
    else failures.push(`${keys.get(cell) ?? cell} | ${m[2]}: ${line.includes('# SKIP') ? line : outLines.slice(i + 1, i + 5).join(' ').slice(0, 300)}`);
    counts.set(cell, c);
  });
  for (const [key, name] of keys) {
    const c = counts.get(key) ?? { ok: 0, n: 0 };
    const expected = (cells.find((x) => x['key'] === key)?.['cases'] as string[] | undefined)?.length ?? 0;
    pass += c.ok;
    fail += expected - c.ok;
    lines.push(`${name}: ${c.ok}/${expected}${c.n < expected ? ` (${expected - c.n} without a TAP line)` : ''}`);
  }
}

if (values.direction !== 'ts-server') await peerServes();
if (values.direction !== 'ts-client') await peerCalls();
for (const l of lines) console.log(l);
for (const f of failures) console.log(`  not ok ${f}`);
console.log(`total: ${pass} passed, ${fail} failed`);
