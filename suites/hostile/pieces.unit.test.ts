// Unit tests of the hostile family's own pieces (no network, no container): the byte notation,
// the framings, the answer counters, the mutations, the catalogue and its cells, the judge, and
// the CPU-wait measure its wall-clock bounds rely on.
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { PeerRelease } from '../../harness/docker/peers.ts';
import { validated } from '../../harness/schemas/validate.ts';
import { answerCounter, message, nettyPack, standardFrames, stream } from './avro/wire.ts';
import { bytesOf, lengthOf, pieces, windows, zigzagVarint, type BytesContext, type Part } from './bytes.ts';
import { loadCatalogue, type ClientExpect } from './catalogue.ts';
import { hostileCells } from './cells.ts';
import { hash32, mutate, Random } from './fuzz/mutate.ts';
import { clientProblems, serverProblems } from './judge.ts';
import type { Observation } from './attacks/server.ts';
import type { ClientObservation } from './attacks/client.ts';
import { cpuWait, sample } from './measure/proc.ts';
import { HttpResponseCounter } from './net/http-responses.ts';
import { OursProcess } from './ours/child-process.ts';

const context: BytesContext = { hashes: { ours: Buffer.alloc(16, 1), victim: Buffer.alloc(16, 2) }, texts: { ours: 'OURS', victim: 'VICTIM' } };

describe('the byte notation', () => {
  it('writes Avro varints as the specification does (zigzag, 7 bits a byte)', () => {
    expect(zigzagVarint(0).toString('hex')).toBe('00');
    expect(zigzagVarint(-1).toString('hex')).toBe('01');
    expect(zigzagVarint(2147483647).toString('hex')).toBe('feffffff0f');
    expect(zigzagVarint(2n ** 40n).toString('hex')).toBe('808080808040');
    expect(zigzagVarint('-9223372036854775808').toString('hex')).toBe('ffffffffffffffffff01');
  });

  it('builds every kind of part, and names from the context', () => {
    const parts: Part[] = [{ hex: '02 80' }, { varint: 3 }, { string: 'é' }, { text: 'ab' }, { u32: 0xfffffffe }, { hash: 'ours' }, { protocol: 'victim' }, { md5: '' }, { fill: { byte: 7, count: 3 } }, { repeat: [{ hex: '00 02' }], times: 2 }];
    const bytes = bytesOf(parts, context);
    expect(bytes.toString('hex')).toBe([
      '0280', '06', '04c3a9', '6162', 'fffffffe', '01'.repeat(16), '0c56494354494d', 'd41d8cd98f00b204e9800998ecf8427e', '070707', '00020002',
    ].join(''));
    expect(lengthOf(parts, context)).toBe(bytes.length);
    expect(bytesOf([{ hash: 'random' }], context)).not.toEqual(bytesOf([{ hash: 'random' }], context));
  });

  it('produces large parts in pieces, never whole', () => {
    const big: Part[] = [{ fill: { byte: 0, count: 100 * 1024 * 1024 } }];
    let largest = 0;
    let total = 0;
    for (const piece of pieces(big, context)) {
      largest = Math.max(largest, piece.length);
      total += piece.length;
    }
    expect(total).toBe(100 * 1024 * 1024);
    expect(largest).toBeLessThanOrEqual(1024 * 1024);
    expect(() => bytesOf(big, context)).toThrow(/too large/);
    const deep: Part[] = [{ repeat: [{ hex: '00 02' }], times: 1_000_000 }];
    expect([...pieces(deep, context)].reduce((n, p) => n + p.length, 0)).toBe(2_000_000);
  });

  it('cuts streams into windows of a size', () => {
    const sizes = [...windows([Buffer.alloc(5), Buffer.alloc(7)], 4)].map((w) => w.reduce((n, b) => n + b.length, 0));
    expect(sizes).toEqual([4, 4, 4]);
  });
});

