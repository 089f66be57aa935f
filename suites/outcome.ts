// A call's outcome as every family's checks take it: the value it answered or the error it threw,
// so that a check compares both kinds against the case's expectation the same way.

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Waits for a call and keeps what it gave, a value or an error (never a rejected promise). */
export async function outcomeOf(promise: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
