// Our clients and servers allocate nothing in V8's old generation per call, once warm. Old-space
// allocation is where V8 checks whether to start a full collection, and that check counts the
// ArrayBuffer memory allocated since the last one: with 64 KiB values per call, ~150 bytes per
// call in the old generation (a long-lived Map of calls in flight, a timer armed and cleared per
// request) made our Thrift client run a mark-compact every ~200 calls where a client without them
// ran one every ~1,000 (impls/thrift/profile/README.md, thirteenth pass; wire/waiting.ts). A
// function literal assigned straight to a long-lived object's property per call did the same in
// the Avro HTTP client, 56 bytes per call: V8 allocates such a closure in the old generation
// (fifteenth pass).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./old-generation-probe.ts', import.meta.url));
/** Bytes per call; what was measured before the fix was 152, after it 0.3-1.3. */
const MOST_BYTES_PER_CALL = 32;

function oldBytesPerCall(args: readonly string[]): number {
  const out = execFileSync(process.execPath, [PROBE, ...args], { encoding: 'utf8', timeout: 60_000 });
  const { calls, oldBytesPerCall } = JSON.parse(out) as { calls: number; oldBytesPerCall: number };
  expect(calls).toBeGreaterThan(1000); // enough windows that no collection interrupted
  return oldBytesPerCall;
}

describe('old-generation allocation per call, our client and server together on loopback', () => {
  it.each([
    ['thrift', 'framed'],
    ['thrift', 'buffered'],
    ['thrift', 'http'],
    ['avro', 'netty'],
    ['avro', 'tcp'],
    ['avro', 'sasl'],
    ['avro', 'http'],
  ])(`%s %s: under ${MOST_BYTES_PER_CALL} bytes`, (family, transport) => {
    expect(oldBytesPerCall([family, transport])).toBeLessThan(MOST_BYTES_PER_CALL);
  }, 90_000);

  it('sees a long-lived Map with a set and a delete per call (the check can fail)', () => {
    expect(oldBytesPerCall(['thrift', 'framed', '--churn'])).toBeGreaterThan(100);
  }, 90_000);

  it('sees a function literal assigned to a long-lived object\'s property per call', () => {
    expect(oldBytesPerCall(['thrift', 'framed', '--closure'])).toBeGreaterThan(MOST_BYTES_PER_CALL);
  }, 90_000);
});
