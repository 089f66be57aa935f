// Holds what a case observed against the bounds it states, and turns the observation into the
// figures results.json carries (meta.measured), whether the case passed or not. A case that
// breaks a bound fails with a CaseMismatch listing every bound it broke (expected: the bounds,
// actual: the figures) and the first bytes each way.
import { CaseMismatch } from '../../harness/results/case-mismatch.ts';
import type { WireDump } from '../../harness/results/model.ts';
import { byTransport, type ClientExpect, type ServerExpect } from './catalogue.ts';
import type { ClientObservation } from './attacks/client.ts';
import type { Observation } from './attacks/server.ts';
import { MB } from './measure/proc.ts';

export type Figures = Record<string, number | string | boolean>;

const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * Wall-clock bounds are held to the elapsed time less the time both ends waited for a CPU
 * (measure/proc.ts, cpuWait): a loaded machine must not fail a case, a hang or a slow timer must.
 */
function overBound(elapsedMs: number, cpuWaitMs: number, boundMs: number): boolean {
  return elapsedMs - cpuWaitMs > boundMs;
}

function elapsed(elapsedMs: number, cpuWaitMs: number): string {
  return `${Math.round(elapsedMs)} ms (${Math.round(cpuWaitMs)} ms of it waiting for a CPU)`;
}

/** A latin1 view of an answer, control bytes as dots: what error texts are matched against. */
export function answerText(answer: Buffer): string {
  let text = '';
  for (const byte of answer) text += byte === 0x09 || byte === 0x0a || (byte >= 0x20 && byte < 0x7f) ? String.fromCharCode(byte) : '.';
  return text;
}

export function serverFigures(observation: Observation): Figures {
  const figures: Figures = {
    reaction: observation.reaction,
    rssGrowthMb: round((observation.usage.peakBytes - observation.usage.beforeBytes) / MB),
    rssBeforeMb: round(observation.usage.beforeBytes / MB),
    cpuMs: Math.round(observation.usage.cpuMs),
    cpuWaitMs: Math.round(observation.cpuWaitMs),
    serverAlive: observation.usage.alive,
  };
  if (observation.reactionMs !== undefined) figures['reactionMs'] = Math.round(observation.reactionMs);
  if (observation.closedMs !== undefined) figures['closedMs'] = Math.round(observation.closedMs);
  if (observation.endedMs !== undefined) figures['endedMs'] = Math.round(observation.endedMs);
  if (observation.acceptedMb !== undefined) figures['acceptedMb'] = round(observation.acceptedMb);
  if (observation.stalledWriting) figures['stalledWriting'] = true;
  if (observation.refused !== undefined) figures['refused'] = observation.refused;
  if (observation.closedLater !== undefined) figures['closedLater'] = observation.closedLater;
  if (observation.stillOpen !== undefined) figures['stillOpen'] = observation.stillOpen;
  if (observation.answered !== undefined) figures['answered'] = observation.answered;
  if (observation.requests !== undefined) figures['requests'] = observation.requests;
  if (observation.victim) {
    figures['victimServed'] = observation.victim.ok;
    figures['victimDetail'] = observation.victim.detail.slice(0, 300);
  }
  if (observation.served) {
    figures['servedAfter'] = observation.served.ok;
    figures['servedAfterMs'] = Math.round(observation.served.ms);
    if (!observation.served.ok) figures['servedAfterDetail'] = observation.served.detail.slice(0, 300);
    if (observation.served.firstAttempt !== undefined) figures['servedAfterFirstAttempt'] = observation.served.firstAttempt.slice(0, 400);
  }
  if (observation.answer.length > 0) figures['answer'] = answerText(observation.answer.subarray(0, 300));
  return figures;
}

export interface ServerBounds extends ServerExpect {
  /** Our server: its answer text and CPU are held to the case's bounds too. */
  readonly ours: boolean;
  readonly transport: string;
  /** A reference server's answer, when the case says what any server must answer (an HTTP status). */
  readonly referenceAnswerMatches?: Readonly<Record<string, string>>;
}

