// An HTTP/1.1 response reader for our HTTP clients (Avro's http/transport.ts, Thrift's
// transport/http-connection.ts): the status line and headers, then the body delimited by
// Content-Length, by chunked transfer coding, or by the end of the connection. Incremental (bytes
// are given as they arrive) and bounded: the head and each chunk-size or trailer line have a size
// limit, so a server cannot make it buffer without end. Body bytes are handed on as views of the
// chunks they arrived in.

/**
 * The head of a response (interim 1xx responses are skipped). Of the headers only those that
 * decide where the body ends and whether the connection is kept are read: the others are checked
 * for a colon and passed over, not made into strings (the head was 20% of the bytes our Avro
 * HTTP client allocated per call).
 */
export interface ResponseHead {
  readonly status: number;
  readonly contentLength: number | undefined;
  /** The connection may carry another request after this response. */
  readonly keepAlive: boolean;
}

export interface ResponseEvents {
  head(head: ResponseHead): void;
  body(bytes: Buffer): void;
}

export class HttpParseError extends Error {}

/** The largest response head read (status line and headers). */
export const MAX_HEAD_BYTES = 64 * 1024;
/** The largest chunk-size line or trailer line. */
const MAX_LINE_BYTES = 4096;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'until-close' | 'done';

const CRLF_CRLF = Buffer.from('\r\n\r\n', 'latin1');
const STATUS_LINE_START = Buffer.from('HTTP/1.', 'latin1');
/** The lengths of the header names read: connection, content-length, transfer-encoding. */
const READ_LENGTHS = new Set([10, 14, 17]);

/** Where the line starting at `at` ends (its CR), or the end of the head. */
function lineEnd(text: string, at: number): number {
  const cr = text.indexOf('\r\n', at);
  return cr < 0 ? text.length : cr;
}

export class ResponseParser {
  private state: State = 'head';
  /** Bytes of the head while it is incomplete. */
  private headBytes: Buffer | undefined;
  /** Bytes of a chunk-size or trailer line while it is incomplete. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Body bytes still expected (Content-Length body, or the current chunk). */
  private remaining = 0;
  private keepAlive = false;
  private readonly events: ResponseEvents;

  constructor(events: ResponseEvents) {
    this.events = events;
  }

  /** The response is complete. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** The body runs until the server closes the connection (no length, not chunked). */
  get endsWithConnection(): boolean {
    return this.state === 'until-close';
  }

