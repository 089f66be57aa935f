// A cell's id: stable across runs, safe as a file name (reports/tap/<id>.tap, reports/logs/<id>.log)
// and as an HTML id, and still readable: avro.ours-to-python.http.mail.http-server
import type { Cell } from '../matrix/axes.ts';

function safe(part: string): string {
  return part.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

export function cellId(cell: Cell): string {
  return [cell.family, `${safe(cell.client)}-to-${safe(cell.server)}`, cell.transport, cell.protocol, cell.serverKind]
    .map(safe).join('.');
}
