// Interop with Python's own thrift library, both directions, on loopback: our server against the
// Python client of pyinterop.py, and our client against its Python servers, over every transport,
// protocol and socket asked for. Not a unit test: it needs a venv with thrift (PyPI) installed.
//
//   node impls/thrift/interop/run-python.ts --python /tmp/thrift-venv/bin/python [--transports a,b]
//        [--protocols a,b] [--sockets tcp,tls,unix] [--direction ts-server|ts-client|both] [--cases glob]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadIdl, serve, type Endpoint } from '../index.ts';
import { casesFor, CASES_FILE, loadCases, runClientCase, type ThriftCase } from '../testing/cases.ts';
import { CONFORMANCE_IDL, conformanceHandlers } from '../testing/conformance-handlers.ts';
import { pythonModule } from './python-spec.ts';

const { values } = parseArgs({
  options: {
    python: { type: 'string', default: '/tmp/thrift-venv/bin/python' },
    work: { type: 'string', default: '/tmp/interop' },
    transports: { type: 'string', default: 'buffered,framed,http,zlib,header,header-zlib' },
    protocols: { type: 'string', default: 'binary,accel-binary,compact,json,multiplexed-binary,multiplexed-compact,multiplexed-json,default-service-binary,default-service-compact,default-service-json,mixed-compact-binary,mixed-binary-compact' },
    sockets: { type: 'string', default: 'tcp' },
    kinds: { type: 'string', default: 'simple' },
    direction: { type: 'string', default: 'both' },
    cases: { type: 'string', default: '*' },
  },
});

const work = values.work;
mkdirSync(work, { recursive: true });
const idl = loadIdl(CONFORMANCE_IDL);
writeFileSync(`${work}/conformance_spec.py`, pythonModule(idl));
const harness = fileURLToPath(new URL('./pyinterop.py', import.meta.url));

