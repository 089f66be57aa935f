// The reports read axes from the coordinates they find, never from a fixed list: a run that adds
// an axis (version, socket, ...) is rendered without a change here. AXIS_ORDER (model.ts) only
// decides the order of the axes it names.
import { AXIS_ORDER, type Outcome, type ResultCoordinates } from '../results/model.ts';

// Results of one run share a handful of key sets: their order is worked out once per set.
const orderedKeySets = new Map<string, readonly string[]>();

/** Every coordinate as [axis, value] pairs, in report order (AXIS_ORDER, then the rest sorted). */
export function axisEntries(coordinates: ResultCoordinates): [string, string][] {
  const record = coordinates as unknown as Readonly<Record<string, unknown>>;
  const keys = Object.keys(record);
  const id = keys.join('\u0000');
  let ordered = orderedKeySets.get(id);
  if (!ordered) {
    ordered = orderAxes(keys);
    if (orderedKeySets.size < 1000) orderedKeySets.set(id, ordered);
  }
  const entries: [string, string][] = [];
  for (const axis of ordered) {
    const value = record[axis];
    if (value !== undefined && value !== null) entries.push([axis, String(value)]);
  }
  return entries;
}

export function orderAxes(axes: Iterable<string>): string[] {
  const known = new Map(AXIS_ORDER.map((axis, index) => [axis, index]));
  return [...new Set(axes)].sort((a, b) => (known.get(a) ?? AXIS_ORDER.length) - (known.get(b) ?? AXIS_ORDER.length) || a.localeCompare(b));
}

export function axisValue(coordinates: ResultCoordinates, axis: string): string | undefined {
  const value = (coordinates as unknown as Readonly<Record<string, unknown>>)[axis];
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * Axes that say which implementations meet (they name the grid's rows and columns) rather than
 * how: a cell's chip shows the others. The case is not a cell axis.
 */
export const PARTY_AXES: ReadonlySet<string> = new Set(['family', 'direction', 'client', 'server', 'peer', 'implementation', 'case']);

/** The axes that tell a cell's matrix cells apart: transport, protocol, server kind, version, socket, and any new one. */
export function howAxes(entries: readonly [string, string][]): [string, string][] {
  return entries.filter(([axis]) => !PARTY_AXES.has(axis));
}

/**
 * A case is interoperating when it passed. An expected failure is a failure (the entry explains
 * it, it does not make the pair work); an unexpected pass did pass (the gate fails on the stale
 * entry, shown apart). Skipped cases did not run and count for neither.
 */
export function interoperates(outcome: Outcome): boolean {
  return outcome === 'pass' || outcome === 'unexpected-pass';
}

/** Outcomes that fail the gate (model.ts FAILING_OUTCOMES), as a predicate the views share. */
export function failsGate(outcome: Outcome): boolean {
  return outcome === 'fail' || outcome === 'timeout' || outcome === 'unexpected-pass';
}

/** Releases in order: numeric parts compared as numbers ("0.9.0" < "0.20.0"). */
export function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
