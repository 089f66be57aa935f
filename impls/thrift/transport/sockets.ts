// Where connections come from: TCP, TLS (node:tls; certificates given as file paths) and Unix
// domain sockets, for clients and servers alike.
import { readFileSync } from 'node:fs';
import { lstat, unlink } from 'node:fs/promises';
import { connect as netConnect, createServer as createNetServer, isIP, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, createServer as createTlsServer, type SecureContext, type TLSSocket } from 'node:tls';
import { TransportError } from '../errors.ts';
import { readInto } from '../../wire/accepted-reads.ts';

export type SocketKind = 'tcp' | 'tls' | 'unix';

export interface TlsFiles {
  /** CA certificate(s) to verify the peer with (PEM file path). */
  readonly ca?: string;
  /** Our certificate (PEM file path): a server's own; a client's for client authentication. */
  readonly cert?: string;
  /** The private key of cert (PEM file path). */
  readonly key?: string;
}

export interface SocketAddress {
  readonly socket?: SocketKind;
  readonly host?: string;
  readonly port?: number;
  /** Unix socket path. */
  readonly path?: string;
  readonly tls?: TlsFiles;
}

export function describeAddress(address: SocketAddress): string {
  if ((address.socket ?? 'tcp') === 'unix') return `unix:${address.path ?? '?'}`;
  return `${address.socket === 'tls' ? 'tls://' : ''}${address.host ?? '127.0.0.1'}:${address.port ?? '?'}`;
}

function read(path: string | undefined, what: string): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TransportError(`cannot read the TLS ${what} file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * A client's SecureContexts, one per distinct CA, certificate and key (their bytes). Making one
 * parses the PEM files and fills a certificate store: ~0.4 ms of CPU, against ~10 µs to read the
 * files and look the context up, and a client that opens many connections paid it on every one.
 * Keyed by the files' bytes, read on every connect as before, so a file replaced between two
 * connects is used from the next one on. A few entries at most: the oldest goes first.
 */
const secureContexts = new Map<string, SecureContext>();
const SECURE_CONTEXTS_KEPT = 16;

function clientSecureContext(ca: Buffer | undefined, cert: Buffer | undefined, key: Buffer | undefined): SecureContext {
  // Lengths first, so that no two different triples of files make the same key.
  const parts = [ca, cert, key].map((file) => (file === undefined ? '-' : `${file.length}:${file.toString('latin1')}`));
  const id = parts.join('|');
  let context = secureContexts.get(id);
  if (context === undefined) {
    try {
      context = createSecureContext({ ca, cert, key, minVersion: 'TLSv1.2' });
    } catch (error) {
      throw new TransportError(`cannot use the TLS files: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (secureContexts.size >= SECURE_CONTEXTS_KEPT) secureContexts.delete(secureContexts.keys().next().value as string);
    secureContexts.set(id, context);
  }
  return context;
}

/** TLS options of a client: verify the server against ca (if given), name checked unless it is an IP. */
export function clientTlsOptions(address: SocketAddress): { secureContext: SecureContext; servername?: string } {
  const host = address.host ?? '127.0.0.1';
  const context = clientSecureContext(read(address.tls?.ca, 'CA'), read(address.tls?.cert, 'certificate'), read(address.tls?.key, 'key'));
  return { secureContext: context, ...(isIP(host) ? {} : { servername: host }) };
}

/**
 * Bytes read from the socket at a time into ReusedReads' buffer: twice net's own read size, so that
 * a frame a little over 64 KiB (a 64 KiB value and its header) comes in one read system call, not
 * two (strace: 2 reads per 64 KiB answer before, 1 after).
 */
const READ_BUFFER_BYTES = 128 * 1024;

/**
 * A socket's reads into one buffer of its own, used again for every read (net's onread), instead
 * of net's new 64 KiB allocation per read: those allocations drove most of the client's major
 * garbage collections on 64 KiB echoes. A chunk handed on is *borrowed*: its bytes are overwritten
 * by the next read, so whoever keeps any of them copies them first.
 */
export class ReusedReads {
  private target: ((chunk: Buffer, borrowed: boolean) => void) | undefined;
  /** Chunks that came before anyone listened (copied). */
  private early: Buffer[] = [];
  readonly onread: { readonly buffer: Buffer; callback(bytes: number, buffer: Uint8Array): boolean };

  /**
   * buffer: the memory to read into; several sockets may share one (a server's connections):
   * net reads into it and calls back synchronously, one read at a time, and no one keeps a view of
   * a borrowed chunk once the callback returns.
   */
  constructor(buffer: Buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES)) {
    this.onread = {
      buffer,
      callback: (bytes: number, into: Uint8Array): boolean => {
        const chunk = Buffer.from(into.buffer, into.byteOffset, bytes);
        if (this.target) this.target(chunk, true);
        else this.early.push(Buffer.from(chunk));
        return true;
      },
    };
  }

  /** Where chunks go from now on (the early ones first). */
  deliverTo(target: (chunk: Buffer, borrowed: boolean) => void): void {
    this.target = target;
    const early = this.early;
    this.early = [];
    for (const chunk of early) target(chunk, false);
  }
}

