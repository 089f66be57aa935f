// A cell's id: stable across runs, safe as a file name (reports/tap/<id>.tap, reports/logs/<id>.log),
// as an HTML id and as a plan key, and still readable:
//   avro.ours-to-python-1-12-2.http.mail.tcp.http-server
import type { NamedCell } from '../matrix/naming.ts';

function safe(part: string): string {
  return part.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

function side(name: string, cell: NamedCell): string {
  return name === cell.peer && cell.version ? `${safe(name)}-${safe(cell.version)}` : safe(name);
}

export function cellId(cell: NamedCell): string {
  return [cell.family, `${side(cell.client, cell)}-to-${side(cell.server, cell)}`, cell.transport, cell.protocol, cell.socket, cell.serverKind]
    .filter((part): part is string => part !== undefined && part !== '').map(safe).join('.');
}
