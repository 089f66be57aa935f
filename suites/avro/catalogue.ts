// The Avro case catalogue and protocols as the TypeScript side reads them, and which case kinds
// need which optional features of an implementation (harness/contract/avro.ts). One catalogue of
// two files: data/cases.json (the library peers' cases) and data/programs/cases.json (the released
// programs' cases, data/programs/README.md); protocols from data/protocols and
// data/programs/protocols. Light on purpose: the CLI's `list` imports it without the drivers.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../harness/docker/peers.ts';
import type { Cell } from '../../harness/matrix/axes.ts';
import type { FamilyCatalogue } from '../../harness/matrix/plan.ts';
import type { ScopeAxis } from '../../harness/matrix/case-filter.ts';
import { hasFeature, type ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import { AVRO_FEATURES } from '../../harness/contract/avro.ts';
import { DataFileError, validated } from '../../harness/schemas/validate.ts';
import { expandEvents } from './notation.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Expectation {
  readonly response?: Json;
  readonly error?: { readonly type: string; readonly value: Json };
  readonly systemError?: string;
}

export interface CallStep {
  readonly message: string;
  readonly request: Record<string, Json>;
  readonly expect: Expectation;
}

/** A call of a template case (concurrent, many-clients): {call} and {client} are filled in per call. */
export interface LooseStep {
  readonly message: string;
  readonly request: Record<string, Json>;
  /** Absent for a one-way call. */
  readonly expect?: Expectation;
}

export interface AvroCase {
  readonly id: string;
  readonly protocol: string;
  /** The protocol file the client speaks, when it is a copy of the server's (data/README.md, "Protocol copies"). */
  readonly clientProtocol?: string;
  readonly kind: string;
  readonly doc?: string;
  /** The axes the outcome can depend on (harness/matrix/case-filter.ts): the case runs once per combination. */
  readonly scope?: readonly ScopeAxis[];
  readonly directions?: readonly string[];
  readonly transports?: readonly string[];
  readonly message?: string;
  readonly request?: Record<string, Json>;
  readonly expect?: Expectation;
  readonly then?: { readonly message: string; readonly request: Record<string, Json>; readonly response?: Json; readonly responseOneOf?: readonly Json[] };
  readonly calls?: readonly LooseStep[];
  /** concurrent: how many calls at once; call: the template of each. */
  readonly count?: number;
  readonly call?: CallStep;
  /** pipelined: the call that establishes the connection first, and the order answers must arrive in. */
  readonly establish?: CallStep;
  readonly answerOrder?: readonly number[];
  /** reconnect: the calls of each connection, one connection after another. */
  readonly connections?: readonly (readonly CallStep[])[];
  /** many-clients: clients at once, each making callsPerClient calls of the template call. */
  readonly clients?: number;
  readonly callsPerClient?: number;
  /** Also judged by what our server saw of the peer client's handshakes (ts-server direction). */
  readonly observe?: 'first-contact' | 'stateful-handshake-once' | 'handshake-each-connection';
  /** Programs: the case's data files (interop/rpc/<message>/<case>), for programs that take them. */
  readonly files?: string;
  /** Programs (ts-client): how a server set up per case is set up, when not for the case's own call. */
  readonly serverSetup?: { readonly message: string; readonly files: string };
  /** appendBatch: the events go as consecutive calls of at most this many events, on one connection. */
  readonly batchSize?: number;
}