describe('the Avro framings', () => {
  const payload = Buffer.from('0123456789');
  it('frames a message in standard frames and Netty buffers of the chunk size', () => {
    expect(Buffer.concat([...standardFrames([payload], 4)]).toString('hex')).toBe('0000000430313233000000043435363700000002383900000000');
    expect(Buffer.concat([...nettyPack([payload], 10, 8, 5)]).toString('hex')).toBe('0000000500000002000000083031323334353637000000023839');
    const http = Buffer.concat([...message('http', [payload], 10)]);
    const head = http.indexOf('\r\n\r\n') + 4;
    expect(http.toString('latin1', 0, head)).toMatch(/^POST \/ HTTP\/1\.1\r\n[\s\S]*Content-Length: 18\r\n/);
    expect(http.subarray(head).toString('hex')).toBe('0000000a3031323334353637383900000000');
    expect(Buffer.concat([...stream('http', [payload], 10)]).toString('latin1')).toMatch(/Content-Length: 10\r\n[\s\S]*\r\n\r\n0123456789$/);
    expect(Buffer.concat([...stream('tcp', [payload], 10)])).toEqual(payload);
  });

  it('counts whole answers: frames, Netty packs, SASL after COMPLETE, HTTP responses', () => {
    const tcp = answerCounter('tcp');
    const framed = Buffer.concat([...standardFrames([payload], 4)]);
    expect(tcp(framed.subarray(0, 10))).toBe(0);
    expect(tcp(Buffer.concat([framed.subarray(10), framed]))).toBe(2);
    const sasl = answerCounter('sasl');
    expect(sasl(Buffer.concat([Buffer.from([3, 0, 0, 0, 0]), framed]))).toBe(1);
    const netty = answerCounter('netty');
    expect(netty(Buffer.concat([...nettyPack([payload], 10, 4, 1)]))).toBe(1);
    const http = new HttpResponseCounter();
    expect(http.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 400 Bad\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nHTTP/1.1 200'))).toBe(2);
    expect(http.statuses).toEqual([200, 400]);
  });
});

describe('the mutations', () => {
  it('are reproducible from the seed, the cell and the iteration', () => {
    const request = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const once = mutate(request, new Random(7, hash32('avro/tcp/conformance'), 3), 4);
    const again = mutate(request, new Random(7, hash32('avro/tcp/conformance'), 3), 4);
    expect(again).toEqual(once);
    const other = mutate(request, new Random(7, hash32('avro/tcp/conformance'), 4), 4);
    expect(other.bytes.equals(once.bytes) && JSON.stringify(other.mutations) === JSON.stringify(once.mutations)).toBe(false);
  });

  it('change the request, one to three times, with every operator in use', () => {
    const request = Buffer.alloc(64, 0x41);
    const ops = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const { bytes, mutations } = mutate(request, new Random(1, i), 0);
      expect(mutations.length).toBeGreaterThanOrEqual(1);
      expect(mutations.length).toBeLessThanOrEqual(3);
      for (const m of mutations) ops.add(m.op);
      if (mutations.every((m) => m.op !== 'set-byte' && m.op !== 'duplicate-span')) expect(bytes.equals(request)).toBe(false);
    }
    expect([...ops].sort()).toEqual(['delete-span', 'duplicate-span', 'extreme-u32', 'extreme-varint', 'flip-bits', 'insert-random', 'set-byte', 'truncate']);
  });
});

