// npm run bench [-- options]: the benchmark (README.md). Not a test: it measures, side by side in
// one run, our clients and servers, the reference peers' own and the JavaScript libraries', and
// writes reports/bench.json, reports/bench.md and reports/bench.html from the same numbers.
import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { oneEach, UsageError } from '../harness/cli/args.ts';
import { loadAdapter, inTreeAdapterPaths } from '../harness/contract/load.ts';
import { removeRunContainersSync } from '../harness/docker/containers.ts';
import { configureReaper, probeEngine } from '../harness/docker/engine.ts';
import { ensurePeerImage } from '../harness/docker/images.ts';
import { defaultVersion, peerByFolder, releaseOf } from '../harness/docker/peers.ts';
import { globRegExp } from '../harness/matrix/glob.ts';
import { freePort } from '../harness/net/ports.ts';
import { gitRevision } from '../harness/results/git-revision.ts';
import { Agent, type NodePlacement } from './agents.ts';
import { checkBaseline, DEFAULT_BASELINE, failedGroups, writeBaseline } from './baseline.ts';
import { runDatafileBench, type DatafileResult, type DatafileRow } from './datafile.ts';
import { ensureNodeImage } from './node-image.ts';
import { forgetWarmups, LOOPBACK, measureGroup, type GroupResult, type MeasureOptions } from './measure.ts';
import {
  agentKey, AXES, clientAgents, EXCLUDED, hostTwin, listenersByAgent, nodeParticipant, PEERS, peerParticipant, planGroups, SHAPES,
  type AgentRef, type BenchFamilyName, type Group, type Listener, type Participant,
} from './plan.ts';
import { QUICK_GROUPS } from './quick.ts';
import { belowOne, verdictText, writeReports, type BenchReport, type PeerInfo } from './report.ts';
import { SETTLE, settleReason, unsettledDatafile, unsettledGroups } from './settle.ts';
import { freshReason, freshRounds, judgedPart, unexplainedGroups } from './fresh.ts';
import { loadExplanations } from './explanations.ts';

const USAGE = `npm run bench [-- options]
  --quick                 the CI check: a few rows, short windows, compared with bench/baseline.json
  --only GLOB             groups whose id matches (family/transport/protocol/payload/inflight/peer), e.g. 'avro/http/*';
                          given several times, groups that match any of them
  --rounds N              rounds per group (full 3, quick 3)
  --duration-ms N         measured window per contender and round (full 300, quick 200)
  --warmup-ms N           warm-up before each window, on its fresh connections (full 250, quick 50)
  --first-warmup-ms N     unmeasured calls the first time a client, server and transport meet (full 1000, quick 600)
  --warmup-windows N      before its first round, a contender runs up to N unmeasured windows until two agree within 20% (full 2, quick 1)
  --budget-minutes N      no group starts after this (full 40, quick 3)
  --no-libraries          ours only (no avsc5, avro-js, npm-thrift rows)
  --no-floor              no floor rows (the raw loopback echo, the replay floor)
  --no-settle             do not measure again, with more rounds, groups whose verdict three rounds leave near its threshold or whose rates moved more than 3x between rounds (settle.ts),
                          nor, in new processes, groups with a row below 1.0 that no explanation covers (fresh.ts)
  --no-pin                do not pin the 1-in-flight client and server to separate CPUs
  --host-agents           run the Node agents (and the data-file worker) as host processes, not in containers like the peers (to show the difference)
  --host-twin             also measure ours as a host process (rows "ours@host ..."), beside ours in a container, in the same rounds
  --fresh-agents          a new process for every Node agent of a group before the group (and before its more rounds), so that no row
                          inherits the heap of the groups before it (bench/README.md); the peers keep theirs
  --no-datafile           skip the Avro data-file throughput part (full run only)
  --datafile-only         only the Avro data-file throughput part (BENCH_DATAFILE_MB, _CODECS, _PEERS)
  --baseline FILE         the quick mode's baseline (default bench/baseline.json)
  --write-baseline        (with --quick) write this run's best rounds as the new baseline
  --peer-image F=TAG      use this image for peer folder F instead of building containers/F (e.g. a peer from another branch)
  --out DIR               where the reports go (default reports/)
  --cpu-prof DIR          run our agents (the "ours" rows) under node --cpu-prof, one profile per agent in DIR (open them in Chrome's DevTools); with --only, to explain a row
  --node-flag=FLAG        give our agents this node or V8 flag (repeatable), e.g. --node-flag=--trace-gc: what they print goes to
                          OUT/work/bench/logs/<agent>.log; with --only, to explain a row (it changes what is measured: not for the report)
  --list                  print the groups and contenders the options select, and exit`;

