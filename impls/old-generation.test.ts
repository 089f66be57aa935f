// Our clients and servers allocate nothing in V8's old generation per call, once warm. Old-space
// allocation is where V8 checks whether to start a full collection, and that check counts the
// ArrayBuffer memory allocated since the last one: with 64 KiB values per call, ~150 bytes per
// call in the old generation (a long-lived Map of calls in flight, a timer armed and cleared per
// request) made our Thrift client run a mark-compact every ~200 calls where a client without them
// ran one every ~1,000 (impls/thrift/profile/README.md, thirteenth pass; wire/waiting.ts). A
// function literal assigned straight to a long-lived object's property per call did the same in
// the Avro HTTP client, 56 bytes per call: V8 allocates such a closure in the old generation
// (fifteenth pass).
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('./old-generation-probe.ts', import.meta.url));
/**
 * Bytes per call (the probe's median over windows of 20 calls): 152 before the calls in flight left
 * a Map, 56 before the Avro HTTP reader left a function literal assigned to a property; 0 since.
 */
const MOST_BYTES_PER_CALL = 32;

// Asynchronous: a probe runs for seconds, and a worker blocked that long in a synchronous exec
// does not answer vitest (it warned "Timeout terminating forks worker" for this file).
async function oldBytesPerCall(args: readonly string[]): Promise<number> {
  const { stdout } = await execa(process.execPath, [PROBE, ...args], { timeout: 60_000 });
  const { calls, oldBytesPerCall } = JSON.parse(stdout) as { calls: number; oldBytesPerCall: number };
  expect(calls).toBeGreaterThan(1000); // enough windows that no collection interrupted
  return oldBytesPerCall;
}

describe('old-generation allocation per call, our client and server together on loopback', () => {
  const transports = [
    ['thrift', 'framed'],
    ['thrift', 'buffered'],
    ['thrift', 'http'],
    ['avro', 'netty'],
    ['avro', 'tcp'],
    ['avro', 'sasl'],
    ['avro', 'http'],
  ] as const;
  // One int-sized value and one of the bench's large ones (a message then spans reads, is copied out
  // of borrowed chunks, goes out in several buffers).
  it.each(transports.flatMap(([family, transport]) => ['64', '65536'].map((bytes) => [family, transport, bytes] as const)))(
    `%s %s, %s-byte values: under ${MOST_BYTES_PER_CALL} bytes`, async (family, transport, bytes) => {
      expect(await oldBytesPerCall([family, transport, '--bytes', bytes])).toBeLessThan(MOST_BYTES_PER_CALL);
    }, 90_000);

  it('sees a long-lived Map with a set and a delete per call (the check can fail)', async () => {
    expect(await oldBytesPerCall(['thrift', 'framed', '--churn'])).toBeGreaterThan(100);
  }, 90_000);

  it('sees a function literal assigned to a long-lived object\'s property per call', async () => {
    expect(await oldBytesPerCall(['thrift', 'framed', '--closure'])).toBeGreaterThan(MOST_BYTES_PER_CALL);
  }, 90_000);
});
