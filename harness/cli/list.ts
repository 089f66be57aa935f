// `conformance list`: every selected cell (named with every axis, as in test names) and its cases.
import { cellTitle } from '../matrix/naming.ts';
import type { ListedCell } from './catalogue.ts';

export function formatList(cells: readonly ListedCell[]): string {
  const lines: string[] = [];
  for (const { cell, cases } of cells) {
    lines.push(`${cell.direction} | ${cellTitle(cell)}  (${cases.length} case${cases.length === 1 ? '' : 's'})`);
    for (const c of cases) lines.push(`    ${c.id}${c.kind ? `  [${c.kind}]` : ''}${c.knownFailure ? `  known failure: ${c.knownFailure}` : ''}`);
  }
  const total = cells.reduce((sum, c) => sum + c.cases.length, 0);
  lines.push(`${cells.length} cell(s), ${total} case(s)`);
  return `${lines.join('\n')}\n`;
}
