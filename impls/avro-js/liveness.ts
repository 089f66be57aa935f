// avro-js has no call timeout, and some complete responses it drops without a word (a message it
// cannot use leaves no callback, no event, no error). A call then waits for ever. The adapter
// bounds every call with its own timeout; this lets it fail such a call as soon as it is certain
// that nothing more can come, instead of when the timeout runs out: a complete response went by
// and avro-js did nothing at all with it.
//
// It only watches: the bytes, and avro-js's reactions (callbacks, 'handshake' and 'error' events,
// new exchanges). Nothing is changed in what avro-js sends, reads or answers.

/** Counts the complete messages in a byte stream in Avro's standard framing, in bounded memory. */
export class MessageCounter {
  private header = Buffer.alloc(0);
  private remaining = 0;
  private complete = 0;
  private bytesInMessage = 0;
  private lastMessageBytes = 0;

  /** Feeds bytes; returns how many messages these bytes completed. */
  push(chunk: Buffer): number {
    const before = this.complete;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= take;
        this.bytesInMessage += take;
        offset += take;
        continue;
      }
      const need = 4 - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
      offset += Math.min(need, chunk.length - offset);
      if (this.header.length < 4) break;
      const length = this.header.readUInt32BE(0);
      this.header = Buffer.alloc(0);
      this.bytesInMessage += 4;
      if (length === 0) {
        this.complete++;
        this.lastMessageBytes = this.bytesInMessage;
        this.bytesInMessage = 0;
      } else {
        this.remaining = length;
      }
    }
    return this.complete - before;
  }

  /** Bytes of the last complete message, framing included. */
  get lastMessageSize(): number {
    return this.lastMessageBytes;
  }
}

/** Counts what avro-js does; a watcher compares the count before and after a complete response. */
export class Reactions {
  private count = 0;

  note(): void {
    this.count++;
  }

  get seen(): number {
    return this.count;
  }

  /** After the current I/O callbacks have run, calls ifSilent when nothing was noted since `before`. */
  checkAfter(before: number, ifSilent: () => void): void {
    setImmediate(() => {
      if (this.count === before) ifSilent();
    });
  }
}
