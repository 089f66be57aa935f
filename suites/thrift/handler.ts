// The server semantics of data/README.md, for our server (the TypeScript side of ts-server cells).
import { ExactInt64, i64ToBigInt } from '../../impls/npm-thrift/int64.ts';
import { generated, type StructClass } from '../../impls/npm-thrift/runtime.ts';

function type(name: string): StructClass {
  return generated.types[name] as StructClass;
}

const echo = (value: unknown): unknown => value;

export function conformanceHandler(): object {
  let lastNote = '';
  return {
    ping: (): void => undefined,
    echoString: echo, echoBool: echo, echoByte: echo, echoI16: echo, echoI32: echo, echoI64: echo,
    echoDouble: echo, echoBinary: echo, echoEnum: echo, echoTypedef: echo, echoPoint: echo, echoScalars: echo,
    echoDrawing: echo, echoDefaults: echo, echoSparse: echo, echoEmpty: echo, echoChoice: echo, echoDeep: echo,
    echoList: echo, echoSet: echo, echoMap: echo, echoLabels: echo, echoI64Map: echo, echoMapOfMaps: echo,
    echoBinaryList: echo, echoEnumMap: echo,
    // Declaration order, not field-id order: generated processors pass arguments positionally.
    gather: (small: unknown, flag: unknown, tiny: unknown, medium: unknown, large: unknown, real: unknown,
      text: unknown, blob: unknown, color: unknown): unknown =>
      new (type('Scalars'))({ flag, tiny, small, medium, large, real, text, blob, color }),
    add: (a: unknown, b: unknown): ExactInt64 => ExactInt64.fromBigInt(BigInt.asIntN(64, i64ToBigInt(a) + i64ToBigInt(b))),
    fail: (kind: string, code: number, reason: string): void => {
      if (kind === 'conformance') throw new (type('ConformanceError'))({ code, reason });
      if (kind === 'other') throw new (type('OtherError'))({ detail: reason, trail: [code] });
    },
    failUndeclared: (reason: string): never => {
      throw new Error(`undeclared failure: ${reason}`);
    },
    notify: (note: string): void => {
      lastNote = note;
    },
    lastNote: (): string => lastNote,
  };
}

export function secondaryHandler(): object {
  return { echoString: (value: string): string => `secondary:${value}` };
}