  /** Reads a chunk; returns the bytes after the end of the response (a server must not send any). */
  push(chunk: Buffer): number {
    let at = 0;
    while (at < chunk.length) {
      switch (this.state) {
        case 'head': at = this.readHead(chunk, at); break;
        case 'length': {
          const n = Math.min(this.remaining, chunk.length - at);
          this.events.body(chunk.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'done';
          break;
        }
        case 'chunk-size': at = this.readLine(chunk, at, (line) => this.chunkSize(line)); break;
        case 'chunk-data': {
          const n = Math.min(this.remaining, chunk.length - at);
          this.events.body(chunk.subarray(at, at + n));
          at += n;
          this.remaining -= n;
          if (this.remaining === 0) this.state = 'chunk-end';
          break;
        }
        case 'chunk-end': at = this.readLine(chunk, at, (line) => {
          if (line.length !== 0) throw new HttpParseError('chunk data is not followed by CRLF');
          this.state = 'chunk-size';
        }); break;
        case 'trailer': at = this.readLine(chunk, at, (line) => {
          if (line.length === 0) this.state = 'done';
        }); break;
        case 'until-close':
          this.events.body(at === 0 ? chunk : chunk.subarray(at));
          at = chunk.length;
          break;
        case 'done':
          return chunk.length - at;
      }
    }
    return 0;
  }

  /** Whether the connection may be used again: a complete, delimited response that allows it. */
  get reusable(): boolean {
    return this.state === 'done' && this.keepAlive;
  }

  private readHead(chunk: Buffer, at: number): number {
    // The head may arrive in pieces: what came before is kept (copied: it is small) and searched again.
    const before = this.headBytes;
    const data = before ? Buffer.concat([before, chunk.subarray(at)]) : chunk.subarray(at);
    const end = data.indexOf(CRLF_CRLF);
    if (end < 0) {
      // Bytes that cannot begin a status line fail at once, not when the head limit or the call's
      // deadline is reached (a server answering garbage: the hostile case thrift-answer-garbage).
      const checked = Math.min(data.length, STATUS_LINE_START.length);
      if (!data.subarray(0, checked).equals(STATUS_LINE_START.subarray(0, checked))) {
        throw new HttpParseError(`not an HTTP/1.x answer: it starts with ${data.subarray(0, 16).toString('hex')}`);
      }
      if (data.length > MAX_HEAD_BYTES) throw new HttpParseError(`response head exceeds ${MAX_HEAD_BYTES} bytes`);
      this.headBytes = before ? data : Buffer.from(data);
      return chunk.length;
    }
    if (end > MAX_HEAD_BYTES) throw new HttpParseError(`response head exceeds ${MAX_HEAD_BYTES} bytes`);
    this.headBytes = undefined;
    this.head(data, end);
    return at + end + 4 - (before?.length ?? 0);
  }

  /** Reads the head in data[0, end): the status line, then the headers that matter here. */
  private head(data: Buffer, end: number): void {
    // One string for the whole head, scanned in place: no array of lines, no map of headers.
    const text = data.toString('latin1', 0, end);
    const statusEnd = lineEnd(text, 0);
    const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(text.slice(0, statusEnd));
    if (!statusLine) throw new HttpParseError(`not an HTTP/1.x status line: ${JSON.stringify(text.slice(0, Math.min(statusEnd, 80)))}`);
    const minor = Number(statusLine[1]);
    const status = Number(statusLine[2]);
    // Repeated headers joined with ", ", as one list (RFC 9110 5.3).
    let connectionHeader: string | undefined;
    let coding: string | undefined;
    let lengthHeader: string | undefined;
    for (let at = statusEnd + 2; at < text.length;) {
      const next = lineEnd(text, at);
      const colon = text.indexOf(':', at);
      const name = colon < 0 || colon >= next ? '' : text.slice(at, colon).trim();
      if (name === '') throw new HttpParseError(`malformed header line: ${JSON.stringify(text.slice(at, Math.min(next, at + 80)))}`);
      // Only a name as long as one read here is lower-cased and compared.
      if (READ_LENGTHS.has(name.length)) {
        const lower = name.toLowerCase();
        if (lower === 'connection' || lower === 'transfer-encoding' || lower === 'content-length') {
          const value = text.slice(colon + 1, next).trim();
          if (lower === 'connection') connectionHeader = connectionHeader === undefined ? value : `${connectionHeader}, ${value}`;
          else if (lower === 'transfer-encoding') coding = coding === undefined ? value : `${coding}, ${value}`;
          else lengthHeader = lengthHeader === undefined ? value : `${lengthHeader}, ${value}`;
        }
      }
      at = next + 2;
    }
    if (status >= 100 && status < 200 && status !== 101) return; // interim (100 Continue): the real head follows
    if (status === 101) throw new HttpParseError('the server switched protocols (101)');
    const connection = connectionHeader === undefined ? [] : connectionHeader.toLowerCase().split(',').map((token) => token.trim());
    this.keepAlive = minor === 1 ? !connection.includes('close') : connection.includes('keep-alive');
    let contentLength: number | undefined;
    if (coding !== undefined) {
      // A transfer coding wins over any Content-Length (RFC 9112 6.3); anything but chunked last
      // is delimited by the end of the connection.
      const codings = coding.toLowerCase().split(',').map((token) => token.trim());
      if (codings.at(-1) === 'chunked') {
        this.state = 'chunk-size';
      } else {
        this.state = 'until-close';
        this.keepAlive = false;
      }
    } else if (lengthHeader !== undefined) {
      // One value, or the same value repeated (RFC 9112 6.3).
      const values = lengthHeader.includes(',') ? new Set(lengthHeader.split(',').map((token) => token.trim())) : new Set([lengthHeader]);
      const [only] = values;
      if (values.size !== 1 || only === undefined || !/^\d{1,15}$/.test(only)) throw new HttpParseError(`bad Content-Length: ${lengthHeader}`);
      contentLength = Number(only);
      this.remaining = contentLength;
      this.state = contentLength === 0 ? 'done' : 'length';
    } else if (status === 204 || status === 304) {
      this.state = 'done';
    } else {
      this.state = 'until-close';
      this.keepAlive = false;
    }
    this.events.head({ status, contentLength, keepAlive: this.keepAlive });
  }

  /** Reads one CRLF-ended line (bounded); returns the offset after what was consumed. */
  private readLine(chunk: Buffer, at: number, complete: (line: string) => void): number {
    const lf = chunk.indexOf(0x0a, at);
    const piece = chunk.subarray(at, lf < 0 ? chunk.length : lf + 1);
    if (this.pendingBytes + piece.length > MAX_LINE_BYTES) throw new HttpParseError(`a chunk-size or trailer line exceeds ${MAX_LINE_BYTES} bytes`);
    if (lf < 0) {
      this.pending.push(Buffer.from(piece));
      this.pendingBytes += piece.length;
      return chunk.length;
    }
    const whole = this.pendingBytes > 0 ? Buffer.concat([...this.pending, piece]) : piece;
    this.pending = [];
    this.pendingBytes = 0;
    if (whole.length < 2 || whole[whole.length - 2] !== 0x0d) throw new HttpParseError('a line of the chunked body does not end with CRLF');
    complete(whole.toString('latin1', 0, whole.length - 2));
    return lf + 1;
  }

  private chunkSize(line: string): void {
    const match = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
    if (!match) throw new HttpParseError(`bad chunk size line: ${JSON.stringify(line.slice(0, 40))}`);
    const size = Number.parseInt(match[1] as string, 16);
    if (size === 0) {
      this.state = 'trailer';
      return;
    }
    this.remaining = size;
    this.state = 'chunk-data';
  }
}
