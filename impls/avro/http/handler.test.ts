// Our Avro HTTP server's answers: a large one is cut into frames of at most HTTP_FRAME_BYTES
// (Java's HttpTransceiver client allocates each frame whole: frames.ts).
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeStandard } from '../framing/standard.ts';
import type { AvroResponder } from '../responder.ts';
import { frameLengths } from '../testing/raw.ts';
import { HTTP_FRAME_BYTES } from './frames.ts';
import { type ListeningServer, serveHttp } from './handler.ts';

let listening: ListeningServer | undefined;
afterEach(async () => {
  await listening?.close();
  listening = undefined;
});

describe('Avro HTTP server', () => {
  // The handler writes a synchronous handler's answer in the tick it read the request, and an
  // asynchronous one's when it settles: both ways.
  it.each(['synchronous', 'asynchronous'])('frames a large %s answer in frames of at most HTTP_FRAME_BYTES', async (kind) => {
    const answer = Buffer.alloc(1024 * 1024 + 100, 3);
    // Only answer() is used by the handler; the answer is a canned one.
    const responder = { answer: kind === 'synchronous' ? () => [answer] : () => Promise.resolve([answer]) } as unknown as AvroResponder;
    listening = await serveHttp(responder, { host: '127.0.0.1', port: 0 });
    const port = listening.port;
    const requestBody = encodeStandard(Buffer.from('a call'));
    const body = await new Promise<Buffer>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers: { 'Content-Type': 'avro/binary', 'Content-Length': requestBody.length } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () => resolve(Buffer.concat(parts)));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(requestBody);
    });
    const frames = frameLengths(body);
    expect(Math.max(...frames)).toBe(HTTP_FRAME_BYTES);
    expect(frames.reduce((sum, n) => sum + n, 0)).toBe(answer.length);
  });
});
