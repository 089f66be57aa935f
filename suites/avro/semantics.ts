// What every conformance server answers (data/README.md, "Server semantics"), as handlers in the
// contract's canonical values (harness/contract/avro.ts): the same for every implementation.
import type { AvroHandler, AvroValue } from '../../harness/contract/avro.ts';

/** A declared error, the way the contract says handlers raise one. */
export function declaredError(type: string, value: AvroValue): Error {
  return Object.assign(new Error(`declared error ${type}`), { avro: { kind: 'declared', type, value } as const });
}

export function handlersFor(messages: readonly string[], namespace: string | undefined): Record<string, AvroHandler> {
  let lastNote: string | null = null;
  const handlers: Record<string, AvroHandler> = {};
  const ns = namespace ? `${namespace}.` : '';
  for (const name of messages) {
    if (name.startsWith('echo')) handlers[name] = ({ value }) => value;
  }
  const on = (name: string, handler: AvroHandler): void => {
    if (messages.includes(name)) handlers[name] = handler;
  };
  on('send', ({ message }) => {
    const m = message as { to: string; from: string; body: string };
    return `Sent message to ${m.to} from ${m.from} with body ${m.body}`;
  });
  on('add', ({ a, b }) => BigInt.asIntN(64, (a as bigint) + (b as bigint)));
  on('fail', ({ kind, code, reason }) => {
    if (kind === 'conformance') throw declaredError(`${ns}ConformanceError`, { code, reason });
    throw declaredError(`${ns}OtherError`, { detail: reason });
  });
  on('failUndeclared', ({ reason }) => {
    throw new Error(`undeclared failure: ${String(reason)}`);
  });
  on('notify', ({ note }) => {
    lastNote = note as string;
    return null;
  });
  on('lastNote', () => (lastNote === null ? null : { string: lastNote }));
  on('slowEcho', async ({ value, delayMillis }) => {
    const delay = Number(delayMillis);
    if (!(delay >= 0 && delay <= 5000)) throw new Error(`slowEcho: delayMillis ${String(delayMillis)} is outside 0..5000`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    return value;
  });
  return handlers;
}
