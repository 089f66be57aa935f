// The decimal logical type: values are { unscaled: bigint, scale } so that two encodings of the
// same number compare equal, and the bytes we write are the minimal two's complement big-endian
// form the spec describes (what Java's BigInteger.toByteArray gives).
import avsc from 'avsc';

export interface Decimal {
  readonly unscaled: bigint;
  readonly scale: number;
}

export function decimalFromBytes(bytes: Buffer, scale: number): Decimal {
  if (bytes.length === 0) return { unscaled: 0n, scale };
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  if ((bytes[0] ?? 0) & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return { unscaled: value, scale };
}

export function decimalToBytes(value: bigint): Buffer {
  const bytes: number[] = [];
  let rest = value;
  // Emit bytes until the remaining value is pure sign extension of the last byte written.
  do {
    bytes.unshift(Number(rest & 0xffn));
    rest >>= 8n;
  } while (!((rest === 0n && ((bytes[0] ?? 0) & 0x80) === 0) || (rest === -1n && ((bytes[0] ?? 0) & 0x80) !== 0)));
  return Buffer.from(bytes);
}

export function parseDecimal(text: string, scale: number): Decimal {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a decimal: ${text}`);
  const fraction = (match[3] ?? '').padEnd(scale, '0');
  if (fraction.length > scale) throw new Error(`${text} has more than ${scale} decimal places`);
  const unscaled = BigInt(`${match[2]}${fraction}`);
  return { unscaled: match[1] ? -unscaled : unscaled, scale };
}

export function formatDecimal(value: Decimal): string {
  const negative = value.unscaled < 0n;
  const digits = (negative ? -value.unscaled : value.unscaled).toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = value.scale > 0 ? `.${digits.slice(digits.length - value.scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** avsc logical type class for "decimal" on bytes (fixed decimals keep their raw bytes). */
export class DecimalType extends avsc.types.LogicalType {
  private readonly scale: number;

  constructor(schema: avsc.Schema, opts?: avsc.ForSchemaOptions) {
    super(schema, opts);
    const attrs = schema as { scale?: number; type?: unknown };
    this.scale = attrs.scale ?? 0;
  }

  override _fromValue(value: Buffer): Decimal {
    return decimalFromBytes(value, this.scale);
  }

  override _toValue(value: Decimal): Buffer {
    if (value.scale !== this.scale) throw new Error(`decimal scale ${value.scale} does not match schema scale ${this.scale}`);
    return decimalToBytes(value.unscaled);
  }

  /** Reads a writer's decimal of the same scale, or its plain bytes (a writer without the logical type). */
  override _resolve(type: avsc.Type): ((value: unknown) => unknown) | undefined {
    if (type instanceof DecimalType) return type.scale === this.scale ? (value) => value : undefined;
    if (type.typeName === 'bytes') return (value) => decimalFromBytes(value as Buffer, this.scale);
    return undefined;
  }
}
