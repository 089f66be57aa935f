import { loadIdl } from './index.ts';
import { loadCases, runClientCase } from './testing/cases.ts';
import { CONFORMANCE_IDL } from './testing/conformance-handlers.ts';
const idl = loadIdl(CONFORMANCE_IDL);
const [transport, protocol, port, ...ids] = process.argv.slice(2);
for (const c of loadCases().filter((c) => ids.includes(c.id))) {
  try { await runClientCase({ idl, endpoint: { transport: transport!, protocol: protocol!, host: '127.0.0.1', port: Number(port) }, timeoutMs: 5000 }, c); console.log('ok', c.id); }
  catch (e) { console.log('not ok', c.id, String(e)); }
}
