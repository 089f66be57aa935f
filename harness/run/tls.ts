// TLS material for a run, made at run time (never committed): a CA, and a server certificate for
// 127.0.0.1 / localhost signed by it. Servers get the certificate and key, clients the CA, all as
// PEM files in the run directory; each peer converts them to what its language needs.
//
// The certificates carry what RFC 5280 asks of a CA's certificates (subject and authority key
// identifiers), not only what lenient verifiers need: Python 3.13's ssl.create_default_context
// sets VERIFY_X509_STRICT and refuses a chain whose server certificate has no authority key
// identifier ("Missing Authority Key Identifier"). selfsigned cannot write those extensions, so
// the certificates are made with @peculiar/x509 (the library selfsigned itself is built on).
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  cryptoProvider,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  SubjectAlternativeNameExtension,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export function tlsFiles(runDirectory: string): TlsFiles {
  const dir = join(runDirectory, 'tls');
  return { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
}

// ECDSA P-256, not RSA: the Java peers run C1-compiled only (their start-up flags), where BigInteger
// has no intrinsics, and a libthrift TLS server then spent ~17 ms of CPU signing each handshake
// with an RSA-2048 key, ~4-6 ms with this one (measured against the java-thrift peer, 400
// handshakes each). A run opens a TLS connection for about every TLS case.
const ECDSA_SHA256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ECDSA_SHA256, true, ['sign', 'verify']);
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key)).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${der.match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`;
}

/** The CA and server certificates (PEM) and the server's private key (PKCS #8 PEM). */
export async function makeCertificates(now = Date.now()): Promise<{ ca: string; cert: string; key: string }> {
  cryptoProvider.set(webcrypto);
  const notBefore = new Date(now - 60_000);
  const notAfter = new Date(now + 2 * 24 * 3600_000);
  const caKeys = await generateKeys();
  const ca = await X509CertificateGenerator.createSelfSigned({
    name: 'CN=avro-thrift-conformance run CA', notBefore, notAfter, signingAlgorithm: ECDSA_SHA256, keys: caKeys,
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await generateKeys();
  const server = await X509CertificateGenerator.create({
    subject: 'CN=localhost', issuer: ca.subject, notBefore, notAfter, signingAlgorithm: ECDSA_SHA256,
    publicKey: serverKeys.publicKey, signingKey: caKeys.privateKey,
    extensions: [
      new BasicConstraintsExtension(false, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true), // an ECDSA key signs; it encrypts nothing
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      new SubjectAlternativeNameExtension([{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }]),
      await SubjectKeyIdentifierExtension.create(serverKeys.publicKey),
      await AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return { ca: ca.toString('pem'), cert: server.toString('pem'), key: await privateKeyPem(serverKeys.privateKey) };
}

/** Writes the run's CA and server certificate (once; later calls find them). */
export async function makeTlsMaterial(runDirectory: string): Promise<TlsFiles> {
  const files = tlsFiles(runDirectory);
  if (existsSync(files.key)) return files;
  mkdirSync(dirname(files.key), { recursive: true });
  const made = await makeCertificates();
  writeFileSync(files.ca, made.ca);
  writeFileSync(files.cert, made.cert);
  writeFileSync(files.key, made.key, { mode: 0o644 }); // read by the peers' non-root users too
  return files;
}
