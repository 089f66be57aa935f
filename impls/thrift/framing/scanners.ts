// Finding where a message ends in an unframed byte stream (buffered and zlib transports), without
// decoding it: a resumable walk over the message's structure that stops when bytes are missing and
// goes on from the same place when more arrive. Every byte is looked at once at most (lengths are
// skipped, not read), so reassembly is linear in the message size whatever the chunking. Declared
// lengths and counts are checked against the limits as soon as they are seen.
import { ProtocolError, SizeError } from '../errors.ts';
import type { Limits } from '../limits.ts';
import type { ProtocolName } from '../protocol/index.ts';
import { binaryMinSize, compactMinSize, isValueType, TType, wireTypeName } from '../protocol/wire.ts';
import type { ChunkCursor } from './chunks.ts';

export interface MessageScanner {
  /** Walks on from the cursor; returns the message's length when it is complete, or -1 when bytes are missing. */
  scan(c: ChunkCursor): number;
  /** Starts over for the next message. */
  reset(): void;
}

export function scannerFor(protocol: ProtocolName, limits: Limits): MessageScanner {
  switch (protocol) {
    case 'binary': return new BinaryScanner(limits);
    case 'compact': return new CompactScanner(limits);
    case 'json': return new JsonScanner(limits);
  }
}

const NONE = -1;
const STRUCT = 0;
const ELEMENTS = 1;
const ENTRIES = 2;

/** The structure walk shared by binary and compact: a stack of open structs and containers. */
abstract class StructureScanner implements MessageScanner {
  protected readonly limits: Limits;
  /** 0..n: header steps; BODY: walking the argument/result struct. */
  protected phase = 0;
  protected static readonly BODY = 100;
  protected pending = NONE;
  private readonly kinds: number[] = [];
  private readonly counts: number[] = [];
  private readonly keyTypes: number[] = [];
  private readonly valueTypes: number[] = [];

  constructor(limits: Limits) {
    this.limits = limits;
  }

  reset(): void {
    this.phase = 0;
    this.pending = NONE;
    // A message that ended closed every level it opened; only a scan broken off leaves some (and
    // setting an array's length is a runtime call: a quarter of a small message's splitting).
    while (this.kinds.length > 0) this.pop();
  }

  /** Reads the message header; returns false when bytes are missing. */
  protected abstract header(c: ChunkCursor): boolean;
  /** Consumes the start of a value (all of a scalar); returns false when bytes are missing. */
  protected abstract value(c: ChunkCursor, type: number): boolean;
  /** At an open struct: consumes one field header (or the stop); returns false when bytes are missing. */
  protected abstract field(c: ChunkCursor): boolean;

  protected push(kind: number, count: number, keyType: number, valueType: number): void {
    if (this.kinds.length >= this.limits.maxDepth) throw new SizeError(`the message nests deeper than ${this.limits.maxDepth} levels`);
    this.kinds.push(kind);
    this.counts.push(count);
    this.keyTypes.push(keyType);
    this.valueTypes.push(valueType);
  }

  protected pop(): void {
    this.kinds.pop();
    this.counts.pop();
    this.keyTypes.pop();
    this.valueTypes.pop();
  }

  protected checkLength(what: string, length: number, c: ChunkCursor): void {
    if (length < 0) throw new SizeError(`${what} declares a negative length ${length}`);
    if (length > this.limits.maxStringLength) throw new SizeError(`${what} declares ${length} bytes, over the limit of ${this.limits.maxStringLength}`);
    if (c.pos + length > this.limits.maxMessageSize) throw new SizeError(`${what} of ${length} bytes makes the message longer than the limit of ${this.limits.maxMessageSize} bytes`);
  }

  protected checkCount(what: string, size: number, minBytesEach: number, c: ChunkCursor): void {
    if (size < 0) throw new SizeError(`${what} declares a negative size ${size}`);
    if (size > this.limits.maxContainerLength) throw new SizeError(`${what} declares ${size} elements, over the limit of ${this.limits.maxContainerLength}`);
    if (c.pos + size * minBytesEach > this.limits.maxMessageSize) {
      throw new SizeError(`${what} of ${size} elements makes the message longer than the limit of ${this.limits.maxMessageSize} bytes`);
    }
  }

