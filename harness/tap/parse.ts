// Reads the TAP that reference clients print (containers/README.md): one "ok N - <case id>" or
// "not ok N - <case id>" per case, optionally followed by an indented YAML diagnostic block
// ("  ---" ... "  ..."), and before each case a comment "# case <id> begins <epoch ms> monotonic
// <ms>" (both to the µs; containers share the host's clocks), which lets what our server saw be
// cut into cases. A client running a plan prints several cells, each as "# cell <key> begins" ...
// "# cell <key> ends" around its own TAP: splitCells cuts such output into per-cell TAP texts.
//
// Why the monotonic instant: our servers stamp what they see on CLOCK_MONOTONIC
// (impls/wire/monotonic-clock.ts), the clock the peers' System.nanoTime() and time.monotonic_ns()
// read, which nothing steps. Cut by the real-time clock, a step of a few milliseconds moved a
// case's first connection into the case before it (nine reconnect cases in a CI run, 2026-12-04);
// a step back makes the peer's own real-time windows overlap, which no stamp can undo.
//
// The TAP grammar (test points, directives, YAML blocks, comments) is tap-parser's. The YAML is
// also kept as the peer wrote it: tap-parser's parsed `diag` turns a 64-bit integer into a double
// (9223372036854775806 becomes 9223372036854776000), and the reports must show the peer's digits.
import { Parser, type Result } from 'tap-parser';

export interface TapResult {
  readonly ok: boolean;
  readonly id: string;
  /** "SKIP" or "TODO" when the test point carries that directive. */
  readonly directive?: string;
  /** The directive's reason ("ok 3 - ping # SKIP no ping" -> "no ping"), when one is given. */
  readonly reason?: string;
  /** The raw YAML diagnostic, as the peer wrote it (expected, actual, message); '' when there is none. */
  readonly diagnostic: string;
}

const TEST_POINT = /^(not )?ok\b/;

interface TapReading {
  readonly results: readonly TapResult[];
  readonly comments: readonly string[];
}

function directiveOf(result: Result): { directive?: string; reason?: string } {
  for (const [name, value] of [['SKIP', result.skip], ['TODO', result.todo]] as const) {
    if (value === false || value === undefined || value === null) continue;
    return typeof value === 'string' && value.trim() !== '' ? { directive: name, reason: value.trim() } : { directive: name };
  }
  return {};
}

/**
 * One pass of tap-parser over the text. tap-parser emits a test point's 'assert' only once it has
 * seen the line after the point (or its YAML block), and a 'line' event after each line it has
 * processed; so the raw YAML lines gathered since the last test-point line belong to the assert
 * being emitted. A block cut short (no "...") is kept as far as it goes.
 */
function readTap(text: string): TapReading {
  const results: TapResult[] = [];
  const comments: string[] = [];
  const parser = new Parser();
  let yaml: string[] = [];
  let state: 'none' | 'after-point' | 'in-yaml' | 'after-yaml' = 'none';
  parser.on('line', (raw: string) => {
    const line = raw.replace(/\r?\n$/, '');
    if (TEST_POINT.test(line)) {
      yaml = [];
      state = 'after-point';
    } else if (state === 'after-point' && line.trim() === '---') {
      state = 'in-yaml';
    } else if (state === 'in-yaml') {
      if (line.trim() === '...') state = 'after-yaml';
      else yaml.push(line);
    } else if (state === 'after-point') {
      state = 'after-yaml'; // something other than a YAML block followed the point
    }
  });
  parser.on('assert', (result: Result) => {
    results.push({ ok: result.ok, id: result.name.trim(), ...directiveOf(result), diagnostic: yaml.join('\n') });
    yaml = [];
  });
  parser.on('comment', (comment: string) => comments.push(comment.replace(/\r?\n$/, '')));
  parser.end(text.endsWith('\n') ? text : `${text}\n`);
  return { results, comments };
}

function resultsById(reading: TapReading): Map<string, TapResult> {
  return new Map(reading.results.map((result) => [result.id, result]));
}

/** Every test point by case id (a repeated id: the last one). Output that is not TAP gives an empty map. */
export function parseTap(text: string): Map<string, TapResult> {
  return resultsById(readTap(text));
}

/** "<epoch ms> monotonic <ms>": the instants a peer gives (a line without the monotonic one gives none). */
const INSTANTS = String.raw`(\d+(?:\.\d+)?)\s+monotonic\s+(\d+(?:\.\d+)?)`;
const CASE_BEGINS = new RegExp(String.raw`^#\s*case\s+(\S+)\s+begins\s+${INSTANTS}\s*$`);

