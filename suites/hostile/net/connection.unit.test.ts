// Unit tests of RawConnection's writing against a server in a child process on loopback (a server
// in this process would only read when our event loop turns, which is the very thing under test).
// The server answers the first bytes and then, as Jetty does with a request it will not read, either
// ends its side (FIN) or keeps the connection open, and reads and discards whatever follows.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { RawConnection } from './connection.ts';

const MB = 1024 * 1024;

/** The child: answers once, then `fin` ends its side or `open` does not; prints each connection's byte count at its end. */
const SERVER = `
const net = require('node:net');
const mode = process.argv[1];
const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  let received = 0;
  let answered = false;
  socket.on('data', (chunk) => {
    received += chunk.length;
    if (answered) return;
    answered = true;
    socket.write('HTTP/1.1 200 OK\\r\\nConnection: close\\r\\nContent-Length: 2\\r\\n\\r\\nno');
    if (mode === 'fin') socket.end();
  });
  const report = () => { console.log('received ' + received); socket.destroy(); };
  socket.on('end', report);
  socket.on('error', report);
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

interface DrainingServer {
  readonly port: number;
  /** The bytes the server read on the next connection that ends. */
  readonly received: () => Promise<number>;
}

let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill();
  child = undefined;
});

async function drainingServer(mode: 'fin' | 'open'): Promise<DrainingServer> {
  const started = spawn(process.execPath, ['-e', SERVER, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  child = started;
  const lines = createInterface({ input: started.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async (prefix: string): Promise<number> => {
    for (;;) {
      const line = await lines.next();
      if (line.done) throw new Error(`the server child ended before printing "${prefix}"`);
      if (line.value.startsWith(prefix)) return Number(line.value.slice(prefix.length));
    }
  };
  return { port: await next('port '), received: () => next('received ') };
}

/**
 * `count` pieces of 1 MB, each handed over only after this thread has been held for `holdMs`: a
 * writer slower than the server's reading (a loaded machine), so that the kernel takes every write
 * whole and 'drain' is never needed. Counts the pieces the writer asked for.
 */
function slowPieces(count: number, holdMs: number, produced: { count: number }): Generator<Buffer> {
  const zeros = Buffer.alloc(MB);
  const clock = new Int32Array(new SharedArrayBuffer(4));
  return (function* () {
    for (let i = 0; i < count; i++) {
      Atomics.wait(clock, 0, 0, holdMs);
      produced.count++;
      yield zeros;
    }
  })();
}

describe('RawConnection.write', () => {
  it('stops sending once the server has ended its side, even when the kernel takes every write at once', async () => {
    const server = await drainingServer('fin');
    const connection = new RawConnection({ port: server.port });
    const produced = { count: 0 };
    await connection.write(slowPieces(100, 3, produced));
    // The FIN follows the answer to the first bytes: a few MB in the kernel's buffers at most, never all 100.
    expect(connection.bytesWritten).toBeLessThan(16 * MB);
    expect(produced.count).toBeLessThan(16);
    expect(connection.serverEndedAt).toBeDefined();
    expect(connection.answerSoFar().toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    connection.destroy();
    expect(await server.received()).toBeLessThan(16 * MB);
  }, 20_000);

  it('keeps sending to a server that answered but neither ended its side nor stopped reading', async () => {
    const server = await drainingServer('open');
    const connection = new RawConnection({ port: server.port });
    const produced = { count: 0 };
    await connection.write(slowPieces(24, 1, produced));
    expect(connection.answerSoFar().toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(connection.serverEndedAt).toBeUndefined();
    expect(connection.bytesWritten).toBe(24 * MB);
    await connection.end(5_000);
    expect(await server.received()).toBe(24 * MB);
  }, 20_000);

  it('sees its own abort signal while the kernel takes every write at once', async () => {
    const server = await drainingServer('open');
    const connection = new RawConnection({ port: server.port });
    const produced = { count: 0 };
    await connection.write(slowPieces(200, 3, produced), AbortSignal.timeout(100));
    // 200 pieces take 600 ms at least; the signal stops the writing a turn after 100 ms (~35 pieces).
    expect(produced.count).toBeLessThan(150);
    connection.destroy();
  }, 20_000);
});