  scan(c: ChunkCursor): number {
    if (this.phase !== StructureScanner.BODY) {
      if (!this.header(c)) return -1;
      this.phase = StructureScanner.BODY;
      this.pending = TType.STRUCT;
    }
    for (;;) {
      if (c.pos > this.limits.maxMessageSize) throw new SizeError(`message longer than the limit of ${this.limits.maxMessageSize} bytes`);
      if (this.pending !== NONE) {
        if (!this.value(c, this.pending)) return -1;
        continue;
      }
      const top = this.kinds.length - 1;
      if (top < 0) return c.available >= 0 ? c.pos : -1;
      const kind = this.kinds[top] as number;
      if (kind === STRUCT) {
        if (!this.field(c)) return -1;
        continue;
      }
      const left = this.counts[top] as number;
      if (left === 0) {
        this.pop();
        continue;
      }
      this.counts[top] = left - 1;
      // Map entries are counted as keys and values: an even count left means a key comes next.
      this.pending = kind === ENTRIES && left % 2 === 0 ? this.keyTypes[top] as number : this.valueTypes[top] as number;
    }
  }

  protected openStruct(): void {
    this.push(STRUCT, 0, 0, 0);
  }

  protected openElements(size: number, elemType: number): void {
    this.push(ELEMENTS, size, 0, elemType);
  }

  protected openEntries(size: number, keyType: number, valueType: number): void {
    this.push(ENTRIES, size * 2, keyType, valueType);
  }

  protected closeStruct(): void {
    this.pop();
  }
}

const BINARY_VERSION_MASK = 0xffff0000 | 0;
const BINARY_VERSION_1 = 0x80010000 | 0;

function checkMessageType(type: number): void {
  if (type < 1 || type > 4) throw new ProtocolError(`invalid message type ${type}`);
}

class BinaryScanner extends StructureScanner {
  protected header(c: ChunkCursor): boolean {
    for (;;) {
      switch (this.phase) {
        case 0: {
          if (c.available < 4) return false;
          const first = c.peekInt32(0);
          if (first < 0) {
            if ((first & BINARY_VERSION_MASK) !== BINARY_VERSION_1) {
              throw new ProtocolError(`bad binary protocol version 0x${(first >>> 0).toString(16).padStart(8, '0')} (expected 0x8001 followed by the message type)`);
            }
            checkMessageType(first & 0xff);
            c.advance(4);
            this.phase = 1;
          } else {
            // The old header: name length, name, type byte, seqid.
            this.checkLength('the message name', first, c);
            c.advance(4 + first);
            this.phase = 3;
          }
          break;
        }
        case 1: {
          if (c.available < 4) return false;
          const length = c.peekInt32(0);
          this.checkLength('the message name', length, c);
          c.advance(4 + length);
          this.phase = 2;
          break;
        }
        case 2:
          if (c.available < 4) return false;
          c.advance(4);
          return true;
        case 3:
          if (c.available < 5) return false;
          checkMessageType(c.peek(0));
          c.advance(5);
          return true;
        default:
          return true;
      }
    }
  }

  protected field(c: ChunkCursor): boolean {
    if (c.available < 1) return false;
    const type = c.peek(0);
    if (type === TType.STOP) {
      c.advance(1);
      this.closeStruct();
      return true;
    }
    if (!isValueType(type)) throw new ProtocolError(`unknown field type ${type} at offset ${c.pos}`);
    if (c.available < 3) return false;
    c.advance(3);
    this.pending = type;
    return true;
  }

  private elementType(c: ChunkCursor, k: number, what: string): number {
    const type = c.peek(k);
    if (!isValueType(type)) throw new ProtocolError(`${what} of unknown element type ${type} at offset ${c.pos + k}`);
    return type;
  }

