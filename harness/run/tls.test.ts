import { X509Certificate as NodeCertificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { AuthorityKeyIdentifierExtension, BasicConstraintsExtension, SubjectKeyIdentifierExtension, X509Certificate } from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { makeCertificates } from './tls.ts';

describe('the run TLS material', () => {
  it('is a CA and a server certificate for localhost and 127.0.0.1 that the CA signed, with the key that fits it', async () => {
    const made = await makeCertificates();
    const ca = new NodeCertificate(made.ca);
    const server = new NodeCertificate(made.cert);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkPrivateKey(createPrivateKey(made.key))).toBe(true);
    expect(made.key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPublicKey(made.key).asymmetricKeyType).toBe('ec');
  });

  it('carries the key identifiers a strict verifier requires (Python 3.13: "Missing Authority Key Identifier")', async () => {
    const made = await makeCertificates();
    const ca = new X509Certificate(made.ca);
    const server = new X509Certificate(made.cert);
    const caKeyId = ca.getExtension(SubjectKeyIdentifierExtension)?.keyId;
    expect(caKeyId).toMatch(/^[0-9a-f]{40}$/);
    expect(server.getExtension(AuthorityKeyIdentifierExtension)?.keyId).toBe(caKeyId);
    expect(server.getExtension(SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
    expect(ca.getExtension(BasicConstraintsExtension)?.critical).toBe(true);
  });
});