/** Every bound the observation breaks, one line each. */
export function serverProblems(observation: Observation, bounds: ServerBounds): string[] {
  const problems: string[] = [];
  const { reaction, reactionMs } = observation;
  const reacted = reaction !== 'none';
  if (bounds.reaction === 'close' && observation.closedMs === undefined && observation.stillOpen === undefined) {
    problems.push(`the server did not close the connection within ${bounds.withinMs} ms (reaction: ${reaction})`);
  } else if (bounds.reaction === 'answer' && reaction !== 'answer') {
    problems.push(`the server did not answer within ${bounds.withinMs} ms (reaction: ${reaction})`);
  } else if (bounds.reaction !== 'none' && !reacted) {
    problems.push(observation.stillOpen !== undefined
      ? `${observation.stillOpen} connection(s) still open after ${bounds.withinMs} ms`
      : `no answer and no close within ${bounds.withinMs} ms`);
  }
  const timed = bounds.reaction === 'close' ? (observation.closedMs ?? reactionMs) : reactionMs;
  if (bounds.reaction !== 'none' && timed !== undefined) {
    if (overBound(timed, observation.cpuWaitMs, bounds.withinMs)) {
      problems.push(`reacted after ${elapsed(timed, observation.cpuWaitMs)}, more than the bound of ${bounds.withinMs} ms`);
    }
    if (bounds.notBeforeMs !== undefined && timed < bounds.notBeforeMs) problems.push(`reacted after ${Math.round(timed)} ms, sooner than the timeout it tests (${bounds.notBeforeMs} ms)`);
  }
  // A server that answers while the request is still being written may have its answer cut by
  // the reset that follows; so the text is held to the pattern whenever an answer arrived.
  const pattern = byTransport(bounds.ours ? bounds.answerMatches : bounds.referenceAnswerMatches, bounds.transport);
  if (pattern !== undefined && observation.answer.length > 0 && !new RegExp(pattern).test(answerText(observation.answer))) {
    problems.push(`the answer does not match /${pattern}/: "${answerText(observation.answer.subarray(0, 200))}"`);
  }
  if (bounds.acceptedMbBelow !== undefined && (observation.acceptedMb ?? 0) >= bounds.acceptedMbBelow) {
    problems.push(`the server took ${round(observation.acceptedMb ?? 0)} MB, not less than ${bounds.acceptedMbBelow} MB`);
  }
  if (bounds.ours && bounds.refusedAtLeast !== undefined && (observation.refused ?? 0) < bounds.refusedAtLeast) {
    problems.push(`${observation.refused ?? 0} connection(s) refused at once, fewer than ${bounds.refusedAtLeast}`);
  }
  const growth = (observation.usage.peakBytes - observation.usage.beforeBytes) / MB;
  if (growth > bounds.rssGrowthMb) problems.push(`RSS grew by ${round(growth)} MB, more than ${bounds.rssGrowthMb} MB`);
  if (bounds.ours && bounds.cpuMs !== undefined && observation.usage.cpuMs > bounds.cpuMs) {
    problems.push(`the server spent ${Math.round(observation.usage.cpuMs)} ms of CPU, more than ${bounds.cpuMs} ms`);
  }
  if (!observation.usage.alive) problems.push('the server process is gone');
  if (observation.victim && !observation.victim.ok) problems.push(`the victim client was not served: ${observation.victim.detail}`);
  if (observation.answered !== undefined && observation.requests !== undefined && observation.answered < observation.requests) {
    problems.push(`${observation.answered} of ${observation.requests} requests answered within ${bounds.withinMs} ms`);
  }
  if (bounds.servedAfter && observation.served && !observation.served.ok) problems.push(`a valid call right after failed: ${observation.served.detail}`);
  if (bounds.servedWithinMs !== undefined && observation.served?.ok && overBound(observation.served.ms, observation.served.cpuWaitMs ?? 0, bounds.servedWithinMs)) {
    problems.push(`a valid call right after took ${elapsed(observation.served.ms, observation.served.cpuWaitMs ?? 0)}, more than ${bounds.servedWithinMs} ms`);
  }
  return problems;
}

export function describeServerBounds(bounds: ServerBounds): string {
  const parts = [
    `${bounds.reaction} within ${bounds.withinMs} ms of time with a CPU${bounds.notBeforeMs !== undefined ? ` (not before ${bounds.notBeforeMs} ms)` : ''}`,
    `RSS growth <= ${bounds.rssGrowthMb} MB`,
  ];
  const pattern = byTransport(bounds.ours ? bounds.answerMatches : bounds.referenceAnswerMatches, bounds.transport);
  if (pattern !== undefined) parts.push(`an answer matches /${pattern}/`);
  if (bounds.acceptedMbBelow !== undefined) parts.push(`takes < ${bounds.acceptedMbBelow} MB`);
  if (bounds.ours && bounds.refusedAtLeast !== undefined) parts.push(`>= ${bounds.refusedAtLeast} refused at once`);
  if (bounds.ours && bounds.cpuMs !== undefined) parts.push(`CPU <= ${bounds.cpuMs} ms`);
  if (bounds.servedAfter) parts.push(`a valid call right after succeeds${bounds.servedWithinMs !== undefined ? ` within ${bounds.servedWithinMs} ms` : ''}`);
  return parts.join('; ');
}

