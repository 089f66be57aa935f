// Reads the TAP that reference clients print: one "ok N - <case id>" or "not ok N - <case id>"
// per case, optionally followed by an indented YAML diagnostic block ("  ---" ... "  ..."), and
// before each case a comment "# case <id> begins <epoch ms, to the µs>" (the peer's clock;
// containers share the host's), which lets our server's recorded bytes be cut into cases.
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

const CASE_BEGINS = /^#\s*case\s+(\S+)\s+begins\s+(\d+(?:\.\d+)?)\s*$/;

/** When each case began, per the peer's "# case <id> begins <ms>" comments: [from, to) per case id. */
export function caseWindows(text: string): Map<string, { from: number; to: number }> {
  const starts: { id: string; at: number }[] = [];
  for (const line of text.split('\n')) {
    const match = CASE_BEGINS.exec(line.trim());
    if (match?.[1] && match[2]) starts.push({ id: match[1], at: Number(match[2]) });
  }
  const windows = new Map<string, { from: number; to: number }>();
  starts.forEach((start, index) => {
    windows.set(start.id, { from: start.at, to: starts[index + 1]?.at ?? Number.POSITIVE_INFINITY });
  });
  return windows;
}
