import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { ownCpuWait, readSchedstat } from './schedstat.ts';

const MODULE = new URL('./schedstat.ts', import.meta.url).pathname;

describe('schedstat', () => {
  it('reads this thread\'s time on a CPU', () => {
    const times = readSchedstat('/proc/thread-self/schedstat');
    expect(times?.ranMs).toBeGreaterThan(0);
    expect(readSchedstat('/proc/no-such-process/schedstat')).toBeUndefined();
  });

  // Two busy processes pinned to one CPU: each waits for it about half the time, and says so.
  it('sees the calling thread wait for a CPU it shares with a busy rival', async () => {
    const pinned = (code: string) => execa('taskset', ['-c', '0', process.execPath, '--input-type=module', '-e', code]);
    const rival = pinned('const end = Date.now() + 3_000; while (Date.now() < end);');
    try {
      const { stdout } = await pinned(`import { ownCpuWait } from ${JSON.stringify(MODULE)};
        const waited = ownCpuWait(); const end = Date.now() + 800; while (Date.now() < end); console.log(waited.stop());`);
      expect(Number(stdout)).toBeGreaterThan(150);
      // Alone, a thread that sleeps waits next to nothing.
      const alone = ownCpuWait();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(alone.stop()).toBeLessThan(1_000);
    } finally {
      rival.kill();
      await rival.catch(() => undefined);
    }
  });
});
