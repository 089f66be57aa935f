// The host-side A/B loops of the profile notes (impls/*/profile/server-loop.ts): the same measure
// run in a fresh process per checkout ("tree") and round, trees taking turns round by round, each
// child pinned to CPU 1 and reporting one JSON line of calls and CPU time. Not the bench: these
// compare two trees of our own code in the same minutes, by CPU per call, which load moves little.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

/** What a child prints when its window ends. */
export interface LoopFigures {
  readonly calls: number;
  readonly elapsed: number;
  readonly cpuUs: number;
  readonly sysUs: number;
  readonly threadUs: number;
  /** Other threads' CPU µs per call, by thread name, where the child reports them. */
  readonly others?: Readonly<Record<string, number>>;
}

/** In a child: runs `run` 1 s to warm up, then for `seconds` measured, and prints the figures. */
export async function measureLoop(run: (ms: number) => Promise<void>, count: () => number, seconds: number): Promise<void> {
  await run(1000);
  const calls0 = count();
  const cpu0 = process.cpuUsage();
  const thread0 = process.threadCpuUsage();
  const t0 = performance.now();
  await run(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const thread = process.threadCpuUsage(thread0);
  const figures: LoopFigures = { calls: count() - calls0, elapsed, cpuUs: cpu.user + cpu.system, sysUs: cpu.system, threadUs: thread.user + thread.system };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

export interface TreeLoopOptions {
  readonly seconds: number;
  readonly rounds: number;
  readonly connections: number;
  /** --prof DIR: each child under --cpu-prof, one profile per tree and round. */
  readonly prof?: string;
  /** name -> checkout path; "this" (the checkout the script is in) when none is given. */
  readonly trees: ReadonlyArray<readonly [string, string]>;
  /** The script's own options, as node:util parseArgs gives them. */
  readonly extra: Readonly<Record<string, string | undefined>>;
}

/**
 * The driver's command line: --seconds, --rounds, --connections, --prof, --tree name=/path
 * (repeatable; a bare name means this tree), and the script's own string options with defaults.
 */
export function treeLoopOptions(argv: readonly string[], thisTree: string, extra: Readonly<Record<string, string>>): TreeLoopOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seconds: { type: 'string', default: '2' }, rounds: { type: 'string', default: '3' }, connections: { type: 'string', default: '1' },
      prof: { type: 'string' }, tree: { type: 'string', multiple: true },
      ...Object.fromEntries(Object.entries(extra).map(([name, value]) => [name, { type: 'string' as const, default: value }])),
    },
  });
  const trees = (values.tree ?? []).map((spec): [string, string] => {
    const [name, path] = spec.split('=');
    return [name || 'tree', path || thisTree];
  });
  const own = values as Record<string, string | string[] | undefined>;
  return {
    seconds: Number(values.seconds), rounds: Number(values.rounds), connections: Number(values.connections),
    ...(values.prof ? { prof: values.prof } : {}),
    trees: trees.length > 0 ? trees : [['this', thisTree]],
    extra: Object.fromEntries(Object.keys(extra).map((name) => [name, own[name] as string | undefined])),
  };
}

/** One child run: the script, its arguments and environment for this tree. */
export interface ChildRun {
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs the rounds, trees in turn (rotated each round), and prints each run and each tree's median CPU per call. */
export async function driveTrees(script: string, options: TreeLoopOptions, childRun: (name: string, tree: string) => ChildRun): Promise<void> {
  const results = new Map<string, number[]>();
  for (let r = 0; r < options.rounds; r++) {
    for (let k = 0; k < options.trees.length; k++) {
      const [name, tree] = options.trees[(k + r) % options.trees.length] as readonly [string, string];
      const flags = options.prof ? ['--cpu-prof', `--cpu-prof-dir=${options.prof}`, `--cpu-prof-name=${name}-${r}.cpuprofile`] : [];
      const run = childRun(name, tree);
      const line = await new Promise<string>((resolve, reject) => {
        const c = spawn('taskset', ['-c', '1', process.execPath, ...flags, script, ...run.args], { stdio: ['ignore', 'pipe', 'inherit'], env: run.env ?? process.env });
        let out = '';
        c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
        c.on('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`child exited ${code}`))));
      });
      const m = JSON.parse(line) as LoopFigures;
      const perCall = m.cpuUs / m.calls;
      results.set(name, [...(results.get(name) ?? []), perCall]);
      console.log(`${name.padEnd(8)} ${String(Math.round(m.calls / m.elapsed)).padStart(7)} calls/s  CPU ${perCall.toFixed(2)} µs/call (sys ${(m.sysUs / m.calls).toFixed(2)}, main thread ${(m.threadUs / m.calls).toFixed(2)})${m.others ? ` other threads µs/call ${JSON.stringify(m.others)}` : ''}`);
    }
  }
  for (const [name, values] of results) {
    const sorted = [...values].sort((a, b) => a - b);
    console.log(`${name.padEnd(8)} median CPU ${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(2)} µs/call over ${values.length} rounds`);
  }
}
