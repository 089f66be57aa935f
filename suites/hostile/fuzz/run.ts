// A bounded mutation fuzz of one server cell: `budget` mutated requests (fuzz/mutate.ts) drawn
// from the case's valid requests, `parallel` at a time, each on a new connection watched for a
// short while (an answer, a close, or silence: a request cut short waits for bytes that never
// come, and the server's read timeout is the named cases' business); then a valid call from a
// new client must succeed, and at the end the server must be alive with its memory in bounds.
// The seed reproduces every iteration: `npm run fuzz -- --seed S --transport T --only I`.
import { bytesOf, type Part } from '../bytes.ts';
import { MB, sample } from '../measure/proc.ts';
import { RawConnection } from '../net/connection.ts';
import type { CellWire } from '../rpc-wire.ts';
import { hash32, mutate, Random, type Mutation } from './mutate.ts';

export interface FuzzTarget {
  /** A fresh view of the cell's wire (the notation's names, framing). */
  readonly wire: () => CellWire;
  readonly port: number;
  readonly pid: number;
}

export interface FuzzOptions {
  readonly seed: number;
  /** The cell's name in the derivation of each iteration's generator (transport and protocol). */
  readonly cellKey: string;
  readonly seeds: readonly (readonly Part[])[];
  readonly budget: number;
  readonly parallel: number;
  /** How long each mutated request's connection is watched before we close it. */
  readonly watchMs: number;
  /** Run only this iteration (to reproduce one). */
  readonly only?: number;
  /** Stop after this many failures. */
  readonly maxFailures?: number;
}

export interface FuzzFailure {
  readonly iteration: number;
  readonly problem: string;
  readonly base: number;
  readonly mutations: readonly Mutation[];
  /** The mutated request (first 512 bytes), before compression. */
  readonly hex: string;
  readonly length: number;
}

export interface FuzzReport {
  readonly seed: number;
  readonly iterations: number;
  readonly answered: number;
  readonly closed: number;
  /** Neither answered nor closed while watched (waiting for more bytes). */
  readonly silent: number;
  readonly maxReactionMs: number;
  readonly elapsedMs: number;
  readonly rssGrowthMb: number;
  readonly cpuMs: number;
  readonly serverAlive: boolean;
  readonly failures: readonly FuzzFailure[];
}

/** The mutated request of one iteration, reproducible from (seed, cell, iteration). */
export function iterationRequest(options: Pick<FuzzOptions, 'seed' | 'cellKey' | 'seeds'>, wire: CellWire, iteration: number): { bytes: Buffer; base: number; mutations: Mutation[] } {
  const random = new Random(options.seed, hash32(options.cellKey), iteration);
  const base = random.below(options.seeds.length);
  // Random hashes in a seed come from the iteration's generator, so the bytes repeat exactly.
  const parts = (options.seeds[base] as readonly Part[]).map((p): Part => ('hash' in p && p.hash === 'random' ? { hex: random.bytes(16).toString('hex') } : p));
  const payload = bytesOf(parts, wire.context);
  const preamble = Buffer.concat(wire.preamble());
  const framed = [...wire.message([payload], payload.length, { serial: 1 + random.below(1000) })];
  const head = wire.transport === 'http' ? (framed[0]?.length ?? 0) : 0;
  const request = Buffer.concat([preamble, ...framed]);
  const { bytes, mutations } = mutate(request, random, preamble.length + head);
  return { bytes, base, mutations };
}

async function oneIteration(target: FuzzTarget, options: FuzzOptions, iteration: number): Promise<{ reaction: 'answer' | 'close' | 'silent'; ms: number } | FuzzFailure> {
  const wire = target.wire();
  const { bytes, base, mutations } = iterationRequest(options, wire, iteration);
  const failure = (problem: string): FuzzFailure => ({ iteration, problem, base, mutations, hex: bytes.subarray(0, 512).toString('hex'), length: bytes.length });
  const connection = new RawConnection({ port: target.port, compression: wire.compression });
  try {
    await connection.write([bytes]);
    await connection.until(options.watchMs, (c) => c.firstAnswerAt !== undefined);
  } finally {
    connection.destroy();
  }
  const served = await wire.validCall(target.port);
  if (!served.ok) return failure(`a valid call right after failed: ${served.detail}`);
  const answeredMs = connection.since(connection.firstAnswerAt);
  if (answeredMs !== undefined) return { reaction: 'answer', ms: answeredMs };
  const closedMs = connection.since(connection.closedAt);
  return closedMs !== undefined ? { reaction: 'close', ms: closedMs } : { reaction: 'silent', ms: 0 };
}

export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const usage = sample(target.pid);
  const started = performance.now();
  const failures: FuzzFailure[] = [];
  const maxFailures = options.maxFailures ?? 5;
  let next = options.only ?? 0;
  const last = options.only !== undefined ? options.only + 1 : options.budget;
  let iterations = 0;
  let answered = 0;
  let closed = 0;
  let silent = 0;
  let maxReactionMs = 0;
  const worker = async (): Promise<void> => {
    while (next < last && failures.length < maxFailures) {
      const iteration = next++;
      const result = await oneIteration(target, options, iteration);
      iterations++;
      if ('problem' in result) failures.push(result);
      else {
        if (result.reaction === 'answer') answered++;
        else if (result.reaction === 'close') closed++;
        else silent++;
        maxReactionMs = Math.max(maxReactionMs, result.ms);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker));
  const seen = usage.stop();
  return {
    seed: options.seed, iterations, answered, closed, silent, maxReactionMs: Math.round(maxReactionMs), elapsedMs: Math.round(performance.now() - started),
    rssGrowthMb: Math.round(((seen.peakBytes - seen.beforeBytes) / MB) * 10) / 10, cpuMs: Math.round(seen.cpuMs), serverAlive: seen.alive,
    failures: failures.sort((a, b) => a.iteration - b.iteration),
  };
}

/** One paragraph per failure, with the command that reproduces it. */
export function describeFailures(report: FuzzReport, transport: string, protocol: string): string {
  return report.failures.map((f) => [
    `iteration ${f.iteration} (seed ${report.seed}, ${transport} ${protocol}): ${f.problem}`,
    `  base request ${f.base}; mutations: ${f.mutations.map((m) => `${m.op}@${m.at}${m.detail ? ` (${m.detail})` : ''}`).join(', ')}`,
    `  bytes (${f.length}, first 512, before compression): ${f.hex}`,
    `  reproduce: npm run fuzz -- --seed ${report.seed} --transport ${transport} --protocol ${protocol} --only ${f.iteration}`,
  ].join('\n')).join('\n');
}
