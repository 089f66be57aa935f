// The kinds cpu-by-process.ts counts processes under, from what /proc shows of them.
import { describe, expect, it } from 'vitest';
import { kindOf } from './cpu-by-process.ts';

describe('cpu-by-process kinds', () => {
  it('tells the reference peers, vitest, docker and the kernel apart', () => {
    expect(kindOf({ comm: 'java', cmdline: 'java -Xmx512m -jar /app/peer.jar server --plan p', ppid: 900 })).toBe('java (reference peers)');
    expect(kindOf({ comm: 'python', cmdline: '/opt/venv/bin/python /opt/peer/peer.py server --plan p', ppid: 900 })).toBe('python (reference peers and tools)');
    expect(kindOf({ comm: 'runc:[2:INIT]', cmdline: 'runc init', ppid: 900 })).toBe('container processes (seen starting)');
    expect(kindOf({ comm: 'node', cmdline: 'node /repo/node_modules/vitest/dist/workers/forks.js', ppid: 10 })).toBe('node: vitest workers');
    expect(kindOf({ comm: 'node', cmdline: 'node /repo/node_modules/vitest/vitest.mjs run', ppid: 10 })).toBe('node: vitest main');
    expect(kindOf({ comm: 'node', cmdline: 'node /repo/harness/vitest/server-host-process.ts', ppid: 10 })).toBe('node: our ts-server servers (server hosts)');
    expect(kindOf({ comm: 'node', cmdline: 'node harness/cli/main.ts run', ppid: 10 })).toBe('node: other');
    expect(kindOf({ comm: 'containerd-shim', cmdline: '/usr/bin/containerd-shim-runc-v2 -namespace moby', ppid: 1 })).toBe('docker engine and CLI');
    expect(kindOf({ comm: 'docker', cmdline: 'docker run --rm x', ppid: 10 })).toBe('docker engine and CLI');
    expect(kindOf({ comm: 'ksoftirqd/0', cmdline: '', ppid: 2 })).toBe('kernel threads');
    expect(kindOf({ comm: 'bash', cmdline: 'bash .ci/run', ppid: 10 })).toBe('other');
  });
});
