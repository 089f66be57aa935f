// A reference client marks a case it cannot run with "ok N - <id> # SKIP <why>". That is a skip
// with a reason, not a pass; this reads the reason (harness/tap/parse.ts keeps only the directive).
export function tapSkipReason(tap: string, caseId: string): string | undefined {
  for (const line of tap.split('\n')) {
    const match = /^(?:not )?ok\s+\d+\s*(?:-\s*)?(.*?)\s+#\s*SKIP\b\s*(.*)$/i.exec(line.trim());
    if (match && match[1]?.trim() === caseId) return `peer client: ${match[2]?.trim() || 'skipped (no reason given)'}`;
  }
  return undefined;
}
