// The Avro case catalogue (suites/avro/data/cases.json) and protocols, as the TypeScript side reads them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../harness/docker/peers.ts';
import type { Cell } from '../../harness/matrix/axes.ts';
import { parseProtocol, type Protocol } from '../../impls/avro/index.ts';

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

export function loadCases(): AvroCase[] {
  return (JSON.parse(readFileSync(join(DATA_DIR, 'cases.json'), 'utf8')) as { cases: AvroCase[] }).cases;
}

const protocols = new Map<string, Protocol>();

export function loadProtocol(name: string): Protocol {
  let protocol = protocols.get(name);
  if (!protocol) {
    protocol = parseProtocol(readFileSync(join(DATA_DIR, 'protocols', `${name}.avpr`), 'utf8'));
    protocols.set(name, protocol);
  }
  return protocol;
}

export function casesForCell(cell: Cell, cases: readonly AvroCase[] = loadCases()): AvroCase[] {
  return cases.filter((c) => c.protocol === cell.protocol
    && (!c.directions || c.directions.includes(cell.direction))
    && (!c.transports || c.transports.includes(cell.transport)));
}
