// A peer server container's log, followed once (`docker logs --follow`) and kept in memory, split
// by listener. Reading it with `docker logs` on demand cost a whole-log read through dockerd per
// failing case and per cell at the end of a slice (thousands of reads of megabytes each run).
import { execa, type ResultPromise } from 'execa';

/** Lines kept of a container's log, as `docker logs --tail 100000` kept them. */
const KEPT_LINES = 100_000;

/** A peer's log lines, each with the listener key it is prefixed with ("[key] ..."). */
export class ListenerLog {
  private lines: { readonly key: string | undefined; readonly text: string }[] = [];
  private partial = { out: '', err: '' };

  /** Adds a chunk of one stream; a line is kept once its newline has arrived. */
  push(stream: 'out' | 'err', chunk: string): void {
    const text = this.partial[stream] + chunk;
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const line of lines) this.add(line);
  }

  /** Keeps what is left of unfinished lines (the stream ended). */
  end(): void {
    for (const stream of ['out', 'err'] as const) {
      if (this.partial[stream] !== '') this.add(this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  private add(text: string): void {
    // undefined: an unprefixed line (start-up, READY, a stack trace), shown with every listener.
    const key = text.startsWith('[') ? (/^\[([^\]\s]+)\] /.exec(text)?.[1] ?? '') : undefined;
    this.lines.push({ key, text });
    if (this.lines.length > KEPT_LINES * 1.5) this.lines = this.lines.slice(-KEPT_LINES);
  }

  /** The last lines of one listener, with the unprefixed lines among them, in order. */
  of(key: string, lines: number): string {
    return this.lines.filter((l) => l.key === undefined || l.key === key).slice(-lines).map((l) => l.text).join('\n');
  }

  has(pattern: RegExp): boolean {
    return this.lines.some((l) => pattern.test(l.text));
  }

  tail(lines: number): string {
    return this.lines.slice(-lines).map((l) => l.text).join('\n');
  }
}

/** Follows a container's log into a ListenerLog until stop() or the container's removal. */
export class LogFollower {
  readonly log = new ListenerLog();
  private readonly process: ResultPromise<{ reject: false; buffer: false }>;
  private lastData = performance.now();
  /** Set when `docker logs --follow` ended: the container stopped (or was removed). */
  ended = false;

  constructor(containerId: string) {
    this.process = execa('docker', ['logs', '--follow', containerId], { reject: false, buffer: false });
    this.process.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.data('out', chunk));
    this.process.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.data('err', chunk));
    this.process.finally(() => {
      this.ended = true;
      this.log.end();
    }).catch(() => undefined);
  }

  private data(stream: 'out' | 'err', chunk: string): void {
    this.lastData = performance.now();
    this.log.push(stream, chunk);
  }

  /**
   * Waits until the log has been quiet for a moment (at most 500 ms), so that lines the peer wrote
   * just before a failure are in before it is read.
   */
  async settled(quietMs = 30): Promise<void> {
    const deadline = performance.now() + 500;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    while (performance.now() - this.lastData < quietMs && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, quietMs));
    }
  }

  /** Waits until a line matches (a line the container is known to have written already). */
  async until(pattern: RegExp, timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.log.has(pattern)) {
      if (performance.now() > deadline) throw new Error(`docker logs --follow did not show ${pattern} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  stop(): void {
    this.process.kill();
  }
}
