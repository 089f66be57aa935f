import { connect, serve, loadIdl, WrittenAs, DeclaredException, TApplicationException } from './index.ts';
import { CONFORMANCE_IDL, conformanceHandlers } from './testing/conformance-handlers.ts';
const idl = loadIdl(CONFORMANCE_IDL);
for (const transport of ['buffered', 'framed', 'http', 'zlib', 'header', 'header-zlib']) {
  for (const protocol of ['binary', 'compact', 'json', 'multiplexed-compact', 'mixed-compact-binary']) {
    if (transport.startsWith('header') && (protocol.includes('json') || protocol.startsWith('mixed'))) continue;
    const handlers = conformanceHandlers();
    const h = protocol.startsWith('multiplexed') ? handlers : { Conformance: handlers['Conformance']! };
    const server = await serve({ transport, protocol, host: '127.0.0.1', port: 0 }, idl, h, { onReject: (r) => console.log('  reject:', r), log: (l) => console.log('  log:', l) });
    const client = await connect({ transport, protocol, host: '127.0.0.1', port: server.port }, idl, { timeoutMs: 3000 });
    const out: unknown[] = [];
    out.push(await client.call('Conformance', 'echoI64', { value: -5n }));
    out.push(await client.call('Conformance', 'echoString', { value: 'h\u00e9llo \u0000 "q"' }));
    out.push(await client.call('Conformance', 'echoEvolving', { value: new WrittenAs('EvolvingV2', { id: 3, text: 'x', tag: '00112233-4455-6677-8899-aabbccddeeff' }) }));
    out.push(((await client.call('Conformance', 'evolvedAnswer', { id: 9 })) as object));
    await client.call('Conformance', 'notify', { note: 'n1' });
    out.push(await client.call('Conformance', 'lastNote', {}));
    try { await client.call('Conformance', 'fail', { kind: 'conformance', code: 2, reason: 'r' }); } catch (e) { out.push(e instanceof DeclaredException ? [e.type, e.value] : String(e)); }
    try { await client.call('Conformance', 'failUndeclared', { reason: 'boom' }); } catch (e) { out.push(e instanceof TApplicationException ? [e.type, e.message] : String(e)); }
    try { await client.call('Conformance', 'failApplication', { type: 8, message: 'm' }); } catch (e) { out.push(e instanceof TApplicationException ? [e.type, e.message] : String(e)); }
    await client.call('Conformance', 'failOneway', { reason: 'x' });
    out.push(await client.call('Conformance', 'echoLabels', { value: new Map([['__proto__', 'p'], ['hasOwnProperty', 'h']]) }));
    if (protocol.startsWith('multiplexed')) out.push(await client.call('Secondary', 'echoString', { value: 'v' }));
    console.log(transport, protocol, JSON.stringify(out, (k, v) => typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v] : v));
    await client.close();
    await server.close();
  }
}
