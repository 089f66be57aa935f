// Our Thrift HTTP server frees the body pieces node:http gives it as soon as the splitter has read
// them (it copies what it keeps), so they do not count towards V8's next full collection.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connect, loadIdl, serve, type ThriftServer } from '../index.ts';
import { ourHandlers } from '../adapter.ts';
import { IDL_PATH } from '../../../suites/thrift/catalogue.ts';
import { thriftHandlers } from '../../../suites/thrift/semantics.ts';

/** Each piece the server hands to releaseNow, with its length then. */
const released = vi.hoisted(() => [] as { bytes: number; chunk: Buffer }[]);
vi.mock('../../wire/release.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../wire/release.ts')>();
  return { releaseNow: (chunk: Buffer) => {
    released.push({ bytes: chunk.length, chunk });
    original.releaseNow(chunk);
  } };
});

const idl = loadIdl(IDL_PATH);
let server: ThriftServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('Thrift HTTP server', () => {
  it.each(['binary', 'compact', 'json'])('frees each %s body piece once read, and answers from its own copy', async (protocol) => {
    server = await serve({ transport: 'http', protocol, host: '127.0.0.1', port: 0 }, idl, ourHandlers(thriftHandlers(), ['Conformance', 'Secondary']), {
      defaultService: 'Conformance', log: () => undefined,
    });
    const client = await connect({ transport: 'http', protocol, host: '127.0.0.1', port: server.port }, idl, { timeoutMs: 10_000 });
    try {
      const value = Buffer.from(Array.from({ length: 300 * 1024 }, (_, i) => (i * 13 + 5) & 0xff));
      released.length = 0;
      const answer = await client.call('Conformance', 'echoBinary', { value });
      // Several pieces, every one freed, and together the whole body (the message and its envelope).
      expect(released.length).toBeGreaterThan(1);
      expect(released.every(({ chunk }) => chunk.buffer.byteLength === 0)).toBe(true);
      expect(released.reduce((sum, { bytes }) => sum + bytes, 0)).toBeGreaterThan(value.length);
      expect(Buffer.isBuffer(answer) && answer.equals(value)).toBe(true);
    } finally {
      await client.close();
    }
  });
});
