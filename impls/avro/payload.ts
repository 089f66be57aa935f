// Reading Avro values one after another out of a message payload, within the limits (decode.ts).
// avsc's Type.decode is not used: its Tap reads past the end silently and checks only afterwards.
import { GuardedTap } from './decode.ts';
import { AvroTransportError } from './errors.ts';
import { DEFAULT_LIMITS, type Limits } from './limits.ts';
import type { AvroType } from './types.ts';

type Resolver = ReturnType<AvroType['createResolver']>;
interface Readable { _read(tap: GuardedTap): unknown }

export class PayloadReader {
  /** One tap for the whole payload, so that all its collections share one item budget. */
  private readonly tap: GuardedTap;

  constructor(buffer: Buffer, limits: Pick<Limits, 'maxCollectionItems'> = DEFAULT_LIMITS) {
    this.tap = new GuardedTap(buffer, 0, limits.maxCollectionItems);
  }

  read<T>(type: AvroType, resolver?: Resolver): T {
    const tap = this.tap;
    const start = tap.pos;
    let value: unknown;
    try {
      value = ((resolver ?? type) as unknown as Readable)._read(tap);
    } catch (error) {
      throw new AvroTransportError(`payload does not decode as ${describe(type)} at byte ${start}: ${(error as Error).message}`);
    }
    if (!tap.isValid()) {
      throw new AvroTransportError(`payload truncated: ${describe(type)} at byte ${start} runs past the end (${tap.buf.length} bytes)`);
    }
    return value as T;
  }

  /** Whether the payload goes on with exactly these bytes; if it does, they are read (skipped). */
  skipIfNext(bytes: Buffer): boolean {
    const tap = this.tap;
    const at = tap.pos;
    if (at + bytes.length > tap.buf.length) return false;
    for (let i = 0; i < bytes.length; i++) {
      if (tap.buf[at + i] !== bytes[i]) return false;
    }
    tap.pos = at + bytes.length;
    return true;
  }

  get offset(): number {
    return this.tap.pos;
  }

  get atEnd(): boolean {
    return this.tap.pos >= this.tap.buf.length;
  }
}

function describe(type: AvroType): string {
  return type.name ?? type.typeName;
}
