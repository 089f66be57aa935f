// Avro in the hostile family: the names the byte notation uses (our protocol's hash and text, a
// victim protocol nobody has used yet) and the valid call a well-behaved client makes right after
// an attack, with our own client from the test process.
import { randomBytes } from 'node:crypto';
import { connectClient, parseProtocol, type Protocol } from '../../../impls/avro/index.ts';
import { protocolText } from '../../../impls/avro/testing/fixtures.ts';
import type { BytesContext } from '../bytes.ts';
import type { AvroTransport } from './wire.ts';

let conformance: Protocol | undefined;

export function conformanceProtocol(): Protocol {
  conformance ??= parseProtocol(protocolText('conformance'));
  return conformance;
}

/** The conformance protocol with one more message: a hash no server has seen before. */
export function victimProtocol(): Protocol {
  const json = JSON.parse(protocolText('conformance')) as { messages: Record<string, unknown> };
  json.messages[`onlyVictim${randomBytes(6).toString('hex')}`] = { request: [], response: 'null' };
  return parseProtocol(json);
}

/** The notation's names for one case: ours is conformance.avpr, victim is fresh per case. */
export function avroBytesContext(victim: Protocol = victimProtocol()): BytesContext {
  const ours = conformanceProtocol();
  return { hashes: { ours: ours.hash, victim: victim.hash }, texts: { ours: ours.text, victim: victim.text } };
}

/** Our URL scheme for each transport axis value (SASL is avro://). */
export function urlOf(transport: AvroTransport, port: number): string {
  return `${transport === 'sasl' ? 'avro' : transport}://127.0.0.1:${port}/`;
}

export interface Served {
  readonly ok: boolean;
  readonly ms: number;
  /** What came back, or the error. */
  readonly detail: string;
  /** Of ms, the time both ends waited for a CPU (measure/proc.ts cpuWait), where it was measured. */
  readonly cpuWaitMs?: number;
  /** A first attempt that our server closed at one of its time limits, and its reason (attacks/server.ts). */
  readonly firstAttempt?: string;
}

/** One call of echoInt(41) from a new client; ok when 41 comes back within timeoutMs. */
export async function avroValidCall(transport: AvroTransport, port: number, protocol: Protocol = conformanceProtocol(), timeoutMs = 3_000): Promise<Served> {
  const started = performance.now();
  try {
    const client = await connectClient(urlOf(transport, port), protocol, { timeoutMs });
    try {
      const value = await client.call('echoInt', { value: 41 });
      return { ok: value === 41, ms: performance.now() - started, detail: `echoInt(41) answered ${JSON.stringify(value)}` };
    } finally {
      await client.close();
    }
  } catch (error) {
    return { ok: false, ms: performance.now() - started, detail: `echoInt(41) failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` };
  }
}
