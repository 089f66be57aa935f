// Test names carry every axis, so a JUnit line alone says what ran:
//   avro | ours -> python | http | binary | http.server
//   thrift | python -> ours | framed | compact | ours
import type { Cell } from './axes.ts';

export function cellTitle(cell: Cell): string {
  return [cell.family, `${cell.client} -> ${cell.server}`, cell.transport, cell.protocol, cell.serverKind].join(' | ');
}