describe('the catalogue', () => {
  const catalogue = loadCatalogue();

  it('fits its schema, and the schema refuses what it does not know', () => {
    expect(catalogue.cases.length).toBeGreaterThan(20);
    const bad = JSON.parse(readFileSync(new URL('./data/cases.json', import.meta.url), 'utf8')) as { cases: Record<string, unknown>[] };
    (bad.cases[0] as Record<string, unknown>)['bogus'] = 1;
    expect(() => validated('hostile-cases', bad, 'cases.json')).toThrow(/does not fit/);
  });

  it('has unique ids, and a case for every measured Avro defect', () => {
    const ids = catalogue.cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const defects = new Set(catalogue.cases.map((c) => c.defect).filter(Boolean));
    for (const n of [6, 7, 8, 9, 10, 11, 12, 13, 14]) expect(defects.has(`avro-${n}`)).toBe(true);
    for (const d of ['json-list', '1m', 'reassembly', 'endless-http', 'backpressure', 'idle']) expect(defects.has(`thrift-${d}`)).toBe(true);
  });

  it('offers our implementation\'s transports as its capabilities declare them', () => {
    const capabilities = JSON.parse(readFileSync(new URL('../../impls/avro/capabilities.json', import.meta.url), 'utf8')) as { server: { transport: string; protocol: string }[]; client: { transport: string; protocol: string }[] };
    for (const side of [capabilities.server, capabilities.client]) {
      const conformance = side.filter((o) => o.protocol === 'conformance').map((o) => o.transport).sort();
      expect(conformance).toEqual([...(catalogue.cells.avro?.transports ?? [])].sort());
    }
  });

  it('makes cells in three directions, with profile and reference skips said', () => {
    const java = {
      peer: { id: 'java', folder: 'java-avro', family: 'avro' }, version: '1.12.2', key: 'java-avro@1.12.2',
      server: [{ transport: 'netty', protocol: 'conformance', serverKind: 'NettyServer' }, { transport: 'tcp', protocol: 'conformance', socket: 'unix', serverKind: 'x' }, { transport: 'http', protocol: 'mail', serverKind: 'jetty' }],
      client: [],
    } as unknown as PeerRelease;
    const cells = hostileCells([java], { profile: 'default' });
    const directions = new Map<string, number>();
    for (const c of cells.filter((x) => x.rpc === 'avro')) directions.set(c.cell.direction, (directions.get(c.cell.direction) ?? 0) + 1);
    const thrift = cells.filter((x) => x.rpc === 'thrift' && x.cell.direction === 'ts-server').map((x) => `${x.cell.transport} ${x.cell.protocol}`);
    expect(thrift).toContain('buffered json');
    expect(thrift).toContain('header compact');
    expect(thrift).not.toContain('header json'); // our THeader carries binary and compact only (its capabilities)
    expect(directions.get('ts-server')).toBe(5);
    expect(directions.get('ts-client')).toBe(5);
    expect(directions.get('references')).toBe(1);
    const reference = cells.find((c) => c.cell.direction === 'references');
    expect(reference?.cell).toMatchObject({ client: 'hostile', server: 'java', peer: 'java', version: '1.12.2', transport: 'netty', serverKind: 'NettyServer', implementation: 'none' });
    expect(reference?.cases.find((c) => c.testCase.id === 'fuzz')?.skip).toMatch(/our servers only/);
    expect(reference?.cases.find((c) => c.testCase.id === 'idle-silent')?.skip).toMatch(/full profile/);
    expect(hostileCells([java], { profile: 'full' }).find((c) => c.cell.direction === 'references')?.cases.find((c) => c.testCase.id === 'idle-silent')?.skip).toBeUndefined();
    const filtered = hostileCells([java], { profile: 'default', filter: { direction: 'ts-client', transport: 'tcp' }, caseMatches: (id) => id.startsWith('answer-none') });
    expect(filtered.map((c) => [c.cell.transport, c.cases.map((p) => p.testCase.id)])).toEqual([['tcp', ['answer-none']]]);
  });

  it('leaves out references that are not in its list', () => {
    const tools = { peer: { id: 'avro-tools', folder: 'avro-tools', family: 'avro' }, version: '1', key: 'k', server: [{ transport: 'http', protocol: 'conformance', serverKind: 'rpcreceive' }], client: [] } as unknown as PeerRelease;
    expect(hostileCells([tools], { catalogue }).filter((c) => c.cell.direction === 'references')).toEqual([]);
  });
});

