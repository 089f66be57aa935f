// Reassembling messages from a stream: scanners find every message's end whatever the chunking,
// in linear time, and refuse bad or oversized declarations as soon as they are seen; frames and
// THeader frames are checked before anything waits for their bytes.
import { deflateSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { writeCall } from '../codec/messages.ts';
import { ProtocolError, SizeError } from '../errors.ts';
import { loadIdl } from '../idl/load.ts';
import { DEFAULT_LIMITS, resolveLimits } from '../limits.ts';
import { newWriter, PROTOCOL_NAMES, type ProtocolName } from '../protocol/index.ts';
import { IDL_PATH } from '../../../suites/thrift/catalogue.ts';
import { FrameSplitter, UnframedSplitter } from './splitters.ts';
import { HeaderFrameError, readHeaderFrame, writeHeaderFrame, ZLIB_TRANSFORM } from './theader.ts';

const idl = loadIdl(IDL_PATH);

function message(protocol: ProtocolName, method: string, args: Record<string, unknown>, seqid = 1): Buffer {
  const writer = newWriter(protocol);
  writeCall(idl, writer, idl.method('Conformance', method), method, seqid, args);
  return writer.output.toBuffer();
}

/** Pushes stream through one reused buffer of `step` bytes, overwritten after every push (as ReusedReads lends its reads). */
function pushBorrowed(splitter: FrameSplitter | UnframedSplitter, stream: Buffer, step: number): Buffer[] {
  const found: Buffer[] = [];
  const reused = Buffer.alloc(step);
  for (let at = 0; at < stream.length; at += step) {
    const n = stream.copy(reused, 0, at, at + step);
    found.push(...splitter.push(reused.subarray(0, n), true));
    reused.fill(0xee);
  }
  return found;
}

/**
 * Pushes `stream` in chunks of `step` bytes, each in an ArrayBuffer of its own as net reads them
 * (Buffer.from would use the shared pool for small ones), and detaches every chunk the splitter
 * reports done with: a message it handed out must stay intact.
 */
function pushDetaching(splitter: FrameSplitter | UnframedSplitter, stream: Buffer, step: number, doneIsCurrent = false): { found: Buffer[]; detached: number } {
  const found: Buffer[] = [];
  let detached = 0;
  for (let at = 0; at < stream.length; at += step) {
    const chunk = Buffer.from(new ArrayBuffer(Math.min(step, stream.length - at)));
    stream.copy(chunk, 0, at, at + step);
    found.push(...splitter.push(chunk));
    for (const done of splitter.done) {
      if (doneIsCurrent) expect(done).toBe(chunk);
      (done.buffer as ArrayBuffer).transfer(0);
      detached++;
    }
  }
  return { found, detached };
}

const SAMPLES: [string, Record<string, unknown>][] = [
  ['ping', {}],
  ['echoString', { value: 'a "quoted" \\ string ] } with brackets [ {' }],
  ['echoDeep', { value: { cube: [[[1, 2], []], [], [[-3]]], grid: new Map([[1, new Map([[-5n, 'x']])]]), choices: [{ nothing: {} }, { raw: Buffer.from('5c22', 'hex') }] } }],
  ['echoTagged', { value: { id: '00112233-4455-6677-8899-aabbccddeeff', trail: [], names: new Map(), seen: [] } }],
  ['echoScalars', { value: { flag: false, tiny: 1, small: 2, medium: 3, large: 4n, real: 0.5, text: '\\', blob: Buffer.from([0x22, 0x5c]), color: 4 } }],
];

describe.each(PROTOCOL_NAMES)('unframed %s stream', (protocol) => {
  const messages = SAMPLES.map(([method, args], i) => message(protocol, method, args, i));
  const stream = Buffer.concat(messages);

  it('cuts several messages out of one chunk', () => {
    const splitter = new UnframedSplitter(protocol, DEFAULT_LIMITS);
    expect(splitter.push(stream).map((m) => m.toString('hex'))).toEqual(messages.map((m) => m.toString('hex')));
    expect(splitter.pending).toBe(0);
  });

  it('finds the same messages when the stream arrives split at every byte', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const splitter = new UnframedSplitter(protocol, DEFAULT_LIMITS);
      const found = [...splitter.push(stream.subarray(0, cut)), ...splitter.push(stream.subarray(cut))];
      expect(found.length, `cut at ${cut}`).toBe(messages.length);
    }
  });

  it('finds them fed one byte at a time', () => {
    const splitter = new UnframedSplitter(protocol, DEFAULT_LIMITS);
    const found: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) found.push(...splitter.push(stream.subarray(i, i + 1)));
    expect(Buffer.concat(found).equals(stream)).toBe(true);
  });

  it('says which chunks it keeps no view of: detaching them leaves every message intact, at every split size', () => {
    const withBig = Buffer.concat([stream, message(protocol, 'echoBinary', { value: Buffer.alloc(70_000, 0x5a) }), stream]);
    for (const step of [1, 7, 64, 4096, 36_000, 65_536]) {
      const { found, detached } = pushDetaching(new UnframedSplitter(protocol, DEFAULT_LIMITS), withBig, step);
      expect(Buffer.concat(found).equals(withBig), `step ${step}`).toBe(true);
      expect(found.length).toBe(2 * messages.length + 1);
      // The chunks wholly inside the big message are copied out of and reported.
      if (step === 4096) expect(detached).toBeGreaterThan(10);
    }
    // One message in two reads (a 64 KiB echo): both reads are reported once it is copied out.
    const alone = message(protocol, 'echoBinary', { value: Buffer.alloc(65_536, 0x5a) });
    const single = new UnframedSplitter(protocol, DEFAULT_LIMITS);
    const reads = [alone.subarray(0, 65_536), alone.subarray(65_536)].map((part) => {
      const chunk = Buffer.from(new ArrayBuffer(part.length));
      part.copy(chunk);
      return chunk;
    });
    expect(single.push(reads[0] as Buffer)).toEqual([]);
    expect(single.done).toEqual([]);
    expect(single.push(reads[1] as Buffer).map((m) => m.equals(alone))).toEqual([true]);
    expect(single.done).toEqual(reads);
    // Borrowed chunks are the caller's to reuse: never reported.
    const splitter = new UnframedSplitter(protocol, DEFAULT_LIMITS);
    splitter.push(stream.subarray(0, 3), true);
    splitter.push(stream.subarray(3), true);
    expect(splitter.done).toEqual([]);
  });


  it('keeps nothing of a borrowed chunk: every split size, the chunk overwritten after each push', () => {
    const hex = messages.map((m) => m.toString('hex'));
    for (let step = 1; step <= stream.length; step++) {
      const splitter = new UnframedSplitter(protocol, DEFAULT_LIMITS);
      expect(pushBorrowed(splitter, stream, step).map((m) => m.toString('hex')), `step ${step}`).toEqual(hex);
      expect(splitter.pending).toBe(0);
      expect(splitter.done).toEqual([]);
    }
    const big = message(protocol, 'echoBinary', { value: Buffer.alloc(70_000, 0x5a) });
    const withBig = Buffer.concat([stream, big, stream]);
    for (const step of [1000, 65_536, 131_072, withBig.length]) {
      const found = pushBorrowed(new UnframedSplitter(protocol, DEFAULT_LIMITS), withBig, step);
      expect(found.length, `step ${step}`).toBe(2 * messages.length + 1);
      expect(Buffer.concat(found).equals(withBig), `step ${step}`).toBe(true);
    }
  });

  it('finds the same messages split at every byte, both parts borrowed from one reused buffer', () => {
    const hex = messages.map((m) => m.toString('hex'));
    const reused = Buffer.alloc(stream.length);
    for (let cut = 1; cut < stream.length; cut++) {
      const splitter = new UnframedSplitter(protocol, DEFAULT_LIMITS);
      stream.copy(reused, 0, 0, cut);
      const found = [...splitter.push(reused.subarray(0, cut), true)];
      reused.fill(0xee);
      stream.copy(reused, 0, cut);
      found.push(...splitter.push(reused.subarray(0, stream.length - cut), true));
      reused.fill(0xee);
      expect(found.map((m) => m.toString('hex')), `cut at ${cut}`).toEqual(hex);
      expect(splitter.pending).toBe(0);
    }
  });

  it('hands a message within one chunk on as a view of it, or as a copy of the message alone when borrowed', () => {
    const chunk = Buffer.from(new ArrayBuffer(stream.length + 3));
    stream.copy(chunk);
    const [next] = messages;
    (next as Buffer).copy(chunk, stream.length, 0, 3);
    const splitter = new UnframedSplitter(protocol, DEFAULT_LIMITS);
    const found = splitter.push(chunk);
    expect(found.length).toBe(messages.length);
    for (const m of found) expect(m.buffer).toBe(chunk.buffer);
    // The start of the next message is held as it is (a view), the chunk not reported done.
    expect(splitter.pending).toBe(3);
    expect(splitter.done).toEqual([]);
    const lent = new UnframedSplitter(protocol, DEFAULT_LIMITS);
    const copies = lent.push(chunk, true);
    expect(copies.map((m) => m.toString('hex'))).toEqual(messages.map((m) => m.toString('hex')));
    for (const m of copies) expect(m.buffer).not.toBe(chunk.buffer);
    expect(lent.pending).toBe(3);
    chunk.fill(0xee);
    const rest = Buffer.from(next as Buffer).subarray(3);
    expect(lent.push(rest, true).map((m) => m.toString('hex'))).toEqual([(next as Buffer).toString('hex')]);
  });

  it('reassembles a 32 MB message from 64 KB chunks in linear time', () => {
    const big = message(protocol, 'echoBinary', { value: Buffer.alloc(24 * 1024 * 1024, 0x5a) });
    const splitter = new UnframedSplitter(protocol, DEFAULT_LIMITS);
    const started = performance.now();
    const found: Buffer[] = [];
    for (let at = 0; at < big.length; at += 65536) found.push(...splitter.push(big.subarray(at, at + 65536)));
    const elapsed = performance.now() - started;
    expect(found).toHaveLength(1);
    expect(found[0]?.length).toBe(big.length);
    // The old stack re-decoded from the start on every chunk (quadratic: 14-49 s for 96 MB).
    expect(elapsed).toBeLessThan(3000);
  });
});

