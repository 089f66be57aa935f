// Reads the TAP that reference clients print: one "ok N - <case id>" or "not ok N - <case id>"
// per case, optionally followed by an indented YAML diagnostic block ("  ---" ... "  ...").
export interface TapResult {
  readonly ok: boolean;
  readonly id: string;
  readonly directive?: string;
  /** The raw YAML diagnostic, as the peer wrote it (expected, actual, message). */
  readonly diagnostic: string;
}

const RESULT_LINE = /^(not )?ok\s+\d+\s*(?:-\s*)?(.*?)(?:\s+#\s*(SKIP|TODO)\b.*)?$/i;

export function parseTap(text: string): Map<string, TapResult> {
  const results = new Map<string, TapResult>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = RESULT_LINE.exec(lines[i] ?? '');
    if (!match) continue;
    const diagnostic: string[] = [];
    if (lines[i + 1]?.trim() === '---') {
      i += 2;
      while (i < lines.length && lines[i]?.trim() !== '...') diagnostic.push(lines[i++] ?? '');
    }
    const id = (match[2] ?? '').trim();
    results.set(id, { ok: !match[1], id, directive: match[3]?.toUpperCase(), diagnostic: diagnostic.join('\n') });
  }
  return results;
}