describe('the judge', () => {
  const usage = { beforeBytes: 100 * 1024 * 1024, peakBytes: 110 * 1024 * 1024, afterBytes: 100 * 1024 * 1024, cpuMs: 20, alive: true };
  const observed = (o: Partial<Observation>): Observation => ({ reaction: 'close', reactionMs: 50, closedMs: 50, answer: Buffer.alloc(0), sent: Buffer.alloc(0), usage, cpuWaitMs: 0, served: { ok: true, ms: 1, detail: '' }, ...o });
  const bounds = { reaction: 'answer-or-close' as const, withinMs: 100, rssGrowthMb: 16, servedAfter: true, ours: true, transport: 'tcp' };

  it('passes an observation within every bound', () => {
    expect(serverProblems(observed({}), bounds)).toEqual([]);
  });

  it('names every bound broken', () => {
    const problems = serverProblems(observed({ reactionMs: 500, closedMs: 500, usage: { ...usage, peakBytes: 200 * 1024 * 1024, alive: false }, served: { ok: false, ms: 1, detail: 'refused' } }), bounds);
    expect(problems.join('\n')).toMatch(/after 500 ms[\s\S]*RSS grew by 100 MB[\s\S]*process is gone[\s\S]*refused/);
    expect(serverProblems(observed({ reaction: 'none' }), bounds)).toEqual(['no answer and no close within 100 ms']);
    expect(serverProblems(observed({ reaction: 'answer', closedMs: undefined }), { ...bounds, reaction: 'close' })[0]).toMatch(/did not close/);
    expect(serverProblems(observed({ reactionMs: 10, closedMs: 10 }), { ...bounds, notBeforeMs: 40 })[0]).toMatch(/sooner than the timeout/);
    expect(serverProblems(observed({ reaction: 'answer', answer: Buffer.from('fine') }), { ...bounds, answerMatches: { '*': 'limit' } })[0]).toMatch(/does not match/);
    expect(serverProblems(observed({ reaction: 'answer', answer: Buffer.from('fine') }), { ...bounds, ours: false, answerMatches: { '*': 'limit' } })).toEqual([]);
    expect(serverProblems(observed({ acceptedMb: 30 }), { ...bounds, acceptedMbBelow: 24 })[0]).toMatch(/took 30 MB/);
  });

  it('does not count time both ends waited for a CPU against a wall-clock bound, and counts the rest', () => {
    expect(serverProblems(observed({ reactionMs: 180, closedMs: 180, cpuWaitMs: 100 }), bounds)).toEqual([]);
    expect(serverProblems(observed({ reactionMs: 250, closedMs: 250, cpuWaitMs: 100 }), bounds)[0])
      .toBe('reacted after 250 ms (100 ms of it waiting for a CPU), more than the bound of 100 ms');
    // The valid call after the attack too (never-read-flood on a busy machine: 2,670 ms, 509 of them waiting during the flood alone).
    expect(serverProblems(observed({ served: { ok: true, ms: 2670, detail: '', cpuWaitMs: 1900 } }), { ...bounds, servedWithinMs: 1000 })).toEqual([]);
    expect(serverProblems(observed({ served: { ok: true, ms: 2670, detail: '', cpuWaitMs: 1000 } }), { ...bounds, servedWithinMs: 1000 }))
      .toEqual(['a valid call right after took 2670 ms (1000 ms of it waiting for a CPU), more than 1000 ms']);
    const call = (ms: number, callCpuWaitMs: number): ClientObservation => ({
      outcome: { ok: false, error: { name: 'Error', message: 'limit' }, ms }, usage, callCpuWaitMs, releasedMs: 10, releaseCpuWaitMs: 0,
    });
    const expectation = { withinMs: 500, error: { '*': 'limit' }, rssGrowthMb: 16, servedAfter: false } as unknown as ClientExpect;
    expect(clientProblems(call(790, 300), expectation, 'tcp')).toEqual([]);
    expect(clientProblems(call(790, 200), expectation, 'tcp')).toEqual(['the call took 790 ms (200 ms of it waiting for a CPU), more than the bound of 500 ms']);
  });
});