function tlsFiles(): { ca: string; cert: string; key: string } {
  const dir = `${work}/tls`;
  const files = { ca: `${dir}/ca.pem`, cert: `${dir}/server.pem`, key: `${dir}/server-key.pem` };
  if (existsSync(files.cert)) return files;
  mkdirSync(dir, { recursive: true });
  const run = (args: string[]): void => { execFileSync('openssl', args, { stdio: 'ignore' }); };
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/ca-key.pem`, '-out', files.ca, '-days', '2', '-subj', '/CN=interop test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', files.key, '-out', `${dir}/server.csr`, '-subj', '/CN=127.0.0.1']);
  writeFileSync(`${dir}/ext.cnf`, 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  run(['x509', '-req', '-in', `${dir}/server.csr`, '-CA', files.ca, '-CAkey', `${dir}/ca-key.pem`, '-CAcreateserial', '-out', files.cert, '-days', '2', '-extfile', `${dir}/ext.cnf`]);
  return files;
}

const glob = new RegExp(`^${values.cases.split(',').map((g) => g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')).join('|')}$`);
const all = loadCases().filter((c) => glob.test(c.id));

/** Cases that talk to the peer (client-timeout and wrong-seqid run against local stubs only). */
function peerCases(transport: string, protocol: string, direction: 'ts-client' | 'ts-server'): ThriftCase[] {
  return casesFor(all, transport, protocol, direction).filter((c) => c.kind !== 'client-timeout' && c.kind !== 'wrong-seqid')
    // The Python client of pyinterop.py cannot write a THeader frame whose body is in another protocol.
    .filter((c) => direction === 'ts-client' || c.kind !== 'mismatched-protocol' || !transport.startsWith('header'));
}

const totals = new Map<string, { pass: number; fail: number }>();
const failures: string[] = [];

function count(key: string, ok: boolean, detail: string): void {
  const t = totals.get(key) ?? { pass: 0, fail: 0 };
  if (ok) t.pass++;
  else {
    t.fail++;
    failures.push(`${key} ${detail}`);
  }
  totals.set(key, t);
}

function endpointFor(transport: string, protocol: string, socket: string, port: number, path: string): Endpoint & { tls?: { ca: string; cert: string; key: string } } {
  const base = { transport, protocol, host: '127.0.0.1', port, socket: socket as 'tcp' | 'tls' | 'unix' };
  if (socket === 'unix') return { ...base, path };
  if (socket === 'tls') return { ...base, tls: tlsFiles() };
  return base;
}

/** A port nobody listens on now (the machine is shared: never guess one). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function waitListening(endpoint: Endpoint, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) {
        reject(new Error(`the Python server exited (${child.exitCode})`));
        return;
      }
      const s = endpoint.socket === 'unix' ? netConnect({ path: endpoint.path ?? '' }) : netConnect({ host: '127.0.0.1', port: endpoint.port ?? 0 });
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error('the Python server did not listen in time'));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function pythonArgs(role: string, e: Endpoint & { tls?: { ca: string; cert: string; key: string } }, kind: string): string[] {
  const args = [harness, role, '--transport', e.transport, '--protocol', e.protocol, '--socket', e.socket ?? 'tcp', '--port', String(e.port ?? 0), '--server-kind', kind];
  if (e.path) args.push('--path', e.path);
  if (e.tls) args.push('--cert', e.tls.cert, '--key', e.tls.key, '--ca', e.tls.ca);
  return args;
}

async function tsServer(transport: string, protocol: string, socket: string): Promise<void> {
  const cases = peerCases(transport, protocol, 'ts-server');
  if (cases.length === 0) return;
  const key = `python -> ours | ${transport} | ${protocol} | ${socket}`;
  const path = `${work}/ours-${process.pid}.sock`;
  const endpoint = endpointFor(transport, protocol, socket, 0, path);
  const rejects: string[] = [];
  const server = await serve(endpoint, idl, conformanceHandlers(), {
    defaultService: protocol.startsWith('multiplexed') ? undefined : 'Conformance',
    onReject: (r) => rejects.push(r), log: () => undefined,
  });
  try {
    const run = { ...endpoint, port: server.port };
    const output = await new Promise<string>((resolve) => {
      const child = spawn(values.python, [...pythonArgs('client', run, 'simple'), '--cases', fileURLToPath(CASES_FILE), '--ids', cases.map((c) => c.id).join(',')], { cwd: work, env: { ...process.env, PYTHONPATH: work } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { out += d.toString().split('\n').filter((l) => l.startsWith('Traceback') || l.includes('Error')).map((l) => `# stderr ${l}\n`).join(''); });
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
      child.on('close', () => { clearTimeout(timer); resolve(out); });
    });
    const seen = new Set<string>();
    for (const line of output.split('\n')) {
      const m = /^(ok|not ok) (\S+)(?: # (.*))?$/.exec(line);
      if (!m) continue;
      seen.add(m[2] ?? '');
      count(key, m[1] === 'ok', `${m[2]}: ${m[3] ?? ''}`);
    }
    for (const c of cases) if (!seen.has(c.id)) count(key, false, `${c.id}: no result from the Python client (${output.slice(-300)})`);
  } finally {
    await server.close();
  }
}

async function tsClient(transport: string, protocol: string, socket: string, kind: string): Promise<void> {
  const cases = peerCases(transport, protocol, 'ts-client');
  if (cases.length === 0) return;
  const key = `ours -> python(${transport === 'http' ? 'http' : kind}) | ${transport} | ${protocol} | ${socket}`;
  const port = await freePort();
  const endpoint = endpointFor(transport, protocol, socket, port, `${work}/py-${process.pid}-${port}.sock`);
  const child = spawn(values.python, pythonArgs('server', endpoint, kind), { cwd: work, env: { ...process.env, PYTHONPATH: work }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
  try {
    await waitListening(endpoint, child, 15_000);
    if (child.exitCode !== null) throw new Error(`the Python server exited (${child.exitCode})`);
    for (const c of cases) {
      try {
        await runClientCase({ idl, endpoint, timeoutMs: 10_000 }, c);
        count(key, true, c.id);
      } catch (error) {
        count(key, false, `${c.id}: ${String(error).replace(/\n/g, ' ').slice(0, 400)}`);
      }
    }
  } catch (error) {
    count(key, false, `server did not start: ${String(error)} ${stderr.slice(-500)}`);
  } finally {
    child.kill('SIGKILL');
  }
}

const protocolsFor = (transport: string): string[] => values.protocols.split(',')
  .filter((p) => !transport.startsWith('header') || !(p.includes('json') || p.startsWith('mixed') || p === 'accel-binary'));

for (const socket of values.sockets.split(',')) {
  for (const transport of values.transports.split(',')) {
    if (transport === 'http' && socket === 'unix') continue;
    for (const protocol of protocolsFor(transport)) {
      if (values.direction !== 'ts-client') await tsServer(transport, protocol, socket);
      if (values.direction !== 'ts-server') {
        for (const kind of transport === 'http' ? ['http'] : values.kinds.split(',')) await tsClient(transport, protocol, socket, kind);
      }
    }
  }
}

let pass = 0;
let fail = 0;
for (const [key, t] of totals) {
  pass += t.pass;
  fail += t.fail;
  console.log(`${t.fail === 0 ? 'PASS' : 'FAIL'} ${key}: ${t.pass} passed, ${t.fail} failed`);
}
for (const f of failures) console.log(`  not ok ${f}`);
console.log(`total: ${pass} passed, ${fail} failed`);