/**
 * Opens a connection within timeoutMs. With reads given (TCP and Unix sockets; TLS reads through
 * its own layer), the socket reads into their buffer and emits no 'data' events.
 */
export function connectSocket(address: SocketAddress, timeoutMs: number, reads?: ReusedReads): Promise<Socket> {
  const kind = address.socket ?? 'tcp';
  const where = describeAddress(address);
  return new Promise((resolve, reject) => {
    let socket: Socket;
    const ready = kind === 'tls' ? 'secureConnect' : 'connect';
    if (kind === 'unix') {
      if (!address.path) throw new TransportError('a unix socket needs a path');
      socket = netConnect({ path: address.path, ...(reads ? { onread: reads.onread } : {}) });
    } else if (kind === 'tls') {
      socket = tlsConnect({ host: address.host ?? '127.0.0.1', port: address.port ?? 0, ...clientTlsOptions(address) });
    } else {
      socket = netConnect({ host: address.host ?? '127.0.0.1', port: address.port ?? 0, ...(reads ? { onread: reads.onread } : {}) });
    }
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError(`could not connect to ${where} within ${timeoutMs} ms`));
    }, timeoutMs);
    const failed = (error: Error): void => {
      clearTimeout(timer);
      reject(new TransportError(`could not connect to ${where}: ${error.message}`));
    };
    socket.once('error', failed);
    socket.once(ready, () => {
      clearTimeout(timer);
      socket.off('error', failed);
      if (kind !== 'unix') socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

export interface Listening {
  readonly server: Server;
  /** The bound TCP port (0 for unix sockets). */
  readonly port: number;
  readonly path: string | undefined;
}

/** Removes a Unix socket file nobody listens on any more (a crashed server's leftover). */
export async function removeStaleSocket(path: string): Promise<void> {
  const stats = await lstat(path).catch(() => undefined);
  if (!stats?.isSocket()) return;
  const alive = await new Promise<boolean>((resolve) => {
    const probe = netConnect({ path });
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
  if (!alive) await unlink(path);
}

/**
 * Listens for connections (TLS: the handshake done before onConnection sees the socket). With
 * ownReads, a TCP or Unix socket reads into a buffer the server's connections share (ReusedReads,
 * impls/wire/accepted-reads.ts) and onConnection gets its ReusedReads; TLS reads through its own
 * layer, and where net's internals do not allow it the socket reads as net's do (reads undefined).
 */
export async function listenSocket(
  address: SocketAddress,
  onConnection: (socket: Socket, reads: ReusedReads | undefined) => void,
  onTlsError: (reason: string) => void,
  options: { readonly ownReads?: boolean } = {},
): Promise<Listening> {
  const kind = address.socket ?? 'tcp';
  let server: Server;
  if (kind === 'tls') {
    const cert = read(address.tls?.cert, 'certificate');
    const key = read(address.tls?.key, 'key');
    if (!cert || !key) throw new TransportError('a TLS server needs tls.cert and tls.key');
    const tlsServer = createTlsServer({ cert, key, ca: read(address.tls?.ca, 'CA'), minVersion: 'TLSv1.2' }, (socket: TLSSocket) => {
      socket.setNoDelay(true);
      onConnection(socket, undefined);
    });
    tlsServer.on('tlsClientError', (error, socket) => onTlsError(`TLS handshake with ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? ''} failed: ${error.message}`));
    server = tlsServer;
  } else {
    const ownReads = options.ownReads === true;
    const shared = ownReads ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : undefined;
    server = createNetServer({ pauseOnConnect: ownReads }, (accepted) => {
      let socket = accepted;
      let reads: ReusedReads | undefined;
      if (shared !== undefined) {
        reads = new ReusedReads(shared);
        const adopted = readInto(accepted, reads.onread);
        if (adopted === undefined) reads = undefined;
        else socket = adopted;
      }
      if (kind === 'tcp') socket.setNoDelay(true);
      onConnection(socket, reads);
    });
  }
  if (kind === 'unix') {
    if (!address.path) throw new TransportError('a unix socket server needs a path');
    await removeStaleSocket(address.path);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new TransportError(`cannot listen on ${describeAddress(address)}: ${error.message}`)));
    if (kind === 'unix') server.listen(address.path, () => resolve());
    else server.listen(address.port ?? 0, address.host ?? '127.0.0.1', () => resolve());
  });
  const bound = server.address();
  return { server, port: typeof bound === 'object' && bound !== null ? bound.port : 0, path: kind === 'unix' ? address.path : undefined };
}