describe('the process measures', () => {
  // The peak comes from the kernel's high-water mark (reset at the start), not from a timer: a
  // spike between two looks must still count.
  it('count a short spike of memory in the peak RSS', async () => {
    // The child spikes only when told, after the watch has started (a timer in each process raced
    // under load: ci41's watch once started after the spike), and says when it has freed it.
    const script = "process.stdout.write('ready\\n'); process.stdin.once('data', () => { let b = Buffer.alloc(100e6, 1); "
      + "setTimeout(() => { b = null; globalThis.gc(); process.stdout.write('freed\\n'); }, 30); }); setInterval(() => {}, 1000);";
    const child = execa(process.execPath, ['--expose-gc', '-e', script], { stdin: 'pipe' });
    const said = (word: string): Promise<void> => new Promise((resolve) => {
      const listen = (chunk: Buffer): void => {
        if (!chunk.toString().includes(word)) return;
        child.stdout?.off('data', listen);
        resolve();
      };
      child.stdout?.on('data', listen);
    });
    try {
      const ready = said('ready');
      await ready;
      const watch = sample(child.pid as number, 60_000);
      const freed = said('freed');
      child.stdin?.write('go\n');
      await freed;
      await new Promise((resolve) => setTimeout(resolve, 100));
      const seen = watch.stop();
      expect(seen.peakBytes - seen.beforeBytes).toBeGreaterThan(80 * 1024 * 1024);
      expect(seen.afterBytes).toBeLessThan(seen.peakBytes - 50 * 1024 * 1024);
    } finally {
      child.kill();
      await child.catch(() => undefined);
    }
  });

  /** Runs `code` in a node pinned to CPU 0 beside a busy rival; `within` measures the target's wait. */
  async function waitBesideRival(code: string, within: { settleMs: number; measureMs: number }): Promise<number> {
    const pinned = (source: string) => execa('taskset', ['-c', '0', process.execPath, '-e', source]);
    const rival = pinned('const end = Date.now() + 3_000; while (Date.now() < end);');
    const target = pinned(code);
    try {
      await new Promise((resolve) => setTimeout(resolve, within.settleMs));
      const waited = cpuWait(target.pid as number);
      await new Promise((resolve) => setTimeout(resolve, within.measureMs));
      return waited.stop();
    } finally {
      rival.kill();
      target.kill();
      await Promise.allSettled([rival, target]);
    }
  }

  // Two busy processes pinned to one CPU: each waits for it about half the time. A process
  // without rivals waits next to nothing, so the measure is what tells load from slowness.
  it('sees a process wait for a CPU it shares with another', async () => {
    expect(await waitBesideRival('const end = Date.now() + 3_000; while (Date.now() < end);', { settleMs: 300, measureMs: 600 })).toBeGreaterThan(150);
  });

  // A reference server answers on a thread of its own: its wait counts, not only the main thread's
  // (which waits on nothing here), and a thread born after the measure began counts too.
  it('sees the wait of a thread other than the main one, born after the measure began', async () => {
    const worker = "setTimeout(() => new (require('node:worker_threads').Worker)('const end = Date.now() + 2_000; while (Date.now() < end);', { eval: true }), 300);";
    expect(await waitBesideRival(worker, { settleMs: 100, measureMs: 1_000 })).toBeGreaterThan(150);
  });
});

describe('our child process', () => {
  // A file's afterAll stops it; the worker's next file must not pick up a child whose kill has
  // not yet been seen (its first case failed "our process exited (signal SIGKILL)", on Node 22).
  it('has ended, and says so, once stop() resolves', async () => {
    const child = await OursProcess.start(64);
    expect(child.exited).toBeUndefined();
    await child.stop();
    expect(child.exited).toMatch(/our process exited \(code (null|0), signal (SIGKILL|null)\)/);
  });
});