export function describeFigures(figures: Figures): string {
  return Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`).join(', ');
}

export function serverWire(observation: Observation, peer: string): WireDump[] {
  const dumps: WireDump[] = [];
  if (observation.sent.length > 0) dumps.push({ label: `sent to ${peer} (first ${observation.sent.length} bytes)`, hex: observation.sent.toString('hex') });
  if (observation.answer.length > 0) dumps.push({ label: `received from ${peer} (first ${observation.answer.length} bytes)`, hex: observation.answer.subarray(0, 4096).toString('hex') });
  return dumps;
}

/** Throws a CaseMismatch naming every broken bound; returns quietly when there is none. */
export function assertWithin(caseId: string, problems: readonly string[], bounds: string, figures: Figures, wire: readonly WireDump[]): void {
  if (problems.length === 0) return;
  throw new CaseMismatch({
    what: `${caseId}: ${problems.length} bound(s) broken: ${problems.join('; ')}`,
    expected: bounds,
    actual: describeFigures(figures),
    wire,
  });
}

export function clientFigures(observation: ClientObservation): Figures {
  const figures: Figures = {
    callOk: observation.outcome.ok,
    callMs: Math.round(observation.outcome.ms),
    rssGrowthMb: round((observation.usage.peakBytes - observation.usage.beforeBytes) / MB),
    rssBeforeMb: round(observation.usage.beforeBytes / MB),
    cpuMs: Math.round(observation.usage.cpuMs),
    callCpuWaitMs: Math.round(observation.callCpuWaitMs),
    clientAlive: observation.usage.alive,
  };
  if (observation.outcome.error) figures['error'] = `${observation.outcome.error.name}: ${observation.outcome.error.message}`.slice(0, 300);
  if (observation.outcome.value !== undefined) figures['value'] = JSON.stringify(observation.outcome.value).slice(0, 300);
  if (observation.releasedMs !== undefined) figures['releasedMs'] = Math.round(observation.releasedMs);
  if (observation.releaseCpuWaitMs !== undefined) figures['releaseCpuWaitMs'] = Math.round(observation.releaseCpuWaitMs);
  if (observation.stillOpen !== undefined) figures['socketsStillOpen'] = observation.stillOpen;
  if (observation.served) {
    figures['servedAfter'] = observation.served.ok;
    if (!observation.served.ok) figures['servedAfterDetail'] = observation.served.detail.slice(0, 300);
  }
  return figures;
}

export function clientProblems(observation: ClientObservation, expect: ClientExpect, transport: string): string[] {
  const problems: string[] = [];
  const { outcome } = observation;
  const errorPattern = byTransport(expect.error, transport);
  if (errorPattern !== undefined) {
    if (outcome.ok) problems.push(`the call succeeded (${JSON.stringify(outcome.value)}) where it must fail`);
    else if (!new RegExp(errorPattern).test(`${outcome.error?.name}: ${outcome.error?.message}`)) {
      problems.push(`the error does not match /${errorPattern}/: ${outcome.error?.name}: ${outcome.error?.message}`);
    }
  }
  if (expect.value !== undefined && (!outcome.ok || JSON.stringify(outcome.value) !== JSON.stringify(expect.value))) {
    problems.push(`the call must answer ${JSON.stringify(expect.value)}, got ${outcome.ok ? JSON.stringify(outcome.value) : `${outcome.error?.name}: ${outcome.error?.message}`}`);
  }
  if (overBound(outcome.ms, observation.callCpuWaitMs, expect.withinMs)) {
    problems.push(`the call took ${elapsed(outcome.ms, observation.callCpuWaitMs)}, more than the bound of ${expect.withinMs} ms`);
  }
  const releaseWait = observation.releaseCpuWaitMs ?? 0;
  if (expect.releasedWithinMs !== undefined && (observation.releasedMs === undefined || overBound(observation.releasedMs, releaseWait, expect.releasedWithinMs))) {
    problems.push(observation.releasedMs === undefined
      ? `our client still held ${observation.stillOpen ?? '?'} connection(s) to the fake server ${expect.releasedWithinMs} ms after the call ended`
      : `our client let go of its connection ${elapsed(observation.releasedMs, releaseWait)} after the call ended, more than ${expect.releasedWithinMs} ms`);
  }
  const growth = (observation.usage.peakBytes - observation.usage.beforeBytes) / MB;
  if (growth > expect.rssGrowthMb) problems.push(`RSS grew by ${round(growth)} MB, more than ${expect.rssGrowthMb} MB`);
  if (!observation.usage.alive) problems.push('our client process is gone');
  if (expect.servedAfter && observation.served && !observation.served.ok) problems.push(`a valid call right after failed: ${observation.served.detail}`);
  return problems;
}

export function describeClientBounds(expect: ClientExpect, transport: string): string {
  const parts: string[] = [];
  const error = byTransport(expect.error, transport);
  if (error !== undefined) parts.push(`fails with /${error}/`);
  if (expect.value !== undefined) parts.push(`answers ${JSON.stringify(expect.value)}`);
  parts.push(`within ${expect.withinMs} ms of time with a CPU`);
  if (expect.releasedWithinMs !== undefined) parts.push(`connection let go within ${expect.releasedWithinMs} ms`);
  parts.push(`RSS growth <= ${expect.rssGrowthMb} MB`);
  if (expect.servedAfter) parts.push('a valid call right after succeeds');
  return parts.join('; ');
}
