// An example of an implementation adapter that lives outside this repository's impls/: a thin
// Avro client built on npm avsc 5's services, as a library user might write one, that sends each
// HTTP request with a Content-Length (avsc's own HTTP channel sends chunked bodies). It imports
// only types from the suite; run it with
//   node harness/cli/main.ts run --implementation examples/out-of-tree-adapter/adapter.ts --peer python
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import avsc from 'avsc';
import type { AvroClientHandle, AvroImplementation } from '../../harness/contract/avro.ts';

// The contract's canonical values: wrapped unions, and longs as BigInt over the whole 64-bit range.
const longType = avsc.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (value: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(value);
    return buf;
  },
  fromJSON: (json: unknown) => BigInt(json as string),
  toJSON: (value: bigint) => value.toString(),
  isValid: (value: unknown) => typeof value === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

interface Client {
  createChannel(transport: (cb: (err: unknown, res?: NodeJS.ReadableStream) => void) => NodeJS.WritableStream): unknown;
  emitMessage(name: string, req: unknown, opts: object, cb: (err: unknown, res: unknown) => void): void;
  destroyChannels(opts: object): void;
}

function failure(err: unknown): Error {
  if (err instanceof Error) return err;
  const [branch, value] = Object.entries(err as Record<string, unknown>)[0] ?? ['string', String(err)];
  const avro = branch === 'string' ? { kind: 'system', message: String(value) } : { kind: 'declared', type: branch, value };
  return Object.assign(new Error(`avro error ${branch}`), { avro });
}

const adapter: AvroImplementation = {
  capabilities: {
    id: 'example-avsc-http',
    family: 'avro',
    language: 'typescript',
    description: 'An out-of-tree example: avsc 5 services over HTTP with a Content-Length on every request.',
    versions: { avsc: '5.7.9' },
    client: [{ transport: 'http', protocol: 'mail' }, { transport: 'http', protocol: 'conformance' }],
    server: [],
  },

  async connect(target, options): Promise<AvroClientHandle> {
    const service = (avsc.Service as unknown as { forProtocol(p: object, o: object): { createClient(o: object): Client } })
      .forProtocol(JSON.parse(target.protocol.text) as object, { wrapUnions: true, registry: { long: longType } });
    const client = service.createClient({ strictTypes: true, timeout: options.timeoutMs });
    const url = new URL(target.url);
    client.createChannel((cb) => {
      const body = new PassThrough();
      const chunks: Buffer[] = [];
      body.on('data', (chunk: Buffer) => chunks.push(chunk));
      body.on('end', () => {
        const payload = Buffer.concat(chunks);
        options.recorder?.sent(payload);
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
          headers: { 'content-type': 'avro/binary', 'content-length': payload.length } }, (res) => {
          if (options.recorder) res.on('data', (chunk: Buffer) => options.recorder?.received(chunk));
          cb(null, res);
        });
        req.on('error', (error) => cb(error));
        req.end(payload);
      });
      return body;
    });
    return {
      call: (message, parameters) => new Promise((resolve, reject) => {
        client.emitMessage(message, parameters, { timeout: options.timeoutMs }, (err, res) => (err == null ? resolve(res) : reject(failure(err))));
      }),
      close: async () => client.destroyChannels({ noWait: true }),
    };
  },
};

export default adapter;