interface Options {
  readonly quick: boolean;
  /** --only: a group is measured when its id matches one of these. */
  readonly only?: readonly RegExp[];
  readonly measure: Omit<MeasureOptions, 'deadline' | 'progress' | 'warmed'>;
  readonly budgetMinutes: number;
  /** Measure unsettled groups again with more rounds (settle.ts); never in the quick mode, which has its own second measurement. */
  readonly settle: boolean;
  readonly libraries: boolean;
  readonly floor: boolean;
  /** Node agents as host processes instead of containers (--host-agents). */
  readonly hostAgents: boolean;
  /** Also ours as a host process, beside ours in a container (--host-twin). */
  readonly hostTwin: boolean;
  /** New Node agent processes before every group (--fresh-agents). */
  readonly freshAgents: boolean;
  readonly datafile: boolean;
  readonly baseline: string;
  readonly writeBaseline: boolean;
  readonly out: string;
  /** Peer folder -> image tag given with --peer-image. */
  readonly peerImages: ReadonlyMap<string, string>;
  readonly list: boolean;
  readonly datafileOnly: boolean;
  /** Folder for CPU profiles of our agents (--cpu-prof). */
  readonly cpuProf?: string;
  /** Node or V8 flags for our agents (--node-flag). */
  readonly nodeFlags: readonly string[];
}

/** The string options that take one value each. */
const SINGLE_VALUED = ['rounds', 'duration-ms', 'warmup-ms', 'warmup-windows', 'first-warmup-ms', 'budget-minutes', 'baseline', 'out', 'cpu-prof'];

