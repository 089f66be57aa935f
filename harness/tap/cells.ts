// A peer client runs a whole plan in one go and prints each cell's TAP between
// "# cell <key> begins" and "# cell <key> ends" (containers/README.md). This cuts its stdout into
// per-cell TAP texts; a cell whose "ends" line is missing (a run cut short) keeps what it printed.
const BEGINS = /^#\s*cell\s+(\S+)\s+begins\s*$/;
const ENDS = /^#\s*cell\s+(\S+)\s+ends\s*$/;

export function splitCells(stdout: string): Map<string, string> {
  const cells = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    const begins = BEGINS.exec(line.trim());
    if (begins?.[1]) {
      current = [];
      cells.set(begins[1], current);
      continue;
    }
    if (ENDS.test(line.trim())) {
      current = undefined;
      continue;
    }
    current?.push(line);
  }
  return new Map([...cells.entries()].map(([key, lines]) => [key, lines.join('\n')]));
}
