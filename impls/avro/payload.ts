// Reading Avro values one after another out of a message payload.
import { AvroTransportError } from './errors.ts';
import type { AvroType } from './types.ts';

type Resolver = ReturnType<AvroType['createResolver']>;

export class PayloadReader {
  private offset = 0;
  private readonly buffer: Buffer;

  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }

  read<T>(type: AvroType, resolver?: Resolver): T {
    let decoded: { value: unknown; offset: number };
    try {
      decoded = type.decode(this.buffer, this.offset, resolver);
    } catch (error) {
      throw new AvroTransportError(`payload does not decode as ${describe(type)} at byte ${this.offset}: ${(error as Error).message}`);
    }
    if (decoded.offset < 0) {
      throw new AvroTransportError(`payload truncated: ${describe(type)} at byte ${this.offset} runs past the end (${this.buffer.length} bytes)`);
    }
    this.offset = decoded.offset;
    return decoded.value as T;
  }

  get atEnd(): boolean {
    return this.offset >= this.buffer.length;
  }
}

function describe(type: AvroType): string {
  return type.name ?? type.typeName;
}