/** Reads argv; anything it cannot read is a UsageError carrying the usage (exit 2, no stack). */
function options(argv: readonly string[]): Options {
  try {
    return readOptions(argv);
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
}

function readOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv], strict: true, allowPositionals: false,
    options: {
      // One value each, read as lists so that one given twice is refused (oneEach), not the last kept.
      ...Object.fromEntries(SINGLE_VALUED.map((flag) => [flag, { type: 'string' as const, multiple: true }])),
      quick: { type: 'boolean', default: false }, only: { type: 'string', multiple: true },
      'no-libraries': { type: 'boolean', default: false }, 'no-floor': { type: 'boolean', default: false }, 'no-settle': { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false }, 'host-agents': { type: 'boolean', default: false }, 'host-twin': { type: 'boolean', default: false }, 'no-datafile': { type: 'boolean', default: false },
      'fresh-agents': { type: 'boolean', default: false },
      'datafile-only': { type: 'boolean', default: false },
      'write-baseline': { type: 'boolean', default: false },
      'peer-image': { type: 'string', multiple: true }, 'node-flag': { type: 'string', multiple: true },
      help: { type: 'boolean', default: false }, list: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const one = oneEach(values, SINGLE_VALUED);
  const quick = values.quick === true;
  if (values['host-twin'] === true && values['host-agents'] === true) throw new Error('--host-twin measures ours on the host beside ours in a container: not with --host-agents');
  const num = (flag: string, fallback: number): number => {
    const v = one[flag];
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} ${v}: expected a positive number`);
    return n;
  };
  const durationMs = num('duration-ms', quick ? 200 : 300);
  // 250 ms in full runs: a window's client was stopped (SIGSTOP, measure.ts) while other pairs ran,
  // and opens fresh connections; at 64 KiB the first ~100-300 ms after that carry the process's
  // catch-up (full collections of what its last window left), which the window is not measuring
  // (bench/README.md, "Warm-up inside each window"). Quick keeps 50 ms: its baseline was taken so.
  const warmupMs = num('warmup-ms', quick ? 50 : 250);
  return {
    quick,
    ...(values.only && values.only.length > 0 ? { only: values.only.map((glob) => globRegExp(glob)) } : {}),
    measure: {
      rounds: Math.round(num('rounds', 3)), durationMs, warmupMs,
      warmupWindows: Math.round(num('warmup-windows', quick ? 1 : 2)), warmupWindowMs: 200,
      firstWarmupMs: num('first-warmup-ms', quick ? 600 : 1000),
      timeoutMs: 20_000, pin: values['no-pin'] !== true,
    },
    budgetMinutes: num('budget-minutes', quick ? 3 : 40),
    settle: !quick && values['no-settle'] !== true,
    libraries: !quick && values['no-libraries'] !== true,
    floor: !quick && values['no-floor'] !== true,
    hostAgents: values['host-agents'] === true,
    hostTwin: values['host-twin'] === true,
    freshAgents: values['fresh-agents'] === true,
    datafile: values['datafile-only'] === true || (!quick && values['no-datafile'] !== true && values.only === undefined),
    baseline: one['baseline'] ?? DEFAULT_BASELINE,
    writeBaseline: values['write-baseline'] === true,
    out: one['out'] ?? 'reports',
    list: values.list === true,
    datafileOnly: values['datafile-only'] === true,
    ...(one['cpu-prof'] ? { cpuProf: resolve(one['cpu-prof']) } : {}),
    nodeFlags: (values['node-flag'] ?? []).map((flag) => {
      if (!/^--[a-z]/.test(flag)) throw new Error(`--node-flag wants a flag such as --node-flag=--trace-gc, not ${flag}`);
      return flag;
    }),
    peerImages: new Map((values['peer-image'] ?? []).map((item) => {
      const [folder, tag] = item.split('=');
      if (!folder || !tag) throw new Error(`--peer-image wants FOLDER=TAG, not ${item}`);
      return [folder, tag] as const;
    })),
  };
}

async function implementations(hostTwins: boolean): Promise<Record<BenchFamilyName, Participant[]>> {
  const out: Record<BenchFamilyName, Participant[]> = { avro: [], thrift: [] };
  for (const path of inTreeAdapterPaths()) {
    const loaded = await loadAdapter(path);
    const family = loaded.capabilities.family;
    if (family !== 'avro' && family !== 'thrift') continue;
    out[family].push(nodeParticipant(loaded.capabilities, path));
  }
  for (const list of Object.values(out)) {
    list.sort((a, b) => (a.id === 'ours' ? -1 : b.id === 'ours' ? 1 : a.id.localeCompare(b.id)));
    if (hostTwins && list[0]) list.splice(1, 0, hostTwin(list[0]));
  }
  return out;
}

function peerParticipants(): { peers: Record<BenchFamilyName, Participant[]>; releases: Map<string, ReturnType<typeof releaseOf>> } {
  const releases = new Map<string, ReturnType<typeof releaseOf>>();
  const peers: Record<BenchFamilyName, Participant[]> = { avro: [], thrift: [] };
  for (const family of ['avro', 'thrift'] as const) {
    for (const folder of PEERS[family]) {
      const descriptor = peerByFolder(folder);
      const release = releaseOf(descriptor, defaultVersion(descriptor));
      releases.set(folder, release);
      peers[family].push(peerParticipant(descriptor.id, folder, release.client, release.server));
    }
  }
  return { peers, releases };
}

interface Started {
  readonly agents: Map<string, Agent>;
  readonly ports: Map<string, number>;
  readonly notStarted: Map<string, string>;
  readonly peerInfo: PeerInfo[];
  /** Where the Node agents ran, in words for the report. */
  readonly nodeAgents: string;
  /**
   * Replaces every Node agent of the group with a new process serving the same listeners on the
   * same ports (--fresh-agents); returns the keys of the agents replaced.
   */
  readonly freshen: (group: Group) => Promise<string[]>;
}

async function startAgents(groups: readonly Group[], releases: Map<string, ReturnType<typeof releaseOf>>, peerImages: ReadonlyMap<string, string>,
  hostAgents: boolean, runId: string, logDir: string, progress: (line: string) => void, nodeFlags: readonly string[], cpuProf?: string): Promise<Started> {
  // --cpu-prof: our agents (ours, and ours@host) write NAME.cpuprofile into the folder when they stop;
  // --node-flag: flags for our agents alone (the peers and the floors run as they always do).
  const profiling = (name: string, participant: Participant): { nodeOptions?: string[]; writableFolder?: string } => {
    if (!participant.id.startsWith('ours')) return {};
    const profile = cpuProf === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`, `--cpu-prof-name=${name}.cpuprofile`];
    const nodeOptions = [...nodeFlags, ...profile];
    return { ...(nodeOptions.length > 0 ? { nodeOptions } : {}), ...(cpuProf === undefined ? {} : { writableFolder: cpuProf }) };
  };
  const agents = new Map<string, Agent>();
  const notStarted = new Map<string, string>();
  const ports = new Map<string, number>();
  const images = new Map<string, string>();
  const peerInfo: PeerInfo[] = [];
  const servers = listenersByAgent(groups);
  const clients = clientAgents(groups);
  const refs = new Map<string, AgentRef>([...[...servers].map(([k, v]) => [k, v.ref] as const), ...clients]);
  for (const ref of refs.values()) {
    if (ref.participant.kind !== 'peer' || images.has(ref.participant.source)) continue;
    const release = releases.get(ref.participant.source);
    if (!release) continue;
    const given = peerImages.get(ref.participant.source);
    let tag = given;
    try {
      tag ??= (await ensurePeerImage(release, progress)).tag;
    } catch (error) {
      progress(`bench: no image for ${ref.participant.source}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    images.set(ref.participant.source, tag);
    peerInfo.push({ peer: ref.participant.id, folder: ref.participant.source, version: release.version, image: `${tag}${given ? ' (--peer-image)' : ''}`, libraries: release.libraries });
  }
  // The Node agents run in containers like the peers' unless --host-agents; without their image no Node row can be measured.
  let placement: NodePlacement = { kind: 'host' };
  let nodeAgents = 'host processes (--host-agents): not scheduled like the peers, ratios not comparable with a default run';
  if (!hostAgents && [...refs.values()].some((ref) => ref.participant.kind !== 'peer')) {
    const image = await ensureNodeImage(progress);
    placement = { kind: 'container', image: image.tag, runId };
    nodeAgents = `containers of ${image.tag} (bench/node-image: Node ${process.version}, the repository mounted read-only), started like the peers'`;
  }
  /** One agent's process; generation > 0 names a replacement (--fresh-agents: its own container and log). */
  const start = (key: string, ref: AgentRef, generation: number): Promise<Agent> => {
    const name = `${key.replaceAll('/', '-')}${generation > 0 ? `-${generation}` : ''}`;
    const image = images.get(ref.participant.source);
    if (ref.participant.kind === 'peer' && !image) throw new Error(`no image for ${ref.participant.source}`);
    return ref.participant.kind === 'peer'
      ? Agent.peer(image as string, ref.participant.source, runId, { name, logDir })
      : Agent.node(ref.participant.source, ref.participant.onHost === true ? { kind: 'host' } : placement, { name, logDir, ...profiling(name, ref.participant) });
  };
  /** A server agent's listeners, on the ports chosen the first time (a replacement serves on the same ones). */
  const serve = async (key: string, agent: Agent, listeners: Iterable<Listener>): Promise<void> => {
    const specs = [];
    for (const l of listeners) {
      const port = ports.get(`${key}|${l.key}`) ?? await freePort();
      specs.push({ ...l, host: LOOPBACK, port });
      ports.set(`${key}|${l.key}`, port);
    }
    const answer = await agent.request({ op: 'serve', listeners: specs }, 120_000);
    const failed = { ...(answer.failed ?? {}) };
    if (!answer.ok) for (const s of specs) failed[s.key] = answer.error ?? 'serve failed';
    for (const [listener, reason] of Object.entries(failed)) {
      ports.delete(`${key}|${listener}`);
      notStarted.set(`${key} ${listener}`, reason);
      progress(`bench: ${key} could not serve ${listener}: ${reason}`);
    }
  };
  // Started together: JVMs take seconds each, and nothing is measured yet.
  await Promise.all([...refs].map(async ([key, ref]) => {
    try {
      agents.set(key, await start(key, ref, 0));
    } catch (error) {
      notStarted.set(key, error instanceof Error ? error.message : String(error));
      progress(`bench: ${key} did not start: ${notStarted.get(key)}`);
    }
  }));
  for (const [key, { listeners }] of servers) {
    const agent = agents.get(key);
    if (agent) await serve(key, agent, listeners.values());
  }
  let generation = 0;
  const freshen = async (group: Group): Promise<string[]> => {
    generation += 1;
    const keys = new Set<string>();
    for (const c of group.contenders) {
      for (const ref of [c.client, c.server]) if (ref.participant.kind !== 'peer' && agents.has(agentKey(ref))) keys.add(agentKey(ref));
    }
    await Promise.all([...keys].map(async (key) => {
      const ref = refs.get(key) as AgentRef;
      await agents.get(key)?.stop();
      agents.delete(key);
      try {
        const agent = await start(key, ref, generation);
        agents.set(key, agent);
        const listeners = servers.get(key)?.listeners;
        if (listeners) await serve(key, agent, listeners.values());
      } catch (error) {
        // Its rows then read "not started" (measure.ts), with this reason in the report.
        notStarted.set(`${key} (for ${group.id})`, error instanceof Error ? error.message : String(error));
        progress(`bench: ${key} did not start again for ${group.id}: ${notStarted.get(`${key} (for ${group.id})`)}`);
      }
    }));
    return [...keys];
  };
  return { agents, ports, notStarted, peerInfo, nodeAgents, freshen };
}

/** The ratios of ours among a group's rows, for a progress line. */
function oursText(rows: GroupResult['rows']): string {
  return rows.filter((r) => r.impl === 'ours' && r.ratio).map((r) => `${r.kind} ${r.ratio?.median.toFixed(2)}`).join(', ') || 'no ratio';
}

async function main(): Promise<number> {
  const opts = options(process.argv.slice(2));
  const started = Date.now();
  const load = loadavg();
  const runId = `bench${started}`;
  const progress = (line: string): void => console.error(line);
  const { peers, releases } = peerParticipants();
  let groups = planGroups({
    axes: AXES, shapes: SHAPES, implementations: await implementations(opts.hostTwin), peers, libraries: opts.libraries, floor: opts.floor,
  });
  if (opts.quick) groups = groups.filter((g) => QUICK_GROUPS.includes(g.id));
  if (opts.only) groups = groups.filter((g) => opts.only?.some((glob) => glob.test(g.id)));
  if (opts.datafileOnly) groups = [];
  else if (groups.length === 0) throw new UsageError('no group selected (see --only and the group ids in bench/README.md; --list prints them)');
  const contenders = groups.reduce((n, g) => n + g.contenders.length, 0);
  if (opts.list) {
    for (const g of groups) console.log(`${g.id}: ${g.contenders.map((c) => `${c.name} [${c.connections}x${c.inflight}]`).join(', ')}`);
    console.log(`${groups.length} groups, ${contenders} contenders`);
    return 0;
  }
  progress(`bench: ${groups.length} groups, ${contenders} contenders, ${opts.measure.rounds} rounds of ${opts.measure.durationMs} ms`);
  // Read (and checked against its schema) before anything is measured: a mistake in it found
  // after 15 minutes of rounds would throw them away.
  const explanations = loadExplanations();

  const engine = await probeEngine();
  if (!engine.ok) {
    // As the container suites do: without Docker, CI fails and a local `npm test` says so loudly and goes on.
    if (opts.quick && process.env['CI'] !== 'true') {
      progress(`bench --quick: WARNING: not run, no Docker engine for the reference peers (${engine.reason})`);
      return 0;
    }
    throw new Error(`npm run bench needs Docker for the reference peers: ${engine.reason}`);
  }
  const notice = await configureReaper();
  if (notice) progress(notice);
  const logDir = `${opts.out}/work/bench/logs`;
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    removeRunContainersSync(runId);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: GroupResult[] = [];
  let remeasured: string[] = [];
  let setup: Started | undefined;
  let datafile: DatafileResult | undefined;
  try {
    if (groups.length > 0) {
      if (opts.cpuProf) mkdirSync(opts.cpuProf, { recursive: true });
      setup = await startAgents(groups, releases, opts.peerImages, opts.hostAgents, runId, logDir, progress, opts.nodeFlags, opts.cpuProf);
      progress(`bench: ${setup.agents.size} agents serving after ${Math.round((Date.now() - started) / 1000)} s`);
    }
    const measureStarted = Date.now();
    const ports = setup?.ports ?? new Map<string, number>();
    const measureOptions: MeasureOptions = { ...opts.measure, deadline: started + opts.budgetMinutes * 60_000, progress, warmed: new Set<string>() };
    /** measureGroup, after new Node agents when --fresh-agents (whose pairs then get their long first warm-up again). */
    const measure = async (group: Group, agentsOf: Started, more?: Parameters<typeof measureGroup>[4]): Promise<GroupResult> => {
      if (opts.freshAgents) {
        forgetWarmups(measureOptions.warmed, group.contenders, await agentsOf.freshen(group));
      }
      return measureGroup(group, agentsOf.agents, { port: (agent, listener) => ports.get(`${agent}|${listener}`) }, measureOptions, more);
    };
    for (const [i, group] of groups.entries()) {
      if (!setup) break;
      if (Date.now() > measureOptions.deadline) {
        results.push({ ...emptyResult(group), skipped: `the run's time bound (${opts.budgetMinutes} min) was reached` });
        continue;
      }
      const result = await measure(group, setup);
      results.push(result);
      progress(`bench: [${i + 1}/${groups.length}] ${group.id}: ${oursText(result.rows)} (${Math.round((Date.now() - measureStarted) / 1000)} s)`);
    }
    /**
     * A later pass over some of the run's groups: each result replaced by what `again` makes of it,
     * unless the run's time bound has been reached (then the group keeps what it has, and says so).
     */
    const passOver = async <T extends { readonly group: string }>(chosen: readonly T[], kept: string,
      again: (group: Group, previous: GroupResult, why: T) => Promise<GroupResult>, done: (result: GroupResult) => string): Promise<void> => {
      for (const item of chosen) {
        const id = item.group;
        const group = groups.find((g) => g.id === id);
        const index = results.findIndex((r) => r.id === id);
        const previous = results[index];
        if (!group || !previous) continue;
        if (Date.now() > measureOptions.deadline) {
          progress(`bench: the run's time bound (${opts.budgetMinutes} min) was reached: ${id} ${kept}`);
          continue;
        }
        const result = await again(group, previous, item);
        results[index] = result;
        progress(`bench: ${id} ${done(result)}`);
      }
    };
    if (opts.settle && setup) {
      const agentsOf = setup;
      const unsettled = unsettledGroups(results, explanations);
      if (unsettled.length > 0) progress(`bench: ${unsettled.length} group(s) near another verdict or unsteady, measured with ${SETTLE.extraRounds} more rounds: ${unsettled.map((u) => u.group).join(', ')}`);
      await passOver(unsettled, 'keeps its first rounds',
        (group, previous, u) => measure(group, agentsOf, { previous, rounds: SETTLE.extraRounds, why: settleReason(u) }),
        (result) => `over ${result.settled?.rounds ?? '?'} rounds: ${oursText(result.rows)}`);
    }
    // A row still below 1.0 with nothing to explain it: its group once more in new processes
    // (fresh.ts), kept beside its figures. Not with --fresh-agents, where every group already was.
    if (opts.settle && !opts.freshAgents && setup) {
      const agentsOf = setup;
      const unexplained = unexplainedGroups(results, explanations);
      if (unexplained.length > 0) progress(`bench: ${unexplained.length} group(s) with a row not explained, measured once more in new processes: ${unexplained.map((u) => u.group).join(', ')}`);
      await passOver(unexplained, 'is not measured in new processes', async (whole, previous, u) => {
        const group = judgedPart(whole);
        forgetWarmups(measureOptions.warmed, group.contenders, await agentsOf.freshen(group));
        // As many rounds as the row has (its first ones and any more): the figure that may explain
        // it must be no noisier than the row itself.
        const rounds = freshRounds(previous, opts.measure.rounds);
        const again = await measureGroup(group, agentsOf.agents, { port: (agent, listener) => ports.get(`${agent}|${listener}`) }, { ...measureOptions, rounds });
        return { ...previous, fresh: { rounds, why: freshReason(u), rows: again.rows } };
      }, (result) => `in new processes: ${oursText(result.fresh?.rows ?? [])}`);
    }
    // The quick check judges a group that failed on a second measurement: a real regression fails
    // both, a round that starved on a busy machine rarely twice.
    if (opts.quick && !opts.writeBaseline && setup) {
      remeasured = failedGroups(checkBaseline(opts.baseline, results));
      if (remeasured.length > 0) progress(`bench --quick: below the baseline, measured once more: ${remeasured.join(', ')}`);
      for (const id of remeasured) {
        const group = groups.find((g) => g.id === id);
        const index = results.findIndex((r) => r.id === id);
        if (!group || index < 0) continue;
        results[index] = await measure(group, setup);
      }
    }
  } finally {
    await Promise.allSettled([...(setup?.agents.values() ?? [])].map((a) => a.stop()));
    removeRunContainersSync(runId);
  }
  // A data-file part that fails (an image that does not build, a worker that dies) is reported
  // beside the RPC groups' results, which took most of the run: it does not throw them away.
  let datafileError: string | undefined;
  if (opts.datafile) {
    try {
      const nodeImage = opts.hostAgents ? undefined : (await ensureNodeImage(progress)).tag;
      const settle = opts.settle ? { rounds: SETTLE.extraRounds, why: (rows: readonly DatafileRow[]) => unsettledDatafile(rows, explanations) } : undefined;
      datafile = await runDatafileBench({ rounds: opts.measure.rounds, out: opts.out, runId, progress, ...(nodeImage ? { nodeImage } : {}), ...(settle ? { settle } : {}) });
    } catch (error) {
      datafileError = error instanceof Error ? error.message : String(error);
      progress(`bench: the data-file part failed: ${datafileError}`);
    }
  }
  const finished = Date.now();
  const report: BenchReport = {
    run: {
      started: new Date(started).toISOString(), finished: new Date(finished).toISOString(), seconds: Math.round((finished - started) / 1000),
      mode: opts.quick ? 'quick' : opts.only || opts.datafileOnly ? 'partial' : 'full', git: gitRevision(), node: process.version, cpus: availableParallelism(),
      loadAverage: { start: load, end: loadavg() }, interrupted,
      rounds: opts.measure.rounds, durationMs: opts.measure.durationMs, warmupMs: opts.measure.warmupMs,
      warmupWindows: opts.measure.warmupWindows, warmupWindowMs: opts.measure.warmupWindowMs, firstWarmupMs: opts.measure.firstWarmupMs,
      pinning: opts.measure.pin ? 'one call in flight: client on CPU 0, server on CPU 1 (taskset); otherwise every CPU' : 'none',
      nodeAgents: `${setup?.nodeAgents ?? 'none'}${opts.hostTwin ? '; rows "ours@host": ours as host processes (--host-twin), in the same rounds' : ''}${opts.freshAgents ? '; a new process for every Node agent of a group before the group and before its more rounds (--fresh-agents)' : ''}${opts.nodeFlags.length > 0 ? `; our agents run with ${opts.nodeFlags.join(' ')} (--node-flag)` : ''}${opts.cpuProf ? '; our agents run under --cpu-prof' : ''}`,
      jvm: 'the peer image\'s entrypoint without -XX:TieredStopAtLevel=1 and -XX:+UseSerialGC (JVM defaults: C2, G1), -Dhttp.maxConnections=64 in the bench role',
    },
    peers: setup?.peerInfo ?? [],
    groups: results,
    excluded: EXCLUDED.map((e) => ({ ...e })),
    notStarted: [...(setup?.notStarted ?? new Map<string, string>())].map(([what, reason]) => ({ what, reason })),
    ...(datafile ? { datafile } : {}),
    ...(datafileError !== undefined ? { datafileError } : {}),
  };
  let exitCode = datafileError === undefined ? 0 : 1;
  if (opts.quick) {
    if (opts.writeBaseline) {
      writeBaseline(opts.baseline, report);
      progress(`bench: wrote the baseline ${opts.baseline}`);
    }
    const check = { ...checkBaseline(opts.baseline, report.groups), ...(remeasured.length > 0 ? { remeasured } : {}) };
    report.quick = check;
    if (!check.ok) exitCode = 1;
  }
  const written = writeReports(report, opts.out);
  printSummary(report);
  progress(`bench: ${report.run.seconds} s; wrote ${written.join(', ')}`);
  return exitCode;
}

function emptyResult(group: Group): GroupResult {
  return {
    id: group.id, family: group.axis.family, transport: group.axis.transport, protocol: group.axis.protocol, payload: group.shape.payloadName,
    inflight: group.shape.inflight, peer: group.peer, pinned: false, rows: [], measurements: [],
  };
}

function printSummary(report: BenchReport): void {
  const below = belowOne(report);
  const unexplained = below.filter((b) => !b.verdict.explainedBy).length;
  console.log(below.length === 0 ? 'bench: no row of ours is below 1.0x'
    : `bench: ${below.length} rows of ours below 1.0x (median ratio, ours / reference), ${unexplained} not explained by bench/explanations.json${report.quick ? ' (a quick run measures no floor: only a full run can judge the explanations that rest on one)' : ''}:`);
  for (const row of below) console.log(`  ${row.group} ${row.row}: ${row.median.toFixed(2)} (${row.min.toFixed(2)}-${row.max.toFixed(2)}): ${verdictText(row.verdict)}`);
  if (report.datafileError !== undefined) console.log(`bench: the data-file part FAILED: ${report.datafileError}`);
  if (report.quick) {
    console.log(report.quick.ok ? `bench --quick: within the baseline (${report.quick.checks.length} rows)` : 'bench --quick: REGRESSION against the baseline:');
    for (const c of report.quick.checks.filter((x) => !x.ok)) console.log(`  ${c.row}: ${c.reason}`);
  }
}

// A usage error is the caller's to fix: its message, not a stack trace. Anything else keeps its stack.
const code = await main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`bench: ${error.message}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return 2;
});
process.exit(code);
