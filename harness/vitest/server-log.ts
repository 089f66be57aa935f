// Our server's log lines in a ts-server cell (input it refused, handler errors it answered), kept
// with the monotonic time they were written, so that a failing case shows the lines of its own
// window (the peer client's TAP gives its instants on the same clock, impls/wire/monotonic-clock.ts). Before, the lines went to the vitest
// worker's stderr: ~1,000 lines in a default run, naming no cell. Bounded: a server flooded with bad
// input cannot grow the worker's memory through its log.
import { monotonicMs } from '../../impls/wire/monotonic-clock.ts';

export interface ServerLogSnapshot {
  readonly lines: readonly Line[];
  readonly dropped: number;
}

interface Line {
  readonly at: number;
  readonly text: string;
}

export class ServerLog {
  private readonly lines: Line[] = [];
  private droppedLines = 0;
  private readonly maxLines: number;
  private readonly maxLineChars: number;

  constructor(maxLines = 2000, maxLineChars = 1000) {
    this.maxLines = maxLines;
    this.maxLineChars = maxLineChars;
  }

  /** For the server's `log` option. */
  readonly write = (text: string): void => {
    if (this.lines.length >= this.maxLines) {
      this.droppedLines++;
      return;
    }
    this.lines.push({ at: monotonicMs(), text: text.length > this.maxLineChars ? `${text.slice(0, this.maxLineChars)}…` : text });
  };

  /** Lines written at or after fromMs and before toMs. */
  between(fromMs: number, toMs: number): string[] {
    return this.lines.filter((l) => l.at >= fromMs && l.at < toMs).map((l) => l.text);
  }

  /** The last n lines (for a failure with no time window). */
  last(n: number): string[] {
    return this.lines.slice(-n).map((l) => l.text);
  }

  /**
   * For a failing case's message: a heading, then the lines of its window (the last lines when
   * the peer's TAP gave no window), at most shown of them; nothing when there are none.
   */
  forFailure(window: { readonly from: number; readonly to: number } | undefined, shown = 20): string[] {
    const lines = window ? this.between(window.from, window.to) : this.last(shown);
    if (lines.length === 0) return [];
    const kept = lines.slice(-shown);
    const cut = kept.length < lines.length ? ` (last ${kept.length} of ${lines.length})` : '';
    return [`--- our server's log ${window ? 'during the case' : '(last lines)'}${cut} ---`, ...kept];
  }

  /** Lines not kept once maxLines were. */
  get dropped(): number {
    return this.droppedLines;
  }

  /** The lines as plain data: the log of a server that ran in another process crosses to the test worker this way. */
  snapshot(): ServerLogSnapshot {
    return { lines: [...this.lines], dropped: this.droppedLines };
  }

  static fromSnapshot(snapshot: ServerLogSnapshot): ServerLog {
    const log = new ServerLog();
    log.lines.push(...snapshot.lines);
    log.droppedLines = snapshot.dropped;
    return log;
  }
}
