// The Thrift case catalogue (data/cases.json) and which cases run in which cell.
import { readFileSync } from 'node:fs';
import type { Cell, Direction } from '../../harness/matrix/axes.ts';
import type { Json } from './notation.ts';

export interface Expect {
  readonly response?: Json;
  readonly exception?: { readonly type: string; readonly value: Json };
  readonly applicationError?: { readonly type: string };
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
  readonly directions?: readonly Direction[];
  readonly transports?: readonly string[];
  readonly protocols?: readonly string[];
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
}

export function loadCases(): ThriftCase[] {
  const path = new URL('./data/cases.json', import.meta.url);
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: ThriftCase[] }).cases;
}

export function casesForCell(all: readonly ThriftCase[], cell: Cell): ThriftCase[] {
  return all.filter((c) =>
    (!c.directions || c.directions.includes(cell.direction)) &&
    (!c.transports || c.transports.includes(cell.transport)) &&
    (!c.protocols || c.protocols.includes(cell.protocol)));
}

/** The call a case makes (call kind: the case itself). */
export function asCall(c: ThriftCase): CallSpec {
  if (!c.method || !c.expect) throw new Error(`case ${c.id} is not a call`);
  return { service: c.service, method: c.method, args: c.args, expect: c.expect };
}
