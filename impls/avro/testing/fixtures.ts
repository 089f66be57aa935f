// Shared by the unit tests of impls/avro: the conformance protocols and echo handlers for them.
import { readFileSync } from 'node:fs';
import { parseProtocol, raise, type Handlers, type Protocol } from '../index.ts';

const PROTOCOLS = new URL('../../../suites/avro/data/protocols/', import.meta.url);

export function protocolText(name: string): string {
  return readFileSync(new URL(`${name}.avpr`, PROTOCOLS), 'utf8');
}

export function loadProtocol(name: string): Protocol {
  return parseProtocol(protocolText(name));
}

/** Every message echoes its "value"; add, fail, failUndeclared, notify and lastNote do what they say. */
export function echoHandlers(protocol: Protocol): Handlers {
  let note: string | null = null;
  const all: Record<string, (p: Record<string, unknown>) => unknown> = {};
  for (const name of protocol.messages.keys()) all[name] = ({ value }) => value;
  if (protocol.messages.has('add')) all['add'] = ({ a, b }) => (a as bigint) + (b as bigint);
  if (protocol.messages.has('fail')) all['fail'] = ({ code, reason }) => { throw raise(`${protocol.namespace}.ConformanceError`, { code, reason }); };
  if (protocol.messages.has('failUndeclared')) all['failUndeclared'] = ({ reason }) => { throw new Error(`boom ${String(reason)}`); };
  if (protocol.messages.has('notify')) all['notify'] = ({ note: n }) => { note = n as string; return null; };
  if (protocol.messages.has('lastNote')) all['lastNote'] = () => (note === null ? null : { string: note });
  return all;
}
