// TLS material for a run, made at run time (never committed): a CA, and a server certificate for
// 127.0.0.1 / localhost signed by it. Servers get the certificate and key, clients the CA, all as
// PEM files in the run directory; each peer converts them to what its language needs.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export function tlsFiles(runDirectory: string): TlsFiles {
  const dir = join(runDirectory, 'tls');
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
}

/** Writes the run's CA and server certificate (once; later calls find them). */
export async function makeTlsMaterial(runDirectory: string): Promise<TlsFiles> {
  const files = tlsFiles(runDirectory);
  if (existsSync(files.key)) return files;
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 2 * 24 * 3600_000);
  const ca = await selfsigned.generate([{ name: 'commonName', value: 'avro-thrift-conformance run CA' }], {
    keyType: 'rsa', keySize: 2048, algorithm: 'sha256', notBeforeDate, notAfterDate,
    extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
  });
  const server = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'rsa', keySize: 2048, algorithm: 'sha256', notBeforeDate, notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  writeFileSync(files.ca, ca.cert);
  writeFileSync(files.cert, server.cert);
  writeFileSync(files.key, server.private, { mode: 0o644 }); // read by the peers' non-root users too
  return files;
}
