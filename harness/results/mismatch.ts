// The error a conformance check throws when an outcome is not what the case expects: what was
// expected and what happened, apart, so every report can show them side by side (failure-detail.ts
// reads `expected` and `actual` off any error that carries them).
export class CaseMismatch extends Error {
  override readonly name = 'CaseMismatch';
  readonly expected: string;
  readonly actual: string;

  constructor(summary: string, expected: string, actual: string) {
    super(`${summary}\n  expected: ${expected}\n  actual:   ${actual}`);
    this.expected = expected;
    this.actual = actual;
  }
}
