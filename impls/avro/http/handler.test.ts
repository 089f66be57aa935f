// Our Avro HTTP server's answers: a large one is cut into frames of at most HTTP_FRAME_BYTES
// (Java's HttpTransceiver client allocates each frame whole: frames.ts); and the body pieces
// node:http gives it are freed as soon as they are read.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { recordReleases } from '../../wire/testing/released.ts';
import { decodeStandardBody, encodeStandard } from '../framing/standard.ts';
import type { AvroResponder } from '../responder.ts';
import { frameLengths } from '../testing/raw.ts';
import { HTTP_FRAME_BYTES } from './frames.ts';
import { type ListeningServer, serveHttp } from './handler.ts';

let listening: ListeningServer | undefined;
afterEach(async () => {
  await listening?.close();
  listening = undefined;
});

/** POSTs a body to our server and returns the answer's body. */
function post(port: number, body: Buffer): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'Content-Type': 'avro/binary', 'Content-Length': body.length } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () => resolve(Buffer.concat(parts)));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('Avro HTTP server', () => {
  // The handler writes a synchronous handler's answer in the tick it read the request, and an
  // asynchronous one's when it settles: both ways.
  it.each(['synchronous', 'asynchronous'])('frames a large %s answer in frames of at most HTTP_FRAME_BYTES', async (kind) => {
    const answer = Buffer.alloc(1024 * 1024 + 100, 3);
    // Only answer() is used by the handler; the answer is a canned one.
    const responder = { answer: kind === 'synchronous' ? () => [answer] : () => Promise.resolve([answer]) } as unknown as AvroResponder;
    listening = await serveHttp(responder, { host: '127.0.0.1', port: 0 });
    const port = listening.port;
    const body = await post(port, encodeStandard(Buffer.from('a call')));
    const frames = frameLengths(body);
    expect(Math.max(...frames)).toBe(HTTP_FRAME_BYTES);
    expect(frames.reduce((sum, n) => sum + n, 0)).toBe(answer.length);
  });

  // node:http gives each body piece in a copy of its own (a whole ArrayBuffer): freed at once, the
  // pieces do not count towards V8's next full collection. If Node ever handed out views of a
  // shared buffer instead, releaseNow would leave them and this test would say so.
  it('frees each body piece node:http gives it once read, and answers from its own copy', async () => {
    // The answer is the request's message itself: had the message been a view of a freed piece, it would be empty.
    const responder = { answer: (payload: Buffer) => [payload] } as unknown as AvroResponder;
    listening = await serveHttp(responder, { host: '127.0.0.1', port: 0 });
    // Two pieces or more (node's reads are 64 KiB), within what the server believes of a declared length (so it grows no buffer it would free too).
    const message = Buffer.from(Array.from({ length: 100 * 1024 }, (_, i) => (i * 13 + 5) & 0xff));
    const requestBody = encodeStandard(message);
    const releases = recordReleases();
    let answer: Buffer;
    try {
      answer = await post(listening.port, requestBody);
    } finally {
      releases.stop();
    }
    // Every piece freed, and together the whole body.
    expect(releases.sizes.length).toBeGreaterThan(1);
    expect(releases.sizes.reduce((sum, n) => sum + n, 0)).toBe(requestBody.length);
    expect(decodeStandardBody(answer).equals(message)).toBe(true);
  });
});
