// The server semantics of suites/thrift/data/README.md as handlers of our implementation: used by
// our unit tests and by the interop scripts that drive the Python reference against our server.
import { DeclaredException, TApplicationException, WrittenAs, type Handlers } from '../index.ts';

export const CONFORMANCE_IDL = new URL('../../../suites/thrift/data/conformance.thrift', import.meta.url).pathname;

const echo = ({ value }: Record<string, unknown>): unknown => value;

/** evolvedAnswer's fixed EvolvingV2 values (README: "evolvedAnswer"). */
export function evolvedValue(id: number): Record<string, unknown> {
  return {
    id, flag: true, tiny: -128, small: 32767, medium: -2147483648, large: 9223372036854775807n, real: 0.25, text: 'v2 \u2713',
    blob: Buffer.from('00ff80', 'hex'), tag: '00112233-4455-6677-8899-aabbccddeeff', color: 1000000, point: { x: -1, y: 1 },
    choice: { words: ['a', 'b'] }, tags: ['ffffffff-ffff-ffff-ffff-ffffffffffff'], names: ['x'],
    byId: new Map([[-1n, { x: 0, y: 0 }]]), nested: [[], [1, 2]], nothing: {},
    blobsByTag: new Map([['01234567-89ab-cdef-0123-456789abcdef', [Buffer.alloc(0), Buffer.from('ff', 'hex')]]]),
  };
}

export function conformanceHandlers(): Handlers {
  let lastNote = '';
  const echoes = Object.fromEntries([
    'echoString', 'echoBool', 'echoByte', 'echoI16', 'echoI32', 'echoI64', 'echoDouble', 'echoBinary', 'echoEnum', 'echoTypedef',
    'echoPoint', 'echoScalars', 'echoDrawing', 'echoDefaults', 'echoSparse', 'echoEmpty', 'echoChoice', 'echoDeep', 'echoList',
    'echoSet', 'echoMap', 'echoLabels', 'echoI64Map', 'echoMapOfMaps', 'echoBinaryList', 'echoEnumMap', 'echoUuid', 'echoTagged',
  ].map((name) => [name, echo]));
  return {
    Conformance: {
      ...echoes,
      ping: () => undefined,
      gather: (args) => ({ ...args }),
      add: ({ a, b }) => BigInt.asIntN(64, (a as bigint) + (b as bigint)),
      fail: ({ kind, code, reason }) => {
        if (kind === 'conformance') throw new DeclaredException('ConformanceError', { code, reason });
        if (kind === 'other') throw new DeclaredException('OtherError', { detail: reason, trail: [code] });
      },
      failUndeclared: ({ reason }) => {
        throw new Error(`undeclared failure: ${String(reason)}`);
      },
      notify: ({ note }) => {
        lastNote = note as string;
      },
      lastNote: () => lastNote,
      echoEvolving: ({ value }) => ({ id: (value as { id?: number }).id }),
      evolvedAnswer: ({ id }) => new WrittenAs('EvolvingV2', evolvedValue(id as number)),
      failApplication: ({ type, message }) => {
        throw new TApplicationException(type as number, message as string);
      },
      failOneway: ({ reason }) => {
        throw new Error(`one-way failure: ${String(reason)}`);
      },
    },
    Secondary: {
      echoString: ({ value }) => `secondary:${String(value)}`,
    },
  };
}
