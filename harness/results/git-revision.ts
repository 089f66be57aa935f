// The revision a run was made from, for report headers. GITHUB_SHA wins in CI (checkouts may be shallow).
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../docker/peers.ts';

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export function gitRevision(): { revision: string; dirty: boolean } {
  const revision = process.env['GITHUB_SHA'] ?? git(['rev-parse', 'HEAD']) ?? 'unknown';
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return { revision, dirty: status !== undefined && status !== '' };
}