/** Sizes of the buffers of 4 KiB or more made (allocUnsafe, or a copy with Buffer.from) while `run` runs. */
function bigAllocations(run: () => void): number[] {
  const sizes: number[] = [];
  const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
  const from = vi.spyOn(Buffer, 'from');
  try {
    run();
    for (const [size] of allocUnsafe.mock.calls) if (size >= 4096) sizes.push(size);
    for (const [source] of from.mock.calls) if (Buffer.isBuffer(source) && source.length >= 4096) sizes.push(source.length);
  } finally {
    allocUnsafe.mockRestore();
    from.mockRestore();
  }
  return sizes;
}

describe('unframed messages over borrowed reads', () => {
  it('copies a 64 KiB answer that comes in three reads once, into room kept for all of it, as Java writes it', () => {
    // Java's buffered transport writes the fields before the value, the value, and the stops apart.
    const answer = message('binary', 'echoBinary', { value: Buffer.alloc(65_536, 0x5a) });
    const cuts = [answer.length - 1 - 65_536, answer.length - 1]; // the value's start and end; a stop byte follows
    const reused = Buffer.alloc(131_072);
    const found: Buffer[] = [];
    const splitter = new UnframedSplitter('binary', DEFAULT_LIMITS);
    const sizes = bigAllocations(() => {
      for (const [from, to] of [[0, cuts[0]], [cuts[0], cuts[1]], [cuts[1], answer.length]] as const) {
        const n = answer.copy(reused, 0, from, to);
        found.push(...splitter.push(reused.subarray(0, n), true));
        reused.fill(0xee);
      }
    });
    expect(found.map((m) => m.toString('hex'))).toEqual([answer.toString('hex')]);
    expect(sizes).toHaveLength(1); // before: the value's read copied to be kept, then the three parts joined
    expect(splitter.pending).toBe(0);
  });

  it('copies each byte at most twice whatever the reads: a 16 MiB message in 128 KiB reads', () => {
    const big = message('compact', 'echoBinary', { value: Buffer.alloc(16 * 1024 * 1024, 0x33) });
    let found: Buffer[] = [];
    const sizes = bigAllocations(() => {
      found = pushBorrowed(new UnframedSplitter('compact', DEFAULT_LIMITS), big, 131_072);
    });
    expect(found).toHaveLength(1);
    expect(found[0]?.equals(big)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2 * big.length + 16);
  });
});