  protected value(c: ChunkCursor, type: number): boolean {
    switch (type) {
      case TType.STRUCT:
        this.openStruct();
        break;
      case TType.STRING: {
        if (c.available < 4) return false;
        const length = c.peekInt32(0);
        this.checkLength('a string', length, c);
        c.advance(4 + length);
        break;
      }
      case TType.LIST: case TType.SET: {
        if (c.available < 5) return false;
        const what = type === TType.LIST ? 'list' : 'set';
        const elemType = this.elementType(c, 0, what);
        const size = c.peekInt32(1);
        this.checkCount(`${what}<${wireTypeName(elemType)}>`, size, binaryMinSize(elemType), c);
        c.advance(5);
        this.openElements(size, elemType);
        break;
      }
      case TType.MAP: {
        if (c.available < 6) return false;
        const keyType = this.elementType(c, 0, 'map');
        const valueType = this.elementType(c, 1, 'map');
        const size = c.peekInt32(2);
        this.checkCount('map', size, binaryMinSize(keyType) + binaryMinSize(valueType), c);
        c.advance(6);
        this.openEntries(size, keyType, valueType);
        break;
      }
      default: {
        const size = binaryMinSize(type);
        if (c.available < size) return false;
        c.advance(size);
      }
    }
    this.pending = NONE;
    return true;
  }
}

const COMPACT_TYPES: (number | undefined)[] = [
  undefined, TType.BOOL, TType.BOOL, TType.BYTE, TType.I16, TType.I32, TType.I64, TType.DOUBLE, TType.STRING, TType.LIST,
  TType.SET, TType.MAP, TType.STRUCT, TType.UUID,
];

class CompactScanner extends StructureScanner {
  private varintValue = 0;

  /**
   * The length of the varint at k after the cursor (its value in varintValue, low 32 bits), or -1
   * when its last byte has not arrived.
   */
  private varint(c: ChunkCursor, k: number, maxBytes: number, what: string): number {
    let value = 0;
    for (let i = 0; i < maxBytes; i++) {
      if (c.available <= k + i) return -1;
      const b = c.peek(k + i);
      if (i < 5) value |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) {
        this.varintValue = value >>> 0;
        return i + 1;
      }
    }
    throw new ProtocolError(`${what}: varint longer than ${maxBytes} bytes at offset ${c.pos + k}`);
  }

  private elementType(ct: number, what: string, c: ChunkCursor): number {
    const type = COMPACT_TYPES[ct];
    if (type === undefined) throw new ProtocolError(`${what} of unknown compact element type ${ct} at offset ${c.pos}`);
    return type;
  }

  protected header(c: ChunkCursor): boolean {
    for (;;) {
      switch (this.phase) {
        case 0: {
          if (c.available < 2) return false;
          const id = c.peek(0);
          if (id !== 0x82) throw new ProtocolError(`bad compact protocol id 0x${id.toString(16).padStart(2, '0')} (expected 0x82)`);
          const versionAndType = c.peek(1);
          if ((versionAndType & 0x1f) !== 1) throw new ProtocolError(`bad compact protocol version ${versionAndType & 0x1f} (expected 1)`);
          checkMessageType(versionAndType >> 5);
          c.advance(2);
          this.phase = 1;
          break;
        }
        case 1: {
          const n = this.varint(c, 0, 5, 'the sequence id');
          if (n < 0) return false;
          c.advance(n);
          this.phase = 2;
          break;
        }
        case 2: {
          const n = this.varint(c, 0, 5, 'the message name length');
          if (n < 0) return false;
          this.checkLength('the message name', this.varintValue, c);
          c.advance(n + this.varintValue);
          return true;
        }
        default:
          return true;
      }
    }
  }

  protected field(c: ChunkCursor): boolean {
    if (c.available < 1) return false;
    const header = c.peek(0);
    if (header === 0) {
      c.advance(1);
      this.closeStruct();
      return true;
    }
    const ct = header & 0x0f;
    const type = COMPACT_TYPES[ct];
    if (type === undefined) throw new ProtocolError(`unknown compact field type ${ct} at offset ${c.pos}`);
    let length = 1;
    if (header >> 4 === 0) {
      const n = this.varint(c, 1, 5, 'a field id');
      if (n < 0) return false;
      length += n;
    }
    c.advance(length);
    // Bool fields carry their value in the header.
    this.pending = type === TType.BOOL ? NONE : type;
    return true;
  }

  protected value(c: ChunkCursor, type: number): boolean {
    switch (type) {
      case TType.STRUCT:
        this.openStruct();
        break;
      case TType.I16: case TType.I32: case TType.I64: {
        const n = this.varint(c, 0, type === TType.I64 ? 10 : 5, wireTypeName(type));
        if (n < 0) return false;
        c.advance(n);
        break;
      }
      case TType.STRING: {
        const n = this.varint(c, 0, 5, 'a string length');
        if (n < 0) return false;
        this.checkLength('a string', this.varintValue, c);
        c.advance(n + this.varintValue);
        break;
      }
      case TType.LIST: case TType.SET: {
        if (c.available < 1) return false;
        const what = type === TType.LIST ? 'list' : 'set';
        const header = c.peek(0);
        const elemType = this.elementType(header & 0x0f, what, c);
        let size = header >> 4;
        let length = 1;
        if (size === 15) {
          const n = this.varint(c, 1, 5, `a ${what} size`);
          if (n < 0) return false;
          size = this.varintValue;
          length += n;
        }
        this.checkCount(`${what}<${wireTypeName(elemType)}>`, size, compactMinSize(elemType), c);
        c.advance(length);
        this.openElements(size, elemType);
        break;
      }
      case TType.MAP: {
        const n = this.varint(c, 0, 5, 'a map size');
        if (n < 0) return false;
        const size = this.varintValue;
        if (size === 0) {
          c.advance(n);
          break;
        }
        if (c.available < n + 1) return false;
        const types = c.peek(n);
        const keyType = this.elementType(types >> 4, 'map', c);
        const valueType = this.elementType(types & 0x0f, 'map', c);
        this.checkCount('map', size, compactMinSize(keyType) + compactMinSize(valueType), c);
        c.advance(n + 1);
        this.openEntries(size, keyType, valueType);
        break;
      }
      default: {
        const size = compactMinSize(type);
        if (c.available < size) return false;
        c.advance(size);
      }
    }
    this.pending = NONE;
    return true;
  }
}

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * JSON: the message is the outermost array; it ends where its bracket closes. Strings are passed
 * over (escapes included), everything else only counted. Syntax is checked by the reader later.
 */
