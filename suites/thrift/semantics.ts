// What every conformance server answers (data/README.md, "Server semantics"), as handlers in the
// contract's canonical values (harness/contract/thrift.ts): the same for every implementation.
import type { ThriftArgs, ThriftHandler, ThriftHandlers, WrittenAs } from '../../harness/contract/thrift.ts';
import { conformanceIdl } from './idl.ts';
import { fromNotation } from './notation.ts';

export function declaredException(type: string, value: Record<string, unknown>): Error {
  return Object.assign(new Error(`declared exception ${type}`), { thrift: { kind: 'declared', type, value } as const });
}

export function applicationException(type: number, message: string): Error {
  return Object.assign(new Error(message), { thrift: { kind: 'application', type, message } as const });
}

/** evolvedAnswer's fixed values (README), in the notation. */
const EVOLVED = {
  flag: true, tiny: -128, small: 32767, medium: -2147483648, large: '9223372036854775807', real: 0.25, text: 'v2 \u2713',
  blob: { $hex: '00ff80' }, tag: '00112233-4455-6677-8899-aabbccddeeff', color: 'ULTRAVIOLET', point: { x: -1, y: 1 },
  choice: { words: ['a', 'b'] }, tags: ['ffffffff-ffff-ffff-ffff-ffffffffffff'], names: ['x'], byId: [['-1', { x: 0, y: 0 }]],
  nested: [[], [1, 2]], nothing: {}, blobsByTag: [['01234567-89ab-cdef-0123-456789abcdef', [{ $hex: '' }, { $hex: 'ff' }]]],
};

/** The handlers of both services; one instance per listening server (lastNote is per server). */
export function thriftHandlers(): ThriftHandlers {
  const idl = conformanceIdl();
  let lastNote = '';
  const conformance: Record<string, ThriftHandler> = {};
  for (const name of idl.services.get('Conformance')?.keys() ?? []) {
    if (name.startsWith('echo')) conformance[name] = ({ value }: ThriftArgs) => value;
  }
  Object.assign(conformance, {
    ping: () => null,
    gather: (args: ThriftArgs) => ({ ...args }),
    add: ({ a, b }: ThriftArgs) => BigInt.asIntN(64, (a as bigint) + (b as bigint)),
    fail: ({ kind, code, reason }: ThriftArgs) => {
      if (kind === 'conformance') throw declaredException('ConformanceError', { code, reason });
      if (kind === 'other') throw declaredException('OtherError', { detail: reason, trail: [code] });
      return null;
    },
    failUndeclared: ({ reason }: ThriftArgs) => {
      throw new Error(`undeclared failure: ${String(reason)}`);
    },
    notify: ({ note }: ThriftArgs) => {
      lastNote = String(note);
      return null;
    },
    lastNote: () => lastNote,
    echoEvolving: ({ value }: ThriftArgs) => ({ id: (value as { id: number }).id }),
    evolvedAnswer: ({ id }: ThriftArgs): WrittenAs => ({
      writtenAs: 'EvolvingV2',
      value: { ...(fromNotation(idl, { kind: 'struct', name: 'EvolvingV2' }, EVOLVED) as Record<string, unknown>), id },
    }),
    failApplication: ({ type, message }: ThriftArgs) => {
      throw applicationException(Number(type), String(message));
    },
    failOneway: ({ reason }: ThriftArgs) => {
      throw new Error(`one-way failure: ${String(reason)}`);
    },
  } satisfies Record<string, ThriftHandler>);
  return {
    Conformance: conformance,
    Secondary: { echoString: ({ value }: ThriftArgs) => `secondary:${String(value)}` },
  };
}
