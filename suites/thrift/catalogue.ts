// The Thrift case catalogue (data/cases.json) as the TypeScript side reads it, and which case
// kinds need which optional features of an implementation (harness/contract/thrift.ts). Light on
// purpose: the CLI's `list` imports it without the drivers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/docker/peers.ts';
import type { Cell, Direction } from '../../harness/matrix/axes.ts';
import type { FamilyCatalogue } from '../../harness/matrix/plan.ts';
import type { ScopeAxis } from '../../harness/matrix/case-filter.ts';
import { hasFeature, type ImplementationCapabilities } from '../../harness/contract/capabilities.ts';
import { THRIFT_FEATURES } from '../../harness/contract/thrift.ts';
import { validated } from '../../harness/schemas/validate.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Expect {
  readonly response?: Json;
  readonly exception?: { readonly type: string; readonly value: Json };
  readonly applicationError?: { readonly type: string; readonly message?: string };
}

export interface CallSpec {
  readonly service?: string;
  readonly method: string;
  readonly args?: Readonly<Record<string, Json>>;
  readonly expect: Expect;
}

export interface ThriftCase {
  readonly id: string;
  readonly kind: string;
  readonly doc?: string;
  /** The axes the outcome can depend on (harness/matrix/case-filter.ts): the case runs once per combination. */
  readonly scope?: readonly ScopeAxis[];
  readonly directions?: readonly Direction[];
  readonly transports?: readonly string[];
  readonly protocols?: readonly string[];
  readonly sockets?: readonly string[];
  readonly service?: string;
  readonly method?: string;
  readonly args?: Readonly<Record<string, Json>>;
  readonly expect?: Expect;
  readonly then?: CallSpec;
  readonly calls?: readonly CallSpec[];
  readonly seqids?: readonly number[];
  readonly writes?: string;
  readonly withinSeconds?: number;
  readonly send?: { readonly $hex?: string; readonly truncatedCall?: { method: string; args: Record<string, Json>; keepBytes: number } };
  readonly frameLength?: number;
  readonly halfClose?: boolean;
  readonly timeoutMillis?: number;
  /** timeoutMillis in the cells whose protocol is a JSON one (callBoundMs). */
  readonly jsonTimeoutMillis?: number;
}

/**
 * What one call of a case may take in a cell: `jsonTimeoutMillis` where the cell's protocol is a
 * JSON one and the case gives it (the Python and Java references read JSON a byte per transport
 * call: a 1 MiB echo costs the Python peer 1.1-1.3 s of CPU, and the run's own load stretches that
 * several times), else `timeoutMillis`; undefined leaves the client's default.
 */
export function callBoundMs(c: Pick<ThriftCase, 'timeoutMillis' | 'jsonTimeoutMillis'>, protocol: string): number | undefined {
  return protocol.endsWith('json') && c.jsonTimeoutMillis !== undefined ? c.jsonTimeoutMillis : c.timeoutMillis;
}

export const DATA_DIR = join(REPO_ROOT, 'suites', 'thrift', 'data');
export const IDL_PATH = join(DATA_DIR, 'conformance.thrift');

let cached: ThriftCase[] | undefined;

export function loadCases(): ThriftCase[] {
  cached ??= validated<{ cases: ThriftCase[] }>('thrift-cases', JSON.parse(readFileSync(join(DATA_DIR, 'cases.json'), 'utf8')), 'suites/thrift/data/cases.json').cases;
  return cached;
}

/** The call a case makes (call kind: the case itself). */
export function asCall(c: ThriftCase): CallSpec {
  if (!c.method || !c.expect) throw new Error(`case ${c.id} is not a call`);
  return { ...(c.service ? { service: c.service } : {}), method: c.method, ...(c.args ? { args: c.args } : {}), expect: c.expect };
}

/** The optional features each case kind needs from the implementation under test (client side). */
const CLIENT_FEATURES: Readonly<Record<string, readonly string[]>> = {
  'unknown-method': [THRIFT_FEATURES.rawWire],
  'seqid-echo': [THRIFT_FEATURES.rawWire],
  raw: [THRIFT_FEATURES.rawWire],
  'mismatched-protocol': [THRIFT_FEATURES.writeProtocol],
};

export const thriftCatalogue: FamilyCatalogue<ThriftCase> = {
  family: 'thrift',
  cases: loadCases,
  supports: (c: ThriftCase, cell: Cell, implementation: ImplementationCapabilities) =>
    cell.direction === 'ts-server' || (CLIENT_FEATURES[c.kind] ?? []).every((f) => hasFeature(implementation, f)),
};
