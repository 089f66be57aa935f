// A client's TLS settings (sockets.ts clientTlsOptions): one SecureContext per distinct set of
// files, shared by every connection made with them, and a file replaced between two connects used
// from the next one on.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDirectory } from '../../../harness/run/scratch.ts';
import { makeCertificates } from '../../../harness/run/tls.ts';
import { TransportError } from '../errors.ts';
import { clientTlsOptions, connectSocket, listenSocket, type Listening, type SocketAddress } from './sockets.ts';

const LOOPBACK = '127.0.0.1';

describe('clientTlsOptions', () => {
  let dir = '';
  let server: Listening;
  /** The server's CA (ca.pem) and another CA that did not sign the server's certificate. */
  let rightCa = '';
  let otherCa = '';

  beforeAll(async () => {
    dir = scratchDirectory('thrift-tls-');
    const [made, other] = await Promise.all([makeCertificates(), makeCertificates()]);
    rightCa = made.ca;
    otherCa = other.ca;
    writeFileSync(join(dir, 'ca.pem'), made.ca);
    writeFileSync(join(dir, 'server.pem'), made.cert);
    writeFileSync(join(dir, 'server-key.pem'), made.key);
    const tls = { ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
    server = await listenSocket({ socket: 'tls', host: LOOPBACK, port: 0, tls }, (socket) => socket.end(), () => undefined);
  }, 30_000);

  afterAll(() => new Promise<void>((done) => server.server.close(() => done())));

  function address(ca: string): SocketAddress {
    return { socket: 'tls', host: LOOPBACK, port: server.port, tls: { ca } };
  }

  async function verified(ca: string): Promise<boolean> {
    const socket = (await connectSocket(address(ca), 10_000)) as TLSSocket;
    socket.destroy();
    return socket.authorized;
  }

  it('gives every connect with the same files one SecureContext, and connections verified with it', async () => {
    const ca = join(dir, 'same-ca.pem');
    writeFileSync(ca, rightCa);
    expect(clientTlsOptions(address(ca)).secureContext).toBe(clientTlsOptions(address(ca)).secureContext);
    expect(await verified(ca)).toBe(true);
    expect(await verified(ca)).toBe(true);
  });

  it('uses a CA file replaced between two connects from the next connect on', async () => {
    const ca = join(dir, 'replaced-ca.pem');
    writeFileSync(ca, rightCa);
    const before = clientTlsOptions(address(ca)).secureContext;
    expect(await verified(ca)).toBe(true);

    writeFileSync(ca, otherCa);
    expect(clientTlsOptions(address(ca)).secureContext).not.toBe(before);
    await expect(connectSocket(address(ca), 10_000)).rejects.toThrow(/could not connect to tls:\/\/127\.0\.0\.1:\d+: .*certificate/i);

    writeFileSync(ca, rightCa);
    expect(clientTlsOptions(address(ca)).secureContext).toBe(before);
    expect(await verified(ca)).toBe(true);
  });

  it('refuses a certificate file that is not PEM, naming the problem', () => {
    const cert = join(dir, 'not-a-cert.pem');
    writeFileSync(cert, 'not a certificate');
    const call = (): unknown => clientTlsOptions({ socket: 'tls', host: LOOPBACK, port: 1, tls: { cert, key: cert } });
    expect(call).toThrow(TransportError);
    expect(call).toThrow(/cannot use the TLS files: .*no start line/);
  });
});
