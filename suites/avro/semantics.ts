// What every conformance server answers (data/README.md, "Server semantics", and
// data/programs/README.md for the protocols interop and flume), as handlers in the contract's
// canonical values (harness/contract/avro.ts): the same for every implementation.
import type { AvroHandler, AvroRequest, AvroValue } from '../../harness/contract/avro.ts';

/**
 * What a Flume server knows of the calls its cases make (data/programs/README.md, "flume"):
 * whether this exact call is one of them.
 */
export interface FlumeCalls {
  isExpected(message: string, request: AvroRequest): boolean;
}

/** A declared error, the way the contract says handlers raise one. */
export function declaredError(type: string, value: AvroValue): Error {
  return Object.assign(new Error(`declared error ${type}`), { avro: { kind: 'declared', type, value } as const });
}

/**
 * The handlers of every message of the protocol that the semantics define (mail, conformance,
 * interop, flume: their message names do not overlap). `flume` is needed for a protocol with
 * append/appendBatch; without it every Flume call is answered FAILED.
 */
export function handlersFor(messages: readonly string[], namespace: string | undefined, flume?: FlumeCalls): Record<string, AvroHandler> {
  let lastNote: string | null = null;
  const handlers: Record<string, AvroHandler> = {};
  const ns = namespace ? `${namespace}.` : '';
  for (const name of messages) {
    if (name.startsWith('echo')) handlers[name] = ({ value }) => value;
  }
  const on = (name: string, handler: AvroHandler): void => {
    if (messages.includes(name)) handlers[name] = handler;
  };
  on('send', ({ message }) => {
    const m = message as { to: string; from: string; body: string };
    return `Sent message to ${m.to} from ${m.from} with body ${m.body}`;
  });
  on('add', ({ a, b }) => BigInt.asIntN(64, (a as bigint) + (b as bigint)));
  on('fail', ({ kind, code, reason }) => {
    if (kind === 'conformance') throw declaredError(`${ns}ConformanceError`, { code, reason });
    throw declaredError(`${ns}OtherError`, { detail: reason });
  });
  on('failUndeclared', ({ reason }) => {
    throw new Error(`undeclared failure: ${String(reason)}`);
  });
  on('notify', ({ note }) => {
    lastNote = note as string;
    return null;
  });
  on('lastNote', () => (lastNote === null ? null : { string: lastNote }));
  on('slowEcho', async ({ value, delayMillis }) => {
    const delay = Number(delayMillis);
    if (!(delay >= 0 && delay <= 5000)) throw new Error(`slowEcho: delayMillis ${String(delayMillis)} is outside 0..5000`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    return value;
  });
  // interop (data/programs/README.md)
  on('greet', ({ name }) => `Greetings, ${String(name)}.`);
  on('total', ({ values }) => (values as bigint[]).reduce((sum, v) => BigInt.asIntN(64, sum + v), 0n));
  on('merge', ({ first, second }) => mergeParcels(first as Parcel, second as Parcel));
  on('weigh', ({ parcels }) => {
    const byKey = parcels as Record<string, Parcel>;
    const keys = Object.keys(byKey).sort(byCodePoints);
    return keys.length === 0 ? null : { double: keys.reduce((sum, key) => sum + (byKey[key] as Parcel).weight, 0) };
  });
  // flume: OK for exactly one of the cases' calls, else FAILED.
  on('append', (request) => (flume?.isExpected('append', request) ? 'OK' : 'FAILED'));
  on('appendBatch', (request) => (flume?.isExpected('appendBatch', request) ? 'OK' : 'FAILED'));
  return handlers;
}

interface Parcel {
  readonly label: string;
  readonly weight: number;
  readonly size: string;
  readonly tags: readonly string[];
  readonly seal: { readonly bytes: Uint8Array } | null;
}

const SIZES = ['SMALL', 'MEDIUM', 'LARGE'];

function mergeParcels(first: Parcel, second: Parcel): Parcel {
  return {
    label: `${first.label}+${second.label}`,
    weight: first.weight + second.weight,
    size: SIZES.indexOf(first.size) >= SIZES.indexOf(second.size) ? first.size : second.size,
    tags: [...first.tags, ...second.tags],
    seal: first.seal ?? second.seal,
  };
}

/** Orders strings by Unicode code points (JavaScript's default sort compares UTF-16 code units). */
export function byCodePoints(a: string, b: string): number {
  const pa = Array.from(a, (c) => c.codePointAt(0) as number);
  const pb = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = (pa[i] as number) - (pb[i] as number);
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}
