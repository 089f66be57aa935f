// What every conformance server answers (suites/avro/data/README.md, "Server semantics"),
// as handlers for our server.
import { raise, type Handlers, type Protocol } from '../../impls/avro/index.ts';

export function handlersFor(protocol: Protocol): Handlers {
  let lastNote: string | null = null;
  const handlers: Record<string, Handlers[string]> = {};
  for (const name of protocol.messages.keys()) {
    if (name.startsWith('echo')) handlers[name] = ({ value }) => value;
  }
  if (protocol.messages.has('send')) {
    handlers['send'] = ({ message }) => {
      const m = message as { to: string; from: string; body: string };
      return `Sent message to ${m.to} from ${m.from} with body ${m.body}`;
    };
  }
  if (protocol.messages.has('add')) handlers['add'] = ({ a, b }) => BigInt.asIntN(64, (a as bigint) + (b as bigint));
  if (protocol.messages.has('fail')) {
    handlers['fail'] = ({ kind, code, reason }) => {
      const ns = protocol.namespace ? `${protocol.namespace}.` : '';
      if (kind === 'conformance') throw raise(`${ns}ConformanceError`, { code, reason });
      throw raise(`${ns}OtherError`, { detail: reason });
    };
  }
  if (protocol.messages.has('failUndeclared')) {
    handlers['failUndeclared'] = ({ reason }) => {
      throw new Error(`undeclared failure: ${String(reason)}`);
    };
  }
  if (protocol.messages.has('notify')) handlers['notify'] = ({ note }) => { lastNote = note as string; return null; };
  if (protocol.messages.has('lastNote')) handlers['lastNote'] = () => (lastNote === null ? null : { string: lastNote });
  return handlers;
}
