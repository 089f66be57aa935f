// Test names carry every axis, so a JUnit line alone says what ran:
//   avro | ours -> python@1.12.2 | http | mail | tcp | http.server
//   thrift | java@0.25.0 -> ours | framed | compact | tls | ours
// (family | client -> server, the peer with its release | transport | protocol | socket | server kind)
import type { Cell } from './axes.ts';

function withVersion(side: string, cell: Cell): string {
  return side === cell.peer && cell.version ? `${side}@${cell.version}` : side;
}

export function cellTitle(cell: Cell): string {
  return [cell.family, `${withVersion(cell.client, cell)} -> ${withVersion(cell.server, cell)}`, cell.transport, cell.protocol, cell.socket, cell.serverKind].join(' | ');
}
