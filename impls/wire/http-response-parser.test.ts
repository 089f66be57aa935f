import { describe, expect, it } from 'vitest';
import { HttpParseError, MAX_HEAD_BYTES, type ResponseHead, ResponseParser } from './http-response-parser.ts';

/** Feeds the text in pieces of `step` bytes; returns the head, the body, whether it is done, and the bytes left over. */
function parse(text: string | Buffer, step = Number.POSITIVE_INFINITY) {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1');
  let head: ResponseHead | undefined;
  const body: Buffer[] = [];
  const parser = new ResponseParser({ head: (h) => { head = h; }, body: (b) => body.push(Buffer.from(b)) });
  let extra = 0;
  for (let at = 0; at < bytes.length; at += Math.min(step, bytes.length)) extra += parser.push(bytes.subarray(at, Math.min(bytes.length, at + step)));
  return { head, body: Buffer.concat(body).toString('latin1'), done: parser.done, reusable: parser.reusable, untilClose: parser.endsWithConnection, extra };
}

describe('ResponseParser', () => {
  for (const step of [1, 3, 7, Number.POSITIVE_INFINITY]) {
    it(`reads a Content-Length body (pieces of ${step})`, () => {
      const r = parse('HTTP/1.1 200 OK\r\nContent-Type: avro/binary\r\nContent-Length: 5\r\n\r\nhello', step);
      expect(r.head?.status).toBe(200);
      expect(r.head?.contentLength).toBe(5);
      expect(r.body).toBe('hello');
      expect(r.done && r.reusable).toBe(true);
    });

    it(`reads a chunked body with extensions and trailers (pieces of ${step})`, () => {
      const r = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0a\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n', step);
      expect(r.body).toBe('abc0123456789');
      expect(r.done && r.reusable).toBe(true);
    });
  }

  it('skips an interim 100 Continue', () => {
    const r = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    expect(r.head?.status).toBe(200);
    expect(r.body).toBe('ok');
  });

  it('reads a body without length until the connection ends, and never reuses that connection', () => {
    const r = parse('HTTP/1.0 200 OK\r\nServer: BaseHTTP\r\n\r\nsome bytes');
    expect(r.untilClose).toBe(true);
    expect(r.body).toBe('some bytes');
    expect(r.reusable).toBe(false);
  });

  it('honours Connection: close and HTTP/1.0 keep-alive', () => {
    expect(parse('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').reusable).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').reusable).toBe(false);
    expect(parse('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n').reusable).toBe(true);
  });

  it('reads the headers that decide the body in any case, blanks around the name, repeated ones as one list', () => {
    expect(parse('HTTP/1.1 200 OK\r\nCONTENT-length: 2\r\n\r\nok').body).toBe('ok');
    expect(parse('HTTP/1.1 200 OK\r\n  transfer-ENCODING \t: gzip\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n').body).toBe('z');
    expect(parse('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nconnection: close\r\nContent-Length: 0\r\n\r\n').reusable).toBe(false);
    // Content-Length twice with one value is one length; names that only look alike are other headers.
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok').head?.contentLength).toBe(2);
    const lookalikes = parse('HTTP/1.1 200 OK\r\nX-Content-Length: 9\r\nContent-Lengths: 9\r\nConnectionx: close\r\nContent-Length: 1\r\n\r\na');
    expect([lookalikes.head?.contentLength, lookalikes.reusable]).toEqual([1, true]);
  });

  it('counts bytes after the response', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naEXTRA').extra).toBe(5);
  });

  it('prefers chunked coding over a Content-Length', () => {
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n').body).toBe('z');
  });

  it.each([
    ['a status line that is not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n'],
    ['a header line without a name', 'HTTP/1.1 200 OK\r\n \t: 1\r\n\r\n'],
    ['a header line whose only colon is on the next line', 'HTTP/1.1 200 OK\r\nnonsense\r\nContent-Length: 1\r\n\r\na'],
    ['conflicting Content-Length values', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk data without its CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parse(text)).toThrow(HttpParseError);
  });

  it('bounds the head and the chunk-size lines', () => {
    const longHead = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}`;
    expect(() => parse(longHead, 1000)).toThrow(/head exceeds/);
    expect(() => parse(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(5000)}`, 100)).toThrow(/exceeds/);
  });

  it('refuses bytes that cannot start a status line as soon as they arrive, whole or a byte at a time', () => {
    for (const step of [1, Number.POSITIVE_INFINITY]) {
      expect(() => parse(Buffer.from('ffffffff00000000', 'hex'), step)).toThrow(/not an HTTP\/1\.x answer: it starts with ff/);
      expect(() => parse('HTTP/2 200\r\n', step)).toThrow(HttpParseError);
    }
    // A head that starts right but has not ended yet is waited for.
    expect(parse('HTTP/1.1 200 OK\r\nContent-Le').done).toBe(false);
    expect(parse('HTT').done).toBe(false);
  });
});
