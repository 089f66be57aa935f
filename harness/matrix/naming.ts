// Test names carry every axis, so a JUnit line alone says what ran:
//   avro | ours -> python@1.12.2 | http | mail | tcp | http.server
//   thrift | java@0.25.0 -> ours | framed | compact | tls | ours
// (family | client -> server, a peer with its release | transport | protocol | socket | server kind)
import type { Cell } from './axes.ts';

/** A cell as results.json may hold it: older results have no version or socket. */
export type NamedCell = Omit<Cell, 'version' | 'socket'> & { readonly version?: string; readonly socket?: string };

/** Peer id -> release, from the peer and version axes ("python+java" / "1.12.2+1.12.2" for two peers). */
function releases(cell: NamedCell): Map<string, string> {
  const peers = cell.peer.split('+');
  const versions = (cell.version ?? '').split('+');
  return new Map(peers.map((p, i): [string, string] => [p, versions[i] ?? versions[0] ?? '']).filter(([, v]) => v !== ''));
}

function withVersion(side: string, known: Map<string, string>): string {
  const version = known.get(side);
  return version ? `${side}@${version}` : side;
}

export function cellTitle(cell: NamedCell): string {
  const known = releases(cell);
  return [cell.family, `${withVersion(cell.client, known)} -> ${withVersion(cell.server, known)}`, cell.transport, cell.protocol, cell.socket, cell.serverKind]
    .filter((part) => part !== undefined && part !== '').join(' | ');
}
