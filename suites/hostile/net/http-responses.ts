// Counts complete HTTP/1.1 responses in a byte stream (pipelined requests on one connection),
// by their Content-Length or chunked bodies. Enough to count answers; not a general parser.
export class HttpResponseCounter {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes of the current response's body still to skip (Content-Length), or undefined between responses. */
  private bodyLeft: number | undefined;
  private chunked = false;
  count = 0;
  /** Status codes of the responses counted, in order. */
  readonly statuses: number[] = [];

  push(chunk: Buffer): number {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.bodyLeft !== undefined) {
        const take = Math.min(this.bodyLeft, this.buffer.length);
        this.buffer = this.buffer.subarray(take);
        this.bodyLeft -= take;
        if (this.bodyLeft > 0) return this.count;
        this.bodyLeft = undefined;
        this.count++;
        continue;
      }
      if (this.chunked) {
        const line = this.buffer.indexOf('\r\n');
        if (line < 0) return this.count;
        const size = Number.parseInt(this.buffer.toString('latin1', 0, line), 16);
        if (this.buffer.length < line + 2 + size + 2) return this.count;
        this.buffer = this.buffer.subarray(line + 2 + size + 2);
        if (size === 0) {
          this.chunked = false;
          this.count++;
        }
        continue;
      }
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return this.count;
      const head = this.buffer.toString('latin1', 0, end);
      this.buffer = this.buffer.subarray(end + 4);
      this.statuses.push(Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
      if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) this.chunked = true;
      else this.bodyLeft = Number(length ?? 0);
    }
  }
}
