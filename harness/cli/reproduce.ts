// For --keep: the exact commands to look at, or redo, each failing cell by hand, read from
// results.json (the image, the peer's arguments and the kept container are recorded there).
import type { CaseResult, RunResults } from '../results/model.ts';
import { AXIS_FLAGS } from './args.ts';

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The CLI line that re-runs one cell, narrowed to the case when only one failed (globs take no lists). */
function cliCommand(result: CaseResult, onlyCase: string | undefined): string {
  const c = result.coordinates;
  const flags = Object.entries(AXIS_FLAGS)
    .filter(([flag, axis]) => flag !== 'peer' && c[axis] !== undefined) // the peer is implied by client and server
    .map(([flag, axis]) => `--${flag} ${quote(String(c[axis]))}`);
  const what = [`--implementation ${quote(c.implementation)}`, ...(c.version ? [`--versions ${quote(`${c.peer}@${c.version}`)}`] : [])];
  return ['node harness/cli/main.ts run', ...what, ...flags, ...(onlyCase ? [`--case ${quote(onlyCase)}`] : []), '--keep'].join(' ');
}

export function reproduceCommands(run: RunResults): string[] {
  const failing = run.results.filter((r) => r.outcome === 'fail' || r.outcome === 'timeout' || r.outcome === 'unexpected-pass');
  const byCell = new Map<string, CaseResult[]>();
  for (const r of failing) byCell.set(r.cellId, [...(byCell.get(r.cellId) ?? []), r]);
  const lines: string[] = [];
  for (const results of byCell.values()) {
    const first = results[0] as CaseResult;
    const c = first.coordinates;
    const cases = results.map((r) => r.coordinates.case);
    lines.push(`# ${c.direction} | ${first.title.split(' | ').slice(0, -1).join(' | ')}: ${cases.join(', ')}`);
    const peer = first.peerRun;
    if (peer?.containerId) {
      const id = peer.containerId.slice(0, 12);
      lines.push(`docker logs ${id}     # the peer server, left running`);
      lines.push(`docker rm -f ${id}    # when done (the next run also sweeps it)`);
    }
    if (peer) {
      // A plan lives in the run directory (kept with --keep), mounted at the same path.
      const plan = peer.args[peer.args.indexOf('--plan') + 1] ?? '';
      const runDir = plan.split('/').slice(0, -2).join('/');
      const mount = runDir ? `-v ${quote(runDir)}:${quote(runDir)} ` : '';
      lines.push(`docker run --rm --network host ${mount}${peer.image} ${peer.args.map(quote).join(' ')}`
        + (peer.role === 'client' ? '   # the peer client with its plan; needs our servers (run the next line with --keep)' : '   # the peer server with its plan, by hand'));
    }
    lines.push(cliCommand(first, cases.length === 1 ? cases[0] : undefined));
    if (first.logs.tap) lines.push(`cat ${first.logs.tap}`);
    if (first.logs.peer) lines.push(`cat ${first.logs.peer}`);
    lines.push('');
  }
  return lines;
}
