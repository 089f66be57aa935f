// The error a check throws when a value came back different from what the case expects. It
// carries what was expected and what arrived as two strings (in the case notation of
// suites/<family>/data/README.md), so the reports show them side by side instead of digging them
// out of a sentence. vitest hands an error's own fields to reporters, so `expected`, `actual` and
// `wire` reach failure-detail.ts as they are; the message repeats them for plain-text readers.
import type { WireDump } from './model.ts';

export interface CaseMismatchInit {
  /** One line saying what differs, read first in every report: "echoLabels: the answer differs". */
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
  /** The bytes that show it, when the check has them (labelled per direction). */
  readonly wire?: readonly WireDump[];
}

export class CaseMismatch extends Error {
  override readonly name = 'CaseMismatch';
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
  readonly wire?: readonly WireDump[];

  constructor(init: CaseMismatchInit) {
    super(`${init.what}\nexpected: ${init.expected}\nactual:   ${init.actual}`);
    this.what = init.what;
    this.expected = init.expected;
    this.actual = init.actual;
    if (init.wire !== undefined) this.wire = init.wire;
  }
}