/** A frame: its 4-byte big-endian length, then its bytes. */
function frame(body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

describe('large messages in borrowed reads', () => {
  const filled = (bytes: number, seed: number): Buffer => {
    const out = Buffer.allocUnsafe(bytes);
    for (let i = 0; i < bytes; i++) out[i] = (i * 13 + seed) & 0xff;
    return out;
  };

  it('cost one allocation each once pages are warm: the first half waits in pages used again', () => {
    const body = filled(1024 * 1024 + 3, 1);
    const frames = new FrameSplitter(DEFAULT_LIMITS);
    pushBorrowed(frames, frame(body), 131_072); // takes the pages the next frames use again
    const framed = bigAllocations(() => {
      for (let i = 0; i < 3; i++) expect(pushBorrowed(frames, frame(body), 131_072)[0]?.equals(body)).toBe(true);
    });
    expect(framed).toEqual([body.length, body.length, body.length]);

    const big = message('binary', 'echoBinary', { value: body });
    const unframed = new UnframedSplitter('binary', DEFAULT_LIMITS);
    pushBorrowed(unframed, big, 131_072);
    const sizes = bigAllocations(() => {
      for (let i = 0; i < 3; i++) expect(pushBorrowed(unframed, big, 131_072)[0]?.equals(big)).toBe(true);
    });
    // The message's room, sized from the scanner's position (16 bytes more for its stops).
    expect(sizes).toHaveLength(3);
    expect(sizes.every((n) => n >= big.length && n <= big.length + 16)).toBe(true);
  });

  it('never hands out a page: messages stay intact while later ones go through the same pages', () => {
    const bodies = [0, 1, 2, 3, 4, 5].map((seed) => filled(300_000 + seed * 50_001, seed));
    const framedOut = pushBorrowed(new FrameSplitter(DEFAULT_LIMITS), Buffer.concat(bodies.map(frame)), 100_000);
    // Read only after all went through: a page used again under a message would show here.
    expect(framedOut.map((m, i) => m.equals(bodies[i] as Buffer))).toEqual(bodies.map(() => true));
  });

  // JSON's scanner stands at the bytes held (its lengths come at the end), binary's and compact's
  // past them (a declared length skipped): a read copied into two pages keeps the cursor right.
  it.each(PROTOCOL_NAMES)('finds unframed %s messages copied into pages at every read size, intact after', (protocol) => {
    const bodies = [0, 1, 2, 3].map((seed) => filled(300_000 + seed * 250_001, seed));
    const messages = bodies.map((value) => message(protocol, 'echoBinary', { value }));
    const stream = Buffer.concat(messages);
    for (const step of [65_536, 100_000, 131_072, 200_000]) {
      const found = pushBorrowed(new UnframedSplitter(protocol, DEFAULT_LIMITS), stream, step);
      expect(found.map((m, i) => m.equals(messages[i] as Buffer))).toEqual(messages.map(() => true));
    }
  });
});

describe('unframed stream hostile input', () => {
  it('refuses a declared string over the limit as soon as its length arrives', () => {
    const splitter = new UnframedSplitter('binary', resolveLimits({ maxStringLength: 1000 }));
    const header = Buffer.from('800100010000000a6563686f537472696e67000000010b00017fffffff', 'hex');
    expect(() => splitter.push(header)).toThrow(/declares 2147483647 bytes, over the limit of 1000/);
  });

  it('refuses a message longer than maxMessageSize before its bytes arrive', () => {
    const splitter = new UnframedSplitter('compact', resolveLimits({ maxMessageSize: 4096 }));
    const start = message('compact', 'echoBinary', { value: Buffer.alloc(5000) }).subarray(0, 40);
    expect(() => splitter.push(start)).toThrow(SizeError);
  });

  it('names garbage and an HTTP request sent to a socket', () => {
    expect(() => new UnframedSplitter('binary', DEFAULT_LIMITS).push(Buffer.from('ffffffffdeadbeef00000000', 'hex'))).toThrow(/bad binary protocol version/);
    expect(() => new UnframedSplitter('binary', DEFAULT_LIMITS).push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/over the limit/);
    expect(() => new UnframedSplitter('compact', DEFAULT_LIMITS).push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/bad compact protocol id 0x47/);
    expect(() => new UnframedSplitter('json', DEFAULT_LIMITS).push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/starts with "\["/);
  });

  it('refuses containers too deep and unknown types in the stream', () => {
    const deep = Buffer.concat([Buffer.from('80010001000000016d00000001', 'hex'), Buffer.from('0f0001', 'hex'), Buffer.from('0f00000001'.repeat(100), 'hex')]);
    expect(() => new UnframedSplitter('binary', DEFAULT_LIMITS).push(deep)).toThrow(/deeper than 64/);
    expect(() => new UnframedSplitter('binary', DEFAULT_LIMITS).push(Buffer.from('80010001000000016d000000011f0001', 'hex'))).toThrow(/unknown field type 31/);
    expect(() => new UnframedSplitter('json', DEFAULT_LIMITS).push(Buffer.from('['.repeat(500)))).toThrow(/deeper/);
  });

  it('refuses hostile declarations in borrowed chunks too, and holds only what came of an incomplete message', () => {
    const header = Buffer.from('800100010000000a6563686f537472696e67000000010b00017fffffff', 'hex');
    for (let cut = 1; cut < header.length; cut++) {
      const splitter = new UnframedSplitter('binary', resolveLimits({ maxStringLength: 1000 }));
      expect(splitter.push(Buffer.from(header.subarray(0, cut)), true)).toEqual([]);
      expect(splitter.pending).toBe(cut);
      expect(() => splitter.push(Buffer.from(header.subarray(cut)), true)).toThrow(/declares 2147483647 bytes, over the limit of 1000/);
    }
    const start = message('compact', 'echoBinary', { value: Buffer.alloc(5000) }).subarray(0, 40);
    expect(() => new UnframedSplitter('compact', resolveLimits({ maxMessageSize: 4096 })).push(Buffer.from(start), true)).toThrow(SizeError);
    // A string declared long (within the limits): only the bytes that came are held, as a copy of them.
    const long = message('binary', 'echoBinary', { value: Buffer.alloc(1_000_000, 1) });
    const splitter = new UnframedSplitter('binary', DEFAULT_LIMITS);
    const lent = Buffer.from(long.subarray(0, 100));
    expect(splitter.push(lent, true)).toEqual([]);
    expect(splitter.pending).toBe(100);
  });

  it('never allocates more than twice the bytes received for a message declared long, borrowed chunks or not', () => {
    const long = message('binary', 'echoBinary', { value: Buffer.alloc(1_000_000, 1) });
    const sizes = bigAllocations(() => {
      const splitter = new UnframedSplitter('binary', DEFAULT_LIMITS);
      expect(pushBorrowed(splitter, long.subarray(0, 300_000), 100_000)).toEqual([]);
    });
    expect(Math.max(0, ...sizes)).toBeLessThanOrEqual(2 * 300_000);
  });

  it('holds at most the bytes of one message while it is incomplete', () => {
    const splitter = new UnframedSplitter('binary', DEFAULT_LIMITS);
    const m = message('binary', 'echoString', { value: 'x'.repeat(1000) });
    splitter.push(m.subarray(0, 500));
    expect(splitter.pending).toBe(500);
    expect(splitter.push(m.subarray(500))).toHaveLength(1);
    expect(splitter.pending).toBe(0);
  });
});

describe('frames', () => {
  it('refuses a frame over the limit from its 4-byte header alone', () => {
    expect(() => new FrameSplitter(DEFAULT_LIMITS).push(Buffer.from('7fffffff80010001', 'hex'))).toThrow(/frame size 2147483647 is over the limit of 16384000/);
    expect(() => new FrameSplitter(DEFAULT_LIMITS).push(Buffer.from('00000000', 'hex'))).toThrow(ProtocolError);
    expect(() => new FrameSplitter(DEFAULT_LIMITS).push(Buffer.from('ffffffff', 'hex'))).toThrow(ProtocolError);
  });

  it('cuts frames at every split point and copies a frame once at most', () => {
    const frames = [Buffer.from('00000003616263', 'hex'), Buffer.from('0000000178', 'hex')];
    const stream = Buffer.concat(frames);
    for (let cut = 0; cut <= stream.length; cut++) {
      const splitter = new FrameSplitter(DEFAULT_LIMITS);
      const found = [...splitter.push(stream.subarray(0, cut)), ...splitter.push(stream.subarray(cut))];
      expect(found.map((f) => f.toString())).toEqual(['abc', 'x']);
    }
  });

  it('keeps nothing of a borrowed chunk: split at every size, the chunk overwritten after each push', () => {
    for (const [bigSize, steps] of [[2000, [1, 3, 4, 5, 7]], [70_000, [1000, 65536, 70_012]]] as const) {
      const big = Buffer.alloc(bigSize, 7);
      const length = Buffer.alloc(4);
      length.writeInt32BE(bigSize);
      const stream = Buffer.concat([Buffer.from('00000003616263', 'hex'), length, big, Buffer.from('0000000178', 'hex')]);
      for (const step of steps) {
        const splitter = new FrameSplitter(DEFAULT_LIMITS);
        const found = pushBorrowed(splitter, stream, step);
        expect(splitter.pending).toBe(0);
        expect(found.map((f) => f.length)).toEqual([3, bigSize, 1]);
        expect(found[0]?.toString()).toBe('abc');
        expect(found[1]?.equals(big)).toBe(true);
        expect(found[2]?.toString()).toBe('x');
      }
    }
  });

  it('says which chunks it keeps no view of: those can be detached at every split size', () => {
    const big = Buffer.alloc(70_000, 7);
    const length = Buffer.alloc(4);
    length.writeInt32BE(big.length);
    const bigFrame = Buffer.concat([length, big]);
    const small = [Buffer.from('00000003616263', 'hex'), Buffer.from('0000000178', 'hex')];
    for (const stream of [Buffer.concat([small[0] as Buffer, bigFrame, small[1] as Buffer]), bigFrame]) {
      for (const step of [1, 3, 5, 4096, 36_000, 65_536, stream.length]) {
        const splitter = new FrameSplitter(DEFAULT_LIMITS);
        // A frame splitter is done with a chunk in the push that brought it, or keeps it.
        const { found, detached } = pushDetaching(splitter, stream, step, true);
        expect(splitter.pending).toBe(0);
        const expected = stream === bigFrame ? [big] : [Buffer.from('abc'), big, Buffer.from('x')];
        expect(found.length).toBe(expected.length);
        expect(found.map((frame, i) => frame.equals(expected[i] as Buffer))).toEqual(expected.map(() => true));
        // Once half of the big frame has come it is copied into a buffer of its own: the chunks that complete it are not kept.
        if (stream === bigFrame && step >= 36_000 && step < stream.length) expect(detached).toBe(Math.ceil(stream.length / step));
      }
    }
    // Borrowed chunks are copied, never kept; a frame within one unborrowed chunk is a view of it.
    const splitter = new FrameSplitter(DEFAULT_LIMITS);
    splitter.push(Buffer.from('00000003616263', 'hex'), true);
    expect(splitter.done).toEqual([]);
    splitter.push(Buffer.from('00000003616263', 'hex'));
    expect(splitter.done).toEqual([]);
  });

  it('holds no more than twice the bytes received of a frame declared large', () => {
    const splitter = new FrameSplitter(DEFAULT_LIMITS);
    // 16,000,000 bytes declared, 10 received: nothing of the declared size is allocated yet.
    expect(splitter.push(Buffer.from('00f42400' + '00'.repeat(10), 'hex'))).toEqual([]);
    expect(splitter.pending).toBe(14);
  });
});

describe('THeader frames', () => {
  const payload = message('compact', 'echoString', { value: 'through a header' });

  it('round-trips the protocol, sequence id, info headers and the zlib transform', async () => {
    for (const transforms of [[], [ZLIB_TRANSFORM]]) {
      const wire = Buffer.concat(await writeHeaderFrame([payload], payload.length, { protocol: 'compact', seqid: -7, transforms, headers: new Map([['k', 'v\u2713']]) }, DEFAULT_LIMITS));
      const [frame] = new FrameSplitter(DEFAULT_LIMITS).push(wire);
      const read = await readHeaderFrame(frame as Buffer, DEFAULT_LIMITS);
      expect(read.protocol).toBe('compact');
      expect(read.seqid).toBe(-7);
      expect(read.transforms).toEqual(transforms);
      expect([...read.headers]).toEqual([['k', 'v\u2713']]);
      expect(read.message.equals(payload)).toBe(true);
    }
  });

  it('reads frames exactly as Python 0.25 writes them (plain with an info header; compact with zlib)', async () => {
    // Written by THeaderTransport.flush (python thrift 0.25.0): see interop/pyinterop.py's versions.
    const [plain] = new FrameSplitter(DEFAULT_LIMITS).push(Buffer.from('000000170fff0000000000050002000001010161016268656c6c6f', 'hex'));
    const read = await readHeaderFrame(plain as Buffer, DEFAULT_LIMITS);
    expect([read.protocol, read.seqid, [...read.headers], read.message.toString()]).toEqual(['binary', 5, [['a', 'b']], 'hello']);
    const [zlib] = new FrameSplitter(DEFAULT_LIMITS).push(Buffer.from('0000001e0fff0000ffffffff000102010100789ccb48cdc9c9cf20850000116a14c9', 'hex'));
    const compressed = await readHeaderFrame(zlib as Buffer, DEFAULT_LIMITS);
    expect([compressed.protocol, compressed.seqid, compressed.transforms, compressed.message.toString()]).toEqual(['compact', -1, [1], 'hello'.repeat(10)]);
  });

  it('writes the frame Python writes', async () => {
    const wire = await writeHeaderFrame([Buffer.from('hello')], 5, { protocol: 'binary', seqid: 5, headers: new Map([['a', 'b']]) }, DEFAULT_LIMITS);
    expect(Buffer.concat(wire).toString('hex')).toBe('000000170fff0000000000050002000001010161016268656c6c6f');
  });

  it('refuses a header area longer than the frame, a zlib bomb, and names unknown transforms and protocols', async () => {
    await expect(readHeaderFrame(Buffer.from('0fff000000000001ffff', 'hex'), DEFAULT_LIMITS)).rejects.toThrow(/header bytes but the frame has/);
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024));
    const bombFrame = Buffer.concat([Buffer.from('0fff000000000001000102000101', 'hex'), Buffer.alloc(2), bomb]);
    bombFrame.writeUInt16BE(1, 8);
    // protocol compact (2), 1 transform: zlib (1); then one padding byte.
    Buffer.from([2, 1, 1, 0]).copy(bombFrame, 10);
    const started = performance.now();
    await expect(readHeaderFrame(Buffer.concat([bombFrame.subarray(0, 14), bomb]), resolveLimits({ maxMessageSize: 1024 * 1024 }))).rejects.toThrow(/inflates to more than 1048576/);
    expect(performance.now() - started).toBeLessThan(2000);
    await expect(readHeaderFrame(Buffer.from('0fff000000000009000100010700', 'hex'), DEFAULT_LIMITS)).rejects.toThrow(HeaderFrameError);
    await expect(readHeaderFrame(Buffer.from('0fff000000000009000103000000', 'hex'), DEFAULT_LIMITS)).rejects.toThrow(/protocol id 3/);
    await expect(readHeaderFrame(Buffer.from('80010001000000000000', 'hex'), DEFAULT_LIMITS)).rejects.toThrow(/not a THeader frame/);
  });
});
