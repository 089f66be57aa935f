// Turns an error as vitest hands it to reporters (serialized: message, stack, expected, actual, and
// any own fields such as `wire`) into the model's FailureDetail. The peer log tail that
// define-cells.ts appends to messages is split out so the reports can show it on its own.
// Expected and actual come from the error's own fields (a CaseMismatch, see case-mismatch.ts, or
// an assertion error); checks that still write them into the message text ("expected: X" then
// "actual: Y") are read back from it, so every such failure gets the side-by-side panel.
import type { FailureDetail, WireDump } from './model.ts';

/** What define-cells.ts writes before a peer log inside an error message. */
export const PEER_LOG_MARKERS = ['--- peer server log (tail) ---', '--- peer client stderr (tail) ---'] as const;

/** The subset of vitest's SerializedError / TestError this module reads. */
export interface SerializedErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly stack?: unknown;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly wire?: unknown;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function hexOf(bytes: unknown): string | undefined {
  if (typeof bytes === 'string') {
    const compact = bytes.replace(/\s+/g, '').toLowerCase();
    return /^([0-9a-f]{2})*$/.test(compact) ? compact : undefined;
  }
  if (bytes instanceof Uint8Array || (Array.isArray(bytes) && bytes.every((b) => Number.isInteger(b) && b >= 0 && b < 256))) {
    return Array.from(bytes as ArrayLike<number>, (b) => b.toString(16).padStart(2, '0')).join('');
  }
  // A Buffer or Uint8Array after structured serialization: {"0": 1, "1": 2, ...} or {type: "Buffer", data: [...]}.
  if (bytes && typeof bytes === 'object' && !Array.isArray(bytes)) {
    const record = bytes as Record<string, unknown>;
    if (Array.isArray(record['data'])) return hexOf(record['data']);
    const keys = Object.keys(record);
    if (keys.length > 0 && keys.every((k, i) => k === String(i))) return hexOf(keys.map((k) => record[k]));
  }
  return undefined;
}

/**
 * Accepts the shapes a transport may attach as `wire`: a hex string, bytes, or a list of
 * {label|direction, hex|bytes}. Anything unreadable is dropped rather than guessed at.
 */
export function normalizeWire(wire: unknown): WireDump[] | undefined {
  if (wire === undefined || wire === null) return undefined;
  if (Array.isArray(wire) && wire.length === 0) return undefined;
  const single = hexOf(wire);
  if (single !== undefined) return [{ label: 'wire', hex: single }];
  if (!Array.isArray(wire)) return undefined;
  const traces: WireDump[] = [];
  wire.forEach((entry: unknown, index) => {
    if (!entry || typeof entry !== 'object') return;
    const record = entry as Record<string, unknown>;
    const hex = hexOf(record['hex'] ?? record['bytes']);
    if (hex === undefined) return;
    const label = text(record['label'] ?? record['direction']) ?? `frame ${index + 1}`;
    traces.push({ label, hex });
  });
  return traces.length > 0 ? traces : undefined;
}

function splitPeerLog(message: string): { message: string; peerLogTail?: string } {
  let cut = -1;
  for (const marker of PEER_LOG_MARKERS) {
    const at = message.indexOf(marker);
    if (at >= 0 && (cut < 0 || at < cut)) cut = at;
  }
  if (cut < 0) return { message };
  return { message: message.slice(0, cut).trimEnd(), peerLogTail: message.slice(cut).trim() };
}

/**
 * Reads "expected ... / actual: ..." back out of a message: the first line that starts with
 * "actual:" (any indentation), and the nearest line above it that says "expected". Forms seen:
 * "echoInt: expected response 7" / "  actual: AvroSystemError: ...", "echoLabels: the answer
 * differs" / "expected: [...]" / "actual:   [...]", and a peer's TAP diagnostic ("  expected: ..."
 * / "  actual: ..."). Lines between the two belong to expected; lines after "actual:" that are
 * indented deeper belong to actual.
 */
export function expectedActualFromText(message: string): { expected: string; actual: string } | undefined {
  const lines = message.split('\n');
  const at = lines.findIndex((line) => /^\s*actual:/.test(line));
  if (at < 0) return undefined;
  let from = at - 1;
  while (from >= 0 && !/\bexpected\b/.test(lines[from] ?? '')) from -= 1;
  if (from < 0) return undefined;
  const head = lines[from] as string;
  const afterWord = head.slice(head.search(/\bexpected\b/) + 'expected'.length).replace(/^:?\s*/, '');
  const expected = [afterWord, ...lines.slice(from + 1, at).map((line) => line.trim())].filter((part) => part !== '').join('\n');
  const actualLine = lines[at] as string;
  const indent = /^\s*/.exec(actualLine)?.[0].length ?? 0;
  const actualParts = [actualLine.replace(/^\s*actual:\s*/, '')];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '' || (/^\s*/.exec(line)?.[0].length ?? 0) <= indent) break;
    actualParts.push(line.trim());
  }
  const actual = actualParts.join('\n').trim();
  return expected === '' && actual === '' ? undefined : { expected, actual };
}

/** Frames kept of a stack: the message is stored apart, and vitest's and Node's frames say nothing here. */
const STACK_FRAMES = 8;

/**
 * The first frames of a stack outside node_modules and Node's internals. A whole stack repeats the
 * message and ends in the test runner's frames: 5 KB per failure, a quarter of results.json.
 */
function projectFrames(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined;
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line) && !/node_modules|node:internal/.test(line)).slice(0, STACK_FRAMES);
  return frames.length > 0 ? frames.map((line) => line.trim()).join('\n') : undefined;
}

export function failureDetail(error: SerializedErrorLike): FailureDetail {
  const raw = text(error.message) ?? String(error.name ?? 'unknown error');
  const { message, peerLogTail } = splitPeerLog(raw);
  let summary = (message.split('\n').find((line) => line.trim() !== '') ?? raw).trim();
  // A peer client's "not ok" says little; its TAP diagnostic's message line says what went wrong.
  const tapMessage = /^\s*message:\s*(.+)$/m.exec(message)?.[1];
  if (/\bnot ok$/.test(summary) && tapMessage) summary = `${summary}: ${tapMessage.trim().replace(/^(['"])(.*)\1$/, '$2')}`;
  const fromError = { expected: text(error.expected), actual: text(error.actual) };
  const structured = fromError.expected !== undefined || fromError.actual !== undefined;
  const { expected, actual } = structured ? fromError : (expectedActualFromText(message) ?? fromError);
  const wire = normalizeWire(error.wire);
  const stack = projectFrames(text(error.stack));
  return {
    summary, message,
    ...(expected !== undefined ? { expected } : {}),
    ...(actual !== undefined ? { actual } : {}),
    ...(expected !== undefined || actual !== undefined ? { mismatchSource: structured ? 'error' as const : 'message' as const } : {}),
    ...(peerLogTail !== undefined ? { peerLogTail } : {}),
    ...(wire !== undefined ? { wire } : {}),
    ...(stack !== undefined ? { stack } : {}),
  };
}
