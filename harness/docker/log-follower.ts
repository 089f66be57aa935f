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
    return collapseRepeats(this.lines.filter((l) => l.key === undefined || l.key === key).map((l) => l.text)).slice(-lines).join('\n');
  }

  has(pattern: RegExp): boolean {
    return this.lines.some((l) => pattern.test(l.text));
  }

  tail(lines: number): string {
    return this.lines.slice(-lines).map((l) => l.text).join('\n');
  }
}

/**
 * Runs of one line repeated become that line and a count, so that a failure's tail of 40 lines is
 * not 40 copies of one (a CI failure's showed only Java's SASL transceiver saying "closing to
 * /127.0.0.1:21851" again and again).
 */
export function collapseRepeats(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let j = i + 1;
    while (j < lines.length && lines[j] === lines[i]) j++;
    out.push(lines[i] as string);
    if (j - i > 2) out.push(`[the line above ${j - i - 1} more times]`);
    else if (j - i === 2) out.push(lines[i] as string);
    i = j;
  }
  return out;
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
