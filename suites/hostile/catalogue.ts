// The hostile-input catalogue (suites/hostile/data/cases.json, described in data/README.md):
// what each case sends or answers, and the bounds it must stay within. Read and checked against
// harness/schemas/hostile-cases.schema.json once; everything else works on these types.
import { readFileSync } from 'node:fs';
import { validated } from '../../harness/schemas/validate.ts';
import type { Part } from './bytes.ts';

export type Rpc = 'avro' | 'thrift';
/** server: our servers and the reference servers are attacked; client: our clients meet the fake server. */
export type Target = 'server' | 'client';
export type Profile = 'default' | 'full';

/** How the bytes of a `send` travel (data/README.md): framed as one request, after the transport's envelope, or as they are. */
export type Framing = 'message' | 'stream' | 'none';

export interface SendAttack {
  readonly kind: 'send';
  readonly bytes: readonly Part[];
  readonly framing: Framing;
  /** message framing: frame / Netty buffer size (default 8 KB). */
  readonly chunkBytes?: number;
  /** Keep only the first `keepBytes` bytes of what would be written (a request cut short). */
  readonly keepBytes?: number;
  /** Keep only this fraction of what would be written. */
  readonly keepFraction?: number;
  /** Write one piece of `trickleBytes` (default 1) every `trickleMs`. */
  readonly trickleMs?: number;
  /** After writing: wait for the server (default), or close our side at once. */
  readonly then?: 'wait' | 'close';
}

export interface ConnectionsAttack {
  readonly kind: 'connections';
  /** Connections opened at once that send nothing. */
  readonly count: number;
  /**
   * A connection closed within this many ms of connecting counts as refused (default 100). Set it
   * between the server's refusal and its idle timeout: on a loaded machine a refusal was seen
   * after more than 100 ms (41 of 48 within it at load average 28), and an idle close comes later.
   */
  readonly refusedWithinMs?: number;
}

export interface FloodAttack {
  readonly kind: 'flood';
  /** The first request (with its handshake) and the request written again and again after it. */
  readonly first: readonly Part[];
  readonly next: readonly Part[];
  /** How long to keep writing, never reading. */
  readonly forMs: number;
}

export interface PoisonAttack {
  readonly kind: 'poison';
  /** The planted request, framed as one message; then a client speaking the victim protocol calls. */
  readonly plant: readonly Part[];
}

export interface RepeatAttack {
  readonly kind: 'repeat';
  /** The same request (random parts drawn anew each time), framed as one message each. */
  readonly bytes: readonly Part[];
  readonly count: number;
  /** Requests written before waiting for their answers (stateful transports). */
  readonly window?: number;
}

export interface FuzzAttack {
  readonly kind: 'fuzz';
  /** Mutated requests per cell, by profile; `npm run fuzz -- --budget N` sets its own. */
  readonly budget: Readonly<Record<Profile, number>>;
  /** Mutated requests in flight at once. */
  readonly parallel: number;
  /** The valid requests mutations start from (payloads, framed per transport). */
  readonly seeds: readonly (readonly Part[])[];
}

export type ServerAttack = SendAttack | ConnectionsAttack | FloodAttack | PoisonAttack | RepeatAttack | FuzzAttack;

/** One step of the fake server's answer to our client. */
export type AnswerStep =
  | { readonly write: readonly Part[]; readonly framing: 'message' | 'none' }
  | { readonly trickle: readonly Part[]; readonly everyMs: number }
  | { readonly waitMs: number }
  | { readonly close: true }
  | { readonly repeat: readonly AnswerStep[]; readonly times: number };

export interface AnswerAttack {
  readonly kind: 'answer';
  /** Played once our client's request has arrived whole; a list, or lists by transport ("*": any other). */
  readonly steps: readonly AnswerStep[] | Readonly<Record<string, readonly AnswerStep[]>>;
  readonly call: ClientCall;
}

export interface ClientPoisonAttack {
  readonly kind: 'client-poison';
  /** The fake server's answer (framed as one message); the victim hash is a real server's protocol. */
  readonly answer: readonly Part[];
  readonly call: ClientCall;
}

export interface ClientCall {
  readonly message: string;
  readonly params: Record<string, unknown>;
  readonly timeoutMs: number;
  /** Limits of our client, set low where the case is about the mechanism. */
  readonly limits?: Readonly<Record<string, number>>;
}

export type ClientAttack = AnswerAttack | ClientPoisonAttack;

export interface ServerExpect {
  /** answer-or-close: either ends the exchange; close: the server must close; none: nothing is awaited (we closed). */
  readonly reaction: 'answer-or-close' | 'close' | 'answer' | 'none';
  /** From the last byte written to the reaction (for connections: to the last close). */
  readonly withinMs: number;
  /** The reaction must not come sooner (it is a timeout's). */
  readonly notBeforeMs?: number;
  /** Our server's answer (as latin1 text) must match, by transport ("*": any other). Ours only. */
  readonly answerMatches?: Readonly<Record<string, string>>;
  /** The server must have stopped taking bytes before this many MB were written. */
  readonly acceptedMbBelow?: number;
  /** connections: at least this many must be refused at once (ours, with maxConnections set). */
  readonly refusedAtLeast?: number;
  readonly rssGrowthMb: number;
  /** CPU the server may spend on the case. Ours only. */
  readonly cpuMs?: number;
  /** A valid call from another client succeeds right after. */
  readonly servedAfter: boolean;
  /** ... and is answered within this (a flood must not starve other clients). */
  readonly servedWithinMs?: number;
}

