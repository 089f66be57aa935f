// A throwaway CA and a server certificate for 127.0.0.1 (files in a temporary folder), for tests.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { scratchDirectory } from '../../../harness/run/scratch.ts';

export interface TlsFixture {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly dir: string;
}

export async function makeTlsFixture(): Promise<TlsFixture> {
  const dir = scratchDirectory('thrift-tls-');
  const ca = await generate([{ name: 'commonName', value: 'thrift test CA' }], {
    keySize: 2048, algorithm: 'sha256', days: 2,
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }],
  } as Parameters<typeof generate>[1]);
  const server = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048, algorithm: 'sha256', days: 2, ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: 'basicConstraints', cA: false }, { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  } as Parameters<typeof generate>[1]);
  const files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem'), dir };
  writeFileSync(files.ca, ca.cert);
  writeFileSync(files.cert, server.cert);
  writeFileSync(files.key, server.private);
  return files;
}