/** When each case began, per the peer's "# case <id> begins ..." comments: [from, to) per case id. */
export function caseWindows(text: string): Map<string, CaseWindow> {
  return windowsOf(readTap(text));
}

/** A case's span, from its start to the next case's (the last one's is open at its end). */
export interface CaseWindow {
  /** On the monotonic clock, in ms: what our servers' stamps are compared with. */
  readonly from: number;
  readonly to: number;
  /** The same span on the real-time clock (epoch ms), for what is stamped so (stalls, in loop-stalls.ts). */
  readonly wallFrom: number;
  readonly wallTo: number;
}

function windowsOf(reading: TapReading): Map<string, CaseWindow> {
  const starts: { id: string; wall: number; at: number }[] = [];
  for (const comment of reading.comments) {
    const match = CASE_BEGINS.exec(comment.trim());
    if (match?.[1] && match[2] && match[3]) starts.push({ id: match[1], wall: Number(match[2]), at: Number(match[3]) });
  }
  const windows = new Map<string, CaseWindow>();
  starts.forEach((start, index) => {
    const next = starts[index + 1];
    windows.set(start.id, { from: start.at, to: next?.at ?? Number.POSITIVE_INFINITY, wallFrom: start.wall, wallTo: next?.wall ?? Number.POSITIVE_INFINITY });
  });
  return windows;
}

/** A cell's TAP read once: its test points by case id (parseTap) and its case windows (caseWindows). */
export interface ReadTap {
  readonly results: ReadonlyMap<string, TapResult>;
  readonly windows: ReadonlyMap<string, CaseWindow>;
}

/**
 * parseTap and caseWindows in one pass of tap-parser. A ts-server test reads its own line from its
 * cell's TAP: parsing the whole text again per case made reading a cell quadratic in its cases
 * (in a Thrift ts-server slice, TAP and YAML parsing took half of a worker's CPU).
 */
export function readCellTap(text: string): ReadTap {
  const reading = readTap(text);
  return { results: resultsById(reading), windows: windowsOf(reading) };
}

export interface CellTap {
  /** The key of the plan's cell ("c1"). */
  readonly key: string;
  /** The lines between "# cell <key> begins" and "# cell <key> ends": that cell's own TAP. */
  readonly tap: string;
  /** False when the output stopped (or the next cell began) before "# cell <key> ends". */
  readonly ended: boolean;
  /**
   * The monotonic instant on "# cell <key> ends <epoch ms> monotonic <ms>", when the peer gives
   * one: where the cell's last case ended (the cells of one plan may run side by side, so the next
   * cell's start is no bound).
   */
  readonly endedAt?: number;
}

export interface SplitOutput {
  /** In the order the client printed them; a key printed twice gives two entries. */
  readonly cells: readonly CellTap[];
  /** Lines outside every cell (a client's own start-up noise, say), for the logs. */
  readonly outside: string;
  /** What did not fit the contract: an "ends" without its "begins", a cell cut short. */
  readonly problems: readonly string[];
}

const CELL_MARK = new RegExp(String.raw`^#\s*cell\s+(\S+)\s+(begins|ends)(?:\s+${INSTANTS})?\s*$`);

/**
 * Cuts a plan client's stdout into per-cell TAP texts. Tolerates a run cut short: a cell that
 * never ends keeps what it printed (ended: false), and parseTap on it gives the cases it reached.
 */
export function splitCells(stdout: string): SplitOutput {
  const cells: CellTap[] = [];
  const outside: string[] = [];
  const problems: string[] = [];
  let open: { key: string; lines: string[] } | undefined;
  const close = (ended: boolean, endedAt?: number): void => {
    if (!open) return;
    cells.push({ key: open.key, tap: open.lines.join('\n'), ended, ...(endedAt !== undefined ? { endedAt } : {}) });
    if (!ended) problems.push(`cell ${open.key} did not end`);
    open = undefined;
  };
  const lines = stdout.split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const mark = CELL_MARK.exec(line.trim());
    if (mark?.[2] === 'begins') {
      close(false);
      open = { key: mark[1] as string, lines: [] };
    } else if (mark?.[2] === 'ends') {
      if (open?.key === mark[1]) close(true, mark[4] !== undefined ? Number(mark[4]) : undefined);
      else problems.push(`"# cell ${mark[1]} ends" ${open ? `inside cell ${open.key}` : 'outside any cell'}`);
    } else if (open) {
      open.lines.push(line);
    } else {
      outside.push(line);
    }
  }
  close(false);
  return { cells, outside: outside.join('\n'), problems };
}