export interface ClientExpect {
  /** The call fails with an error whose message matches, by transport ("*": any other). */
  readonly error?: Readonly<Record<string, string>>;
  /** The call succeeds (a cache case): with this value. */
  readonly value?: unknown;
  /** From the call to its failure (or its answer). */
  readonly withinMs: number;
  /** After the call failed, our client let go of its connection within this. */
  readonly releasedWithinMs?: number;
  readonly rssGrowthMb: number;
  /** The same client process then calls a healthy server successfully. */
  readonly servedAfter: boolean;
}

interface CaseBase {
  readonly id: string;
  readonly rpc: Rpc;
  readonly doc: string;
  /** The measured defect this case covers (impls/avro/hardening, impls/thrift), e.g. "avro-6". */
  readonly defect?: string;
  /** Transports the case runs on (default: every transport of the RPC family's cells). */
  readonly transports?: readonly string[];
  /** Protocols (Thrift: binary, compact, json) the case runs on (default: all). */
  readonly protocols?: readonly string[];
  /** default: runs in every run; full: only with CONFORMANCE_HOSTILE_PROFILE=full. */
  readonly profile?: Profile;
}

export interface ReferenceRules {
  /**
   * Bounds that differ for reference servers, which run with their own defaults; answerMatches
   * here is what any server must answer (an HTTP status), where the case's own is our wording.
   */
  readonly expect?: Partial<Pick<ServerExpect, 'reaction' | 'withinMs' | 'notBeforeMs' | 'rssGrowthMb' | 'acceptedMbBelow' | 'answerMatches'>>;
  /** The profile the case needs against references (their timeouts cannot be set low). */
  readonly profile?: Profile;
  /** Why the case cannot run against references at all (never a silent skip). */
  readonly skip?: string;
  /** connections: how many to open against a reference. */
  readonly count?: number;
}

export interface ServerCase extends CaseBase {
  readonly target: 'server';
  /** Our server's limits for this case (set low where the case is about the mechanism). */
  readonly limits?: Readonly<Record<string, number>>;
  readonly attack: ServerAttack;
  readonly expect: ServerExpect;
  readonly references?: ReferenceRules;
}

export interface ClientCase extends CaseBase {
  readonly target: 'client';
  readonly attack: ClientAttack;
  readonly expect: ClientExpect;
}

export type HostileCase = ServerCase | ClientCase;

export interface RpcCells {
  /** Our implementation of this RPC family (its folder under impls/, whose capabilities.json says what it offers). */
  readonly implementation: string;
  /** The transports and protocols of its offers (on TCP) that the family attacks. */
  readonly transports: readonly string[];
  readonly protocols: readonly string[];
  /**
   * The reference peers (containers/ folders) whose servers are attacked: the libraries' own
   * servers. Released programs built on them (avro-tools rpcreceive, Flume) answer one fixed
   * message or another protocol, and run the same server classes.
   */
  readonly references: readonly string[];
  /** Of those, the ones whose cells run in the full profile only (many server kinds: too slow for every run). */
  readonly fullProfileReferences?: readonly string[];
}

export interface Catalogue {
  /** Per RPC family: the transport x protocol cells of ours (checked against its capabilities). */
  readonly cells: Readonly<Partial<Record<Rpc, RpcCells>>>;
  readonly cases: readonly HostileCase[];
}

export const CASES_FILE = new URL('./data/cases.json', import.meta.url);

let loaded: Catalogue | undefined;

export function loadCatalogue(): Catalogue {
  loaded ??= validated<Catalogue>('hostile-cases', JSON.parse(readFileSync(CASES_FILE, 'utf8')), 'suites/hostile/data/cases.json');
  return loaded;
}

/** Every reference peer folder whose servers the family attacks (for the images a run builds). */
export function referenceFolders(): string[] {
  return Object.values(loadCatalogue().cells).flatMap((c) => c?.references ?? []);
}

/** The value a "by transport" map gives a transport ("*": any other), if any. */
export function byTransport<T>(map: Readonly<Record<string, T>> | undefined, transport: string): T | undefined {
  return map === undefined ? undefined : (map[transport] ?? map['*']);
}

/** The run's profile: CONFORMANCE_HOSTILE_PROFILE=full runs the large and slow cases too. */
export function profile(): Profile {
  const value = process.env['CONFORMANCE_HOSTILE_PROFILE'] ?? 'default';
  if (value !== 'default' && value !== 'full') throw new Error(`CONFORMANCE_HOSTILE_PROFILE=${value}: expected default or full`);
  return value;
}