class JsonScanner implements MessageScanner {
  private readonly limits: Limits;
  private depth = 0;
  private inString = false;
  private escape = false;
  private started = false;

  constructor(limits: Limits) {
    this.limits = limits;
  }

  /** Walks chunk from start; returns the offset just after the message's closing bracket, or -1. */
  private walk(chunk: Buffer, start: number, maxDepth: number): number {
    const end = chunk.length;
    let i = start;
    while (i < end) {
      if (this.inString) {
        if (this.escape) {
          this.escape = false;
          i++;
          continue;
        }
        // Jump to the next quote; it ends the string unless an odd run of backslashes precedes it.
        const quote = chunk.indexOf(QUOTE, i);
        const stop = quote < 0 ? end : quote;
        let slashes = 0;
        for (let k = stop - 1; k >= i && chunk[k] === BACKSLASH; k--) slashes++;
        if (quote < 0) {
          // The string goes on in the next chunk; a trailing odd backslash escapes its first byte.
          this.escape = slashes % 2 === 1;
          return -1;
        }
        if (slashes % 2 === 0) this.inString = false;
        i = quote + 1;
        continue;
      }
      const b = chunk[i++] as number;
      if (!this.started) {
        if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
        if (b !== OPEN_ARRAY) throw new ProtocolError(`a JSON message starts with "[", found byte 0x${b.toString(16).padStart(2, '0')}`);
        this.started = true;
        this.depth = 1;
        continue;
      }
      if (b === QUOTE) this.inString = true;
      else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
        if (++this.depth > maxDepth) throw new SizeError(`JSON message nests deeper than ${maxDepth} levels`);
      } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
        if (--this.depth === 0) return i;
      }
    }
    return -1;
  }

  reset(): void {
    this.depth = 0;
    this.inString = false;
    this.escape = false;
    this.started = false;
  }

  scan(c: ChunkCursor): number {
    // JSON nests about three levels per Thrift level (field object, type object, value).
    const maxDepth = this.limits.maxDepth * 3 + 2;
    for (let view = c.chunkAtCursor(); view !== undefined; view = c.chunkAtCursor()) {
      const [chunk, start] = view;
      const ended = this.walk(chunk, start, maxDepth);
      c.advance((ended < 0 ? chunk.length : ended) - start);
      if (c.pos > this.limits.maxMessageSize) throw new SizeError(`JSON message longer than the limit of ${this.limits.maxMessageSize} bytes`);
      if (ended >= 0) return c.pos;
    }
    return -1;
  }
}