/** A template step with {call} and {client} filled in, in every string value of request and expect. */
export function fillTemplate(step: CallStep, call: number, client = 0): CallStep {
  const fill = (value: Json): Json => {
    if (typeof value === 'string') return value.replaceAll('{call}', String(call)).replaceAll('{client}', String(client));
    if (Array.isArray(value)) return value.map(fill);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return { message: step.message, request: fill(step.request) as Record<string, Json>, expect: fill(step.expect as Json) as Expectation };
}

/**
 * Every call a case makes, in the order a client makes them (the server's checks use this). A case
 * with `batchSize` is one call per chunk of its events (data/programs/README.md).
 */
export function callsOf(c: AvroCase): LooseStep[] {
  if (c.batchSize !== undefined) return batchCalls(c);
  switch (c.kind) {
    case 'sequence': case 'oneway-interleaved': return [...(c.calls ?? []), ...(c.then ? [{ message: c.then.message, request: c.then.request }] : [])];
    case 'concurrent': return c.call ? Array.from({ length: c.count ?? 0 }, (_, i) => fillTemplate(c.call as CallStep, i)) : [];
    case 'many-clients': return c.call ? Array.from({ length: c.clients ?? 0 }, (_, k) => Array.from({ length: c.callsPerClient ?? 0 }, (_, i) => fillTemplate(c.call as CallStep, i, k))).flat() : [];
    case 'reconnect': return (c.connections ?? []).flat();
    case 'pipelined': return [...(c.establish ? [c.establish] : []), ...(c.calls ?? [])];
    default: return c.message ? [{ message: c.message, request: c.request ?? {}, ...(c.expect ? { expect: c.expect } : {}) }] : [];
  }
}

/**
 * A `batchSize` case's calls: its `events` parameter (the `$events` generator expanded) cut into
 * consecutive chunks of at most batchSize, each one call of the case's message with the case's
 * expectation; no events is one call with none.
 */
function batchCalls(c: AvroCase): LooseStep[] {
  const size = c.batchSize ?? 0;
  const message = c.message ?? '';
  const events = expandEvents(c.request?.['events'] ?? []);
  if (!Array.isArray(events)) throw new Error(`case ${c.id}: batchSize needs an "events" array (or {"$events": ...}) in its request`);
  const chunks: Json[][] = [];
  for (let i = 0; i < events.length; i += size) chunks.push(events.slice(i, i + size));
  if (chunks.length === 0) chunks.push([]);
  return chunks.map((chunk) => ({ message, request: { ...c.request, events: chunk }, ...(c.expect ? { expect: c.expect } : {}) }));
}

export const DATA_DIR = join(REPO_ROOT, 'suites', 'avro', 'data');
/** The released programs' cases and protocols (data/programs/README.md). */
export const PROGRAMS_DIR = join(DATA_DIR, 'programs');

const CATALOGUE_FILES = [join(DATA_DIR, 'cases.json'), join(PROGRAMS_DIR, 'cases.json')];

let cached: AvroCase[] | undefined;

/** Both catalogue files, each checked against the schema; a case id used twice stops the run. */
export function loadCases(): AvroCase[] {
  if (cached) return cached;
  const cases: AvroCase[] = [];
  const where = new Map<string, string>();
  for (const file of CATALOGUE_FILES) {
    const name = relative(REPO_ROOT, file);
    for (const c of validated<{ cases: AvroCase[] }>('avro-cases', JSON.parse(readFileSync(file, 'utf8')), name).cases) {
      const earlier = where.get(c.id);
      if (earlier) throw new DataFileError(`case id ${c.id} is in ${earlier} and ${name}: ids must be unique across the Avro catalogue`);
      where.set(c.id, name);
      cases.push(c);
    }
  }
  cached = cases;
  return cached;
}

/** The file of a protocol axis value (or a client copy): data/protocols/<name>.avpr, else data/programs/protocols/<name>.avpr. */
export function protocolPath(name: string): string {
  const candidates = [join(DATA_DIR, 'protocols', `${name}.avpr`), join(PROGRAMS_DIR, 'protocols', `${name}.avpr`)];
  const found = candidates.find((path) => existsSync(path));
  if (!found) throw new Error(`no protocol file for ${name} (looked for ${candidates.map((p) => relative(REPO_ROOT, p)).join(', ')})`);
  return found;
}

/** Protocol files by axis value: read once per process, not once per case (two stats and a read each). */
const protocolTexts = new Map<string, string>();

export function protocolText(name: string): string {
  let text = protocolTexts.get(name);
  if (text === undefined) {
    text = readFileSync(protocolPath(name), 'utf8');
    protocolTexts.set(name, text);
  }
  return text;
}

/** The optional features each case kind needs from the implementation under test (client side). */
const CLIENT_FEATURES: Readonly<Record<string, readonly string[]>> = {
  ping: [AVRO_FEATURES.ping, AVRO_FEATURES.handshakeObservation],
  'handshake-first-contact': [AVRO_FEATURES.handshakeObservation],
  'handshake-both': [AVRO_FEATURES.handshakeObservation, AVRO_FEATURES.handshakeControl],
  'handshake-client': [AVRO_FEATURES.handshakeObservation, AVRO_FEATURES.handshakeControl],
  'handshake-count': [AVRO_FEATURES.handshakeObservation, AVRO_FEATURES.rawWire],
  'handshake-metadata': [AVRO_FEATURES.metadata, AVRO_FEATURES.handshakeObservation],
  'wire-garbage': [AVRO_FEATURES.rawWire],
  'wire-truncated': [AVRO_FEATURES.rawWire],
  'wire-oversize': [AVRO_FEATURES.rawWire],
};

export const avroCatalogue: FamilyCatalogue<AvroCase> = {
  family: 'avro',
  cases: loadCases,
  supports: (c: AvroCase, cell: Cell, implementation: ImplementationCapabilities) =>
    cell.direction === 'ts-server' || (CLIENT_FEATURES[c.kind] ?? []).every((f) => hasFeature(implementation, f)),
};
