// Pins the npm thrift behaviours our implementation works around, so a fixed upstream is noticed,
// and checks our codecs where npm's are lossy.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { npmApplicationExceptionWrite, thrift, Thrift, type Protocol } from './runtime.ts';
import { ExactInt64, toExactInt64 } from './int64.ts';
import { protocolClass } from './protocols.ts';
import { DEFAULT_LIMITS, LimitExceeded } from './limits.ts';
import { InputBuffer, OutputCollector, isUnderrun } from './transports.ts';
import { MessageStream } from './message-stream.ts';

function encode(name: 'binary' | 'binary-nonstrict' | 'compact' | 'json', write: (p: Protocol & Record<string, (...a: never[]) => unknown>) => void): Buffer {
  let out: Buffer = Buffer.alloc(0);
  const P = protocolClass(name, DEFAULT_LIMITS);
  const p = new P(new OutputCollector((m) => { out = m; }));
  write(p as Protocol & Record<string, (...a: never[]) => unknown>);
  p.flush();
  return out;
}

function reader(name: 'binary' | 'compact' | 'json', data: Buffer): Protocol & Record<string, () => unknown> {
  const P = protocolClass(name, DEFAULT_LIMITS);
  return new P(new InputBuffer(data, DEFAULT_LIMITS)) as Protocol & Record<string, () => unknown>;
}

describe('npm thrift 0.24 defects we work around', () => {
  it('its TApplicationException.write drops the type (writes this.code, which is never set)', () => {
    let out: Buffer = Buffer.alloc(0);
    const p = new thrift.TBinaryProtocol(new OutputCollector((m) => { out = m; }));
    npmApplicationExceptionWrite.call(new Thrift.TApplicationException(1, 'x'), p);
    p.flush();
    // message field only: 0b 0001 00000001 78, then STOP. No field 2 (type).
    expect(out.toString('hex')).toBe('0b00010000000178' + '00');
  });

  it('our TApplicationException.write sends the type', () => {
    const out = encode('binary', (p) => new Thrift.TApplicationException(1, 'x').write(p));
    expect(out.toString('hex')).toBe('0b00010000000178' + '080002' + '00000001' + '00');
  });

  it('npm writeI64 parses a string as hexadecimal; ours as decimal', () => {
    expect(toExactInt64('10').toString()).toBe('10');
    expect(new thrift.TBinaryProtocol(new OutputCollector(() => undefined)) !== undefined).toBe(true);
  });
});

describe('exact values', () => {
  // JSON's reader needs a message context; the conformance cases cover its i64s.
  for (const name of ['binary', 'compact'] as const) {
    it(`${name}: i64 extremes and beyond 2^53 round-trip exactly`, () => {
      const values = ['-9223372036854775808', '9223372036854775807', '9007199254740993', '-1', '0'];
      const data = encode(name, (p) => {
        (p['writeListBegin'] as (t: number, n: number) => void)(10, values.length);
        for (const v of values) (p['writeI64'] as (x: unknown) => void)(v);
        (p['writeListEnd'] as () => void)();
      });
      const r = reader(name, data);
      r['readListBegin']?.();
      expect(values.map(() => String(r['readI64']?.()))).toEqual(values);
    });
  }
  for (const name of ['binary', 'compact'] as const) {
    it(`${name}: doubles keep -0.0, NaN, infinities and subnormals`, () => {
      for (const v of [-0, Number.NaN, Infinity, -Infinity, 5e-324, 1.7976931348623157e308]) {
        const data = encode(name, (p) => (p['writeDouble'] as (x: number) => void)(v));
        expect(Object.is(reader(name, data)['readDouble']?.(), v)).toBe(true);
      }
    });
  }
  it('ExactInt64 keeps map keys exact', () => {
    const key = ExactInt64.fromBigInt(9007199254740993n);
    expect({ [String(key)]: 1 }).toHaveProperty(['9007199254740993']);
  });
});

describe('binary strict and non-strict headers', () => {
  it('strict writes the versioned header, non-strict the old one, and our reader takes both', () => {
    const strict = encode('binary', (p) => { p.writeMessageBegin('ping', 1, 7); p.writeMessageEnd(); });
    const old = encode('binary-nonstrict', (p) => { p.writeMessageBegin('ping', 1, 7); p.writeMessageEnd(); });
    expect(strict.toString('hex')).toBe('80010001' + '00000004' + '70696e67' + '00000007');
    expect(old.toString('hex')).toBe('00000004' + '70696e67' + '01' + '00000007');
    for (const data of [strict, old]) expect(reader('binary', data).readMessageBegin()).toEqual({ fname: 'ping', mtype: 1, rseqid: 7 });
  });
});

describe('limits', () => {
  it('a declared string length over the limit fails at once, without waiting for the bytes', () => {
    const data = Buffer.from('0b00017fffffff', 'hex');
    const r = reader('binary', data.subarray(3));
    expect(() => r['readString']?.()).toThrow(LimitExceeded);
  });
  it('a short message is an underrun (wait for more), not an error', () => {
    const r = reader('binary', Buffer.from('000000', 'hex'));
    try { r['readI32']?.(); } catch (error) { expect(isUnderrun(error)).toBe(true); }
  });
  it('a container size over the limit fails', () => {
    const data = encode('binary', (p) => (p['writeListBegin'] as (t: number, n: number) => void)(8, 2_000_000));
    expect(() => reader('binary', data)['readListBegin']?.()).toThrow(LimitExceeded);
  });
  it('a frame over the limit fails at its header', () => {
    const stream = new MessageStream('framed', DEFAULT_LIMITS, () => 0);
    expect(() => stream.push(Buffer.from('7fffffff', 'hex'))).toThrow(/frame size 2147483647/);
  });
});

describe('generated code', () => {
  it('was generated from the current IDL (npm run generate:thrift)', () => {
    const stamp = JSON.parse(readFileSync(new URL('./gen/stamp.json', import.meta.url), 'utf8')) as { idl: string; idlSha256: string };
    const idl = readFileSync(new URL(`../../${stamp.idl}`, import.meta.url));
    expect(createHash('sha256').update(idl).digest('hex')).toBe(stamp.idlSha256);
  });
});
