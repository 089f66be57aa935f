// The clock our servers stamp what they see with (handshakes, wire chunks, log lines), to compare
// with the instants the peers print when each case begins ("# case <id> begins <epoch ms>
// monotonic <ms>", containers/README.md): CLOCK_MONOTONIC, which Java's System.nanoTime(), Python's
// time.monotonic_ns() and libuv's hrtime all read, and which containers share with the host.
//
// Why not the real-time clock: it can be stepped while a run goes on (a VM resumed, a daemon or
// a hypervisor agent setting the time). Our stamps then part from the peers' and land in the
// neighbouring case's window: a CI run on 2026-12-01 found no handshake at all in 21 case windows,
// one on 2026-12-04 counted each of nine cases' first connection in the case before it. Following
// the steps (a clock re-anchored on Date.now(), tried in between) cannot undo a step back: the
// peer's own real-time windows then overlap. No one steps the monotonic clock.

/** Milliseconds on CLOCK_MONOTONIC (since boot), to the nanosecond. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
