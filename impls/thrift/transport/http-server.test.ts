// Our Thrift HTTP server frees the body pieces node:http gives it as soon as the splitter has read
// them (it copies what it keeps), so they do not count towards V8's next full collection.
import { afterEach, describe, expect, it } from 'vitest';
import { recordReleases } from '../../wire/testing/released.ts';
import { connect, loadIdl, serve, type ThriftServer } from '../index.ts';
import { ourHandlers } from '../adapter.ts';
import { IDL_PATH } from '../../../suites/thrift/catalogue.ts';
import { thriftHandlers } from '../../../suites/thrift/semantics.ts';

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
      const releases = recordReleases();
      let answer: unknown;
      try {
        answer = await client.call('Conformance', 'echoBinary', { value });
      } finally {
        releases.stop();
      }
      // Several pieces freed, together at least the whole body (the message and its envelope).
      expect(releases.sizes.length).toBeGreaterThan(1);
      expect(releases.sizes.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(value.length);
      expect(Buffer.isBuffer(answer) && answer.equals(value)).toBe(true);
    } finally {
      await client.close();
    }
  });
});
