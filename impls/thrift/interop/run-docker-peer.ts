// Interop with a reference peer image that speaks the suite's first command line
// (`server|client --transport T --protocol P --server-kind K --host H --port N [--cases a,b]`, TAP on
// stdout), e.g. avro-thrift-conformance/python-thrift:2e3c30f4d9d74736. Both directions, with the
// case catalogue baked into the image. Containers run with host networking, labelled for the suite,
// and are removed afterwards.
//
//   node impls/thrift/interop/run-docker-peer.ts --image IMAGE [--transports ...] [--protocols ...] [--kinds simple,threaded]
import { execFileSync, spawn } from 'node:child_process';
import { connect as netConnect, createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { loadIdl, serve } from '../index.ts';
import { casesFor, runClientCase, type ThriftCase } from '../testing/cases.ts';
import { CONFORMANCE_IDL, conformanceHandlers } from '../testing/conformance-handlers.ts';

const { values } = parseArgs({
  options: {
    image: { type: 'string', default: 'avro-thrift-conformance/python-thrift:2e3c30f4d9d74736' },
    transports: { type: 'string', default: 'buffered,framed,http' },
    protocols: { type: 'string', default: 'binary,compact,json,accel-binary,multiplexed-binary,mixed-compact-binary,mixed-binary-compact' },
    kinds: { type: 'string', default: 'simple,threaded' },
    direction: { type: 'string', default: 'both' },
  },
});

const LABEL = 'org.avro-thrift-conformance.suite=true';
const idl = loadIdl(CONFORMANCE_IDL);
const catalogue = (JSON.parse(execFileSync('docker', ['run', '--rm', '--label', LABEL, '--entrypoint', 'cat', values.image, '/spec/suites/thrift/data/cases.json'], { encoding: 'utf8' })) as { cases: ThriftCase[] }).cases;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function waitPort(port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const s = netConnect({ host: '127.0.0.1', port });
      s.once('connect', () => { s.destroy(); resolve(); });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

const results: string[] = [];
const failures: string[] = [];
let totalPass = 0;
let totalFail = 0;

async function tsServer(transport: string, protocol: string): Promise<void> {
  const cases = casesFor(catalogue, transport, protocol, 'ts-server');
  if (cases.length === 0) return;
  const server = await serve({ transport, protocol, host: '127.0.0.1', port: 0 }, idl, conformanceHandlers(), {
    defaultService: protocol.startsWith('multiplexed') ? undefined : 'Conformance', onReject: () => undefined, log: () => undefined,
  });
  const output = await new Promise<string>((resolve) => {
    const child = spawn('docker', ['run', '--rm', '--network', 'host', '--label', LABEL, values.image, 'client', '--transport', transport, '--protocol', protocol,
      '--server-kind', 'ours', '--host', '127.0.0.1', '--port', String(server.port), '--cases', cases.map((c) => c.id).join(',')]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', () => undefined);
    child.on('close', () => resolve(out));
  });
  await server.close();
  let pass = 0;
  let fail = 0;
  const lines = output.split('\n');
  lines.forEach((line, i) => {
    const m = /^(ok|not ok) \d+ - (\S+)/.exec(line);
    if (!m) return;
    if (m[1] === 'ok') pass++;
    else {
      fail++;
      failures.push(`python(image) -> ours | ${transport} | ${protocol} | ${m[2]}: ${lines.slice(i + 1, i + 5).join(' ').slice(0, 300)}`);
    }
  });
  if (pass + fail < cases.length) failures.push(`python(image) -> ours | ${transport} | ${protocol}: ${cases.length - pass - fail} cases without a TAP line`);
  totalPass += pass;
  totalFail += fail + (cases.length - pass - fail);
  results.push(`python(image) -> ours | ${transport} | ${protocol}: ${pass}/${cases.length}`);
}

async function tsClient(transport: string, protocol: string, kind: string): Promise<void> {
  const cases = casesFor(catalogue, transport, protocol, 'ts-client').filter((c) => c.kind !== 'client-timeout' && c.kind !== 'wrong-seqid');
  if (cases.length === 0) return;
  const port = await freePort();
  const name = `thrift-impl-peer-${process.pid}-${port}`;
  execFileSync('docker', ['run', '-d', '--rm', '--name', name, '--network', 'host', '--label', LABEL, values.image, 'server', '--transport', transport,
    '--protocol', protocol, '--server-kind', kind, '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' });
  let pass = 0;
  let fail = 0;
  try {
    await waitPort(port, 30_000);
    for (const c of cases) {
      try {
        await runClientCase({ idl, endpoint: { transport, protocol, host: '127.0.0.1', port }, timeoutMs: 10_000 }, c);
        pass++;
      } catch (error) {
        fail++;
        failures.push(`ours -> python(image, ${kind}) | ${transport} | ${protocol} | ${c.id}: ${String(error).replace(/\n/g, ' ').slice(0, 300)}`);
      }
    }
  } finally {
    execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  }
  totalPass += pass;
  totalFail += fail;
  results.push(`ours -> python(image, ${kind}) | ${transport} | ${protocol}: ${pass}/${cases.length}`);
}

for (const transport of values.transports.split(',')) {
  for (const protocol of values.protocols.split(',')) {
    if (values.direction !== 'ts-client') await tsServer(transport, protocol);
    if (values.direction !== 'ts-server') {
      const kinds = transport === 'http' ? ['http'] : values.kinds.split(',').filter((k) => k !== 'nonblocking' || transport === 'framed');
      for (const kind of kinds) await tsClient(transport, protocol, kind);
    }
  }
}
for (const r of results) console.log(r);
for (const f of failures) console.log(`  not ok ${f}`);
console.log(`total: ${totalPass} passed, ${totalFail} failed`);
