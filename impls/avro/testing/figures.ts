// The hardening tests print one FIGURE line per measurement (bound, time to close, memory growth,
// whether another client was served right after), for the hardening report. `npx vitest run
// --project unit impls/avro/hardening --silent=false | grep FIGURE` collects them.
import { connectClient } from '../index.ts';
import { loadProtocol } from './fixtures.ts';

export interface Figure {
  readonly defect: string;
  readonly side: 'server' | 'client';
  readonly transport: string;
  readonly bound: string;
  readonly closeMs?: number | undefined;
  readonly rssGrowthMb?: number | undefined;
  readonly otherClientServed?: boolean | undefined;
  readonly note?: string;
}

export function figure(row: Figure): void {
  const round = (n: number | undefined): number | undefined => (n === undefined ? undefined : Math.round(n * 10) / 10);
  console.log(`FIGURE ${JSON.stringify({ ...row, closeMs: round(row.closeMs), rssGrowthMb: round(row.rssGrowthMb) })}`);
}

export const MB = 1024 * 1024;

/** A well-behaved client's call, right after an attack: true when it was answered correctly. */
export async function otherClientServed(url: string): Promise<boolean> {
  const protocol = loadProtocol('conformance');
  try {
    const client = await connectClient(url, protocol, { timeoutMs: 1_500 });
    try {
      return (await client.call('echoInt', { value: 41 })) === 41;
    } finally {
      await client.close();
    }
  } catch {
    return false;
  }
}
