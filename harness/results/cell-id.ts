// A cell's id: stable across runs, safe as a file name (reports/tap/<id>.tap, reports/logs/<id>.log),
// as an HTML id and as a plan key, and still readable:
//   avro.ours-to-python-1-12-2.http.mail.tcp.http-server
import type { Cell } from '../matrix/axes.ts';

function safe(part: string): string {
  return part.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

function side(name: string, cell: Cell): string {
  return name === cell.peer && cell.version ? `${safe(name)}-${safe(cell.version)}` : safe(name);
}

export function cellId(cell: Cell): string {
  return [cell.family, `${side(cell.client, cell)}-to-${side(cell.server, cell)}`, cell.transport, cell.protocol, cell.socket, cell.serverKind]
    .map(safe).join('.');
}
