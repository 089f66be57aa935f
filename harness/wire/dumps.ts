// Turns recorded bytes into the results model's wire dumps: one labelled hex string per direction
// (and per connection on the server side), each cut to the first DUMP_BYTES so that a failure
// report stays readable; the label always gives the full count.
import type { ConnectionBytes, WireTrace } from '../../impls/wire/recorder.ts';
import type { WireDump } from '../results/model.ts';

/** How much of each direction a report shows: "the first few KB". */
export const DUMP_BYTES = 4096;

function dump(label: string, bytes: Buffer, total = bytes.length): WireDump {
  const shown = bytes.subarray(0, DUMP_BYTES);
  const note = total > shown.length ? `, first ${shown.length} shown` : '';
  return { label: `${label} (${total} bytes${note})`, hex: shown.toString('hex') };
}

/** A ts-client case: what our client sent to the peer server and received from it. */
export function clientDumps(trace: WireTrace, server: string): WireDump[] {
  return [
    dump(`our client sent to ${server}`, trace.sentBytes, trace.totals.sent),
    dump(`our client received from ${server}`, trace.receivedBytes, trace.totals.received),
  ];
}

/** A ts-client case run through the fault proxy: the bytes as the peer really got them. */
export function faultDumps(trace: WireTrace, faults: readonly string[], server: string): WireDump[] {
  const what = faults.length > 0 ? faults.join('; ') : 'no bytes passed, nothing was inverted';
  return [dump(`injected fault (${what}): ${server} received`, trace.sentBytes, trace.totals.sent)];
}

/**
 * Connections a ts-server case's dump shows. A case with many clients (many-clients-20x5: 100
 * connections) dumped every one: 800 KB of hex in one failure, carried to the main process,
 * journalled and written into results.json, JUnit and matrix.html for a reader who looks at the
 * first few. The rest are counted in one last entry.
 */
export const DUMP_CONNECTIONS = 4;

/** A ts-server case: per connection, what our server received from the peer client and sent back. */
export function serverDumps(connections: readonly ConnectionBytes[], client: string): WireDump[] {
  const shown = connections.slice(0, DUMP_CONNECTIONS).flatMap((c) => [
    dump(`connection ${c.connection} from ${client} (${c.peer}): our server received`, c.received, c.receivedTotal),
    dump(`connection ${c.connection}: our server sent`, c.sent, c.sentTotal),
  ]);
  const rest = connections.slice(DUMP_CONNECTIONS);
  if (rest.length === 0) return shown;
  const received = rest.reduce((sum, c) => sum + c.receivedTotal, 0);
  const sent = rest.reduce((sum, c) => sum + c.sentTotal, 0);
  return [...shown, {
    label: `truncated: ${rest.length} more connection(s) from ${client} not shown (our server received ${received} bytes and sent ${sent} bytes on them)`,
    hex: '',
  }];
}
