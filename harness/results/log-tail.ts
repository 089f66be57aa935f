// How much of a peer's log a failing case carries in its message (and so in results.json, JUnit
// and matrix.html).

/**
 * Bytes of a peer's log a failing case carries (its last 40 lines, at most this much). Every
 * failure, expected ones included, carries its tail into results.json, JUnit and matrix.html;
 * a peer server's whole log is in reports/logs/ (ts-client).
 */
export const LOG_TAIL_BYTES = 4096;

/** The end of a text, at most max UTF-16 units, saying how much was cut. */
export function lastBytes(text: string, max: number): string {
  if (text.length <= max) return text;
  const kept = text.slice(text.length - max);
  const start = kept.indexOf('\n') + 1; // whole lines only, when there is a line break to cut at
  const shown = start > 0 ? kept.slice(start) : kept;
  return `[truncated: ${text.length - shown.length} earlier characters not shown]\n${shown}`;
}
