// A forked child answers by id, fails what waits for it when it hangs or dies (in its user's
// words, with the end of its stderr), is gone once kill() resolves, and, idle, does not keep its
// parent alive. The child is forked-child.fixture.ts.
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { ForkedChild, lastLines } from './forked-child.ts';

const FIXTURE = new URL('./forked-child.fixture.ts', import.meta.url);

type Request = { readonly op: 'echo' | 'hang' | 'die'; readonly text?: string; readonly afterMs?: number };
type Reply = { readonly id: number; readonly echo?: string };

const started: ForkedChild<Request, Reply>[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((child) => child.kill()));
});

async function fixture(): Promise<ForkedChild<Request, Reply>> {
  const child = new ForkedChild<Request, Reply>({
    script: FIXTURE, name: 'the fixture', execArgv: [],
    describeExit: ({ code, signal, output }) => `the fixture ended (code ${code}, signal ${signal}): ${lastLines(output, 2)}`,
  });
  started.push(child);
  await child.ready(10_000);
  return child;
}

describe('a forked child', () => {
  it('answers each request with the reply that carries its id, in whatever order they come', async () => {
    const child = await fixture();
    const slow = child.request({ op: 'echo', text: 'slow', afterMs: 200 });
    const fast = child.request({ op: 'echo', text: 'fast' });
    expect((await fast).echo).toBe('fast');
    expect((await slow).echo).toBe('slow');
  });

  it('fails a request not answered by its deadline, naming its op and the deadline, and answers the next', async () => {
    const child = await fixture();
    await expect(child.request({ op: 'hang' }, { op: 'hang', withinMs: 100 })).rejects.toThrow('the fixture did not answer hang within 100 ms (hung?)');
    expect((await child.request({ op: 'echo', text: 'still here' }, { op: 'echo', withinMs: 5_000 })).echo).toBe('still here');
  });

  it('that dies fails every waiting request in its user\'s words, with the end of its stderr', async () => {
    const child = await fixture();
    const waiting = child.request({ op: 'hang' });
    const dying = child.request({ op: 'die' });
    const ending = 'the fixture ended (code 3, signal null): second line | last words';
    await expect(waiting).rejects.toThrow(ending);
    await expect(dying).rejects.toThrow(ending);
    expect(child.ended).toBe(ending);
    await expect(child.request({ op: 'echo' })).rejects.toThrow(ending);
  });

  it('that exits before it is ready says so, with the end of what it printed', async () => {
    const child = new ForkedChild<Request, Reply>({
      script: new URL('./no-such-child.ts', import.meta.url), name: 'the missing child', execArgv: [], describeExit: () => 'ended',
    });
    started.push(child);
    await expect(child.ready(10_000)).rejects.toThrow(/^the missing child exited at start \(code 1\): .*Cannot find module .*no-such-child\.ts/);
  });

  it('is gone once kill() resolves, and says why it was killed when told', async () => {
    const child = await fixture();
    const pid = child.pid as number;
    await child.kill('stopped answering; killed');
    expect(child.ended).toBe('stopped answering; killed');
    // Its exit has been seen, so the process is reaped: the pid names nothing.
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  // Without unrefWhenIdle the IPC channel keeps the parent alive forever; a request in flight
  // must still keep it alive until answered (else Node ends it on an unsettled await).
  it('unref\'d while idle, does not keep its parent alive, yet holds it while a request waits', async () => {
    const parent = `
      import { ForkedChild } from ${JSON.stringify(new URL('./forked-child.ts', import.meta.url).href)};
      const child = new ForkedChild({ script: new URL(${JSON.stringify(FIXTURE.href)}), name: 'idle', execArgv: [], unrefWhenIdle: true, describeExit: () => 'ended' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      console.log((await child.request({ op: 'echo', text: 'answered', afterMs: 300 })).echo);`;
    const run = await execa(process.execPath, ['--input-type=module', '-e', parent], { timeout: 15_000, reject: false });
    expect({ exitCode: run.exitCode, stdout: run.stdout, timedOut: run.timedOut }).toEqual({ exitCode: 0, stdout: 'answered', timedOut: false });
  });
});
