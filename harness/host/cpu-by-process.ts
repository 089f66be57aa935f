// Where a command's CPU goes, by kind of process (harness/DESIGN.md, "Where a run's time goes"):
// runs the command and reads every process's CPU from /proc while it runs, so that the reference
// peers' processes in their containers, vitest's workers, dockerd and the rest are counted apart,
// each kind with how long its processes' main threads waited for a CPU (schedstat: a server
// host's main thread is its event loop). A measuring tool for people, not part of a run.
//
//   node harness/host/cpu-by-process.ts [--interval-ms 300] [--processes FILE] -- npm run matrix
//
// --processes FILE writes one JSON line per process seen (kind, command line, CPU-seconds), to
// tell apart, say, the Java peers' server containers from their client runs.
//
// A process that starts and ends between two samples is missed (the sum is then below the
// machine's busy time, which is printed beside it); one that existed before the command counts
// from the first sample.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { readSchedstat } from './schedstat.ts';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface ProcessSample {
  readonly comm: string;
  readonly cmdline: string;
  /** The parent's pid (kernel threads are children of kthreadd, pid 2). */
  readonly ppid: number;
}

/** The kind a process is counted under. */
export function kindOf(p: ProcessSample): string {
  const { comm, cmdline } = p;
  if (p.ppid === 2 || (cmdline === '' && p.ppid <= 2)) return 'kernel threads';
  if (comm === 'java') return 'java (reference peers)';
  if (/^python/.test(comm)) return 'python (reference peers and tools)';
  if (comm.startsWith('runc')) return 'container processes (seen starting)';
  if (/^(dockerd|containerd|containerd-shim.*|docker|docker-proxy)$/.test(comm)) return 'docker engine and CLI';
  if (/node/.test(comm) || /(^|\/)node /.test(cmdline)) {
    if (/server-host-process/.test(cmdline)) return 'node: our ts-server servers (server hosts)';
    if (/vitest/.test(cmdline) && /worker|forks|threads/.test(cmdline)) return 'node: vitest workers';
    if (/vitest/.test(cmdline)) return 'node: vitest main';
    return 'node: other';
  }
  return 'other';
}

interface Seen {
  sample: ProcessSample;
  first: number;
  last: number;
  /** Its main thread's time runnable without a CPU (schedstat, ms): at the first and last sample. */
  waitFirst: number;
  waitLast: number;
}

function readProcesses(into: Map<string, Seen>, firstSample: boolean): void {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      const key = `${name}:${fields[19]}`; // pid and start time: pids are reused
      const waited = readSchedstat(`/proc/${name}/schedstat`)?.waitedMs ?? 0;
      const known = into.get(key);
      if (known) {
        known.last = Math.max(known.last, ticks);
        known.waitLast = Math.max(known.waitLast, waited);
      }
      // A container's process shows as runc until it execs the peer: read it again until then.
      if (known && !known.sample.comm.startsWith('runc')) continue;
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim().slice(0, 300);
      const sample = { comm, cmdline, ppid: Number(fields[1]) };
      if (known) known.sample = sample;
      else into.set(key, { sample, first: firstSample ? ticks : 0, last: ticks, waitFirst: firstSample ? waited : 0, waitLast: waited });
    } catch {
      // ended meanwhile
    }
  }
}

/** Busy and total jiffies of the whole machine. */
function machineTicks(): { busy: number; total: number } {
  const values = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - (values[3] ?? 0) - (values[4] ?? 0), total };
}

async function main(argv: string[]): Promise<void> {
  const split = argv.indexOf('--');
  const command = split < 0 ? [] : argv.slice(split + 1);
  const options = split < 0 ? argv : argv.slice(0, split);
  const intervalAt = options.indexOf('--interval-ms');
  const intervalMs = intervalAt < 0 ? 300 : Number(options[intervalAt + 1]);
  const [file, ...args] = command;
  const processesAt = options.indexOf('--processes');
  const processesFile = processesAt < 0 ? undefined : options[processesAt + 1];
  if (file === undefined || !(intervalMs > 0) || processesFile === '')
    throw new Error('usage: cpu-by-process.ts [--interval-ms 300] [--processes FILE] -- <command> [args]');

  const seen = new Map<string, Seen>();
  const before = machineTicks();
  const started = performance.now();
  readProcesses(seen, true);
  const timer = setInterval(() => readProcesses(seen, false), intervalMs);
  const result = await execa(file, args, { stdio: 'inherit', reject: false });
  clearInterval(timer);
  readProcesses(seen, false);
  const after = machineTicks();

  const byKind = new Map<string, { seconds: number; processes: number; waited: number }>();
  const lines: string[] = [];
  for (const p of seen.values()) {
    const seconds = (p.last - p.first) / CLOCK_TICKS_PER_SECOND;
    if (seconds <= 0) continue;
    const kind = kindOf(p.sample);
    const waited = (p.waitLast - p.waitFirst) / 1000;
    lines.push(JSON.stringify({ kind, seconds, waited, comm: p.sample.comm, cmdline: p.sample.cmdline }));
    const entry = byKind.get(kind) ?? { seconds: 0, processes: 0, waited: 0 };
    entry.seconds += seconds;
    entry.processes++;
    entry.waited += waited;
    byKind.set(kind, entry);
  }
  const counted = [...byKind.values()].reduce((sum, e) => sum + e.seconds, 0);
  console.log(`\ncpu-by-process: ${((performance.now() - started) / 1000).toFixed(1)} s wall; machine busy ${((after.busy - before.busy) / CLOCK_TICKS_PER_SECOND).toFixed(1)} CPU-s, of which counted by process ${counted.toFixed(1)}:`);
  // "waited": the processes' main threads' time runnable without a CPU (a server host's is its event loop's).
  for (const [kind, e] of [...byKind].sort((a, b) => b[1].seconds - a[1].seconds)) {
    console.log(`${e.seconds.toFixed(1).padStart(9)} CPU-s  ${String(e.processes).padStart(5)} processes  ${kind}  (main threads waited ${e.waited.toFixed(1)} s for a CPU)`);
  }
  if (processesFile !== undefined) writeFileSync(processesFile, `${lines.join('\n')}\n`);
  process.exitCode = result.exitCode ?? 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main(process.argv.slice(2));
