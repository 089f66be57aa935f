// The Avro case catalogue (data/cases.json) and protocols as the TypeScript side reads them, and
// which case kinds need which optional features of an implementation (harness/contract/avro.ts).
// Light on purpose: the CLI's `list` imports it without the drivers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/docker/peers.ts';
import type { Cell } from '../../harness/matrix/axes.ts';
import type { FamilyCatalogue } from '../../harness/matrix/plan.ts';
import { hasFeature, type ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import { AVRO_FEATURES } from '../../harness/contract/avro.ts';
import { validated } from '../../harness/schemas/validate.ts';

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

export interface AvroCase {
  readonly id: string;
  readonly protocol: string;
  readonly kind: string;
  readonly doc?: string;
  readonly directions?: readonly string[];
  readonly transports?: readonly string[];
  readonly message?: string;
  readonly request?: Record<string, Json>;
  readonly expect?: Expectation;
  readonly then?: { readonly message: string; readonly request: Record<string, Json>; readonly response: Json };
  readonly calls?: readonly CallStep[];
  /** Also judged by what our server saw of the peer client's handshakes (ts-server direction). */
  readonly observe?: 'first-contact' | 'stateful-handshake-once';
}

export const DATA_DIR = join(REPO_ROOT, 'suites', 'avro', 'data');

let cached: AvroCase[] | undefined;

export function loadCases(): AvroCase[] {
  cached ??= validated<{ cases: AvroCase[] }>('avro-cases', JSON.parse(readFileSync(join(DATA_DIR, 'cases.json'), 'utf8')), 'suites/avro/data/cases.json').cases;
  return cached;
}

export function protocolText(name: string): string {
  return readFileSync(join(DATA_DIR, 'protocols', `${name}.avpr`), 'utf8');
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
