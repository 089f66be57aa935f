// Thrift's wire-level constants: field/element type ids and message types (the same in every
// implementation; the compact and JSON protocols map them to their own codes).

export const TType = {
  STOP: 0,
  VOID: 1,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

export type WireType = (typeof TType)[keyof typeof TType];

export const MessageType = {
  CALL: 1,
  REPLY: 2,
  EXCEPTION: 3,
  ONEWAY: 4,
} as const;

const TYPE_NAMES: Record<number, string> = {
  0: 'stop', 1: 'void', 2: 'bool', 3: 'byte', 4: 'double', 6: 'i16', 8: 'i32', 10: 'i64', 11: 'string',
  12: 'struct', 13: 'map', 14: 'set', 15: 'list', 16: 'uuid',
};

export function wireTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type ${type}`;
}

export function isValueType(type: number): boolean {
  return type !== 0 && type !== 1 && TYPE_NAMES[type] !== undefined;
}

/** Fewest bytes one value of a wire type takes in the binary protocol (for count checks). */
export function binaryMinSize(type: number): number {
  switch (type) {
    case TType.BOOL: case TType.BYTE: case TType.STRUCT: return 1;
    case TType.I16: return 2;
    case TType.I32: case TType.STRING: return 4;
    case TType.I64: case TType.DOUBLE: return 8;
    case TType.LIST: case TType.SET: return 5;
    case TType.MAP: return 6;
    case TType.UUID: return 16;
    default: return 1;
  }
}

/** Fewest bytes one value of a wire type takes in the compact protocol. */
export function compactMinSize(type: number): number {
  switch (type) {
    case TType.DOUBLE: return 8;
    case TType.UUID: return 16;
    default: return 1;
  }
}
