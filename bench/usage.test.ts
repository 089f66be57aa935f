import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const MAIN = new URL('./main.ts', import.meta.url).pathname;

/** Runs the bench's command line as a person would (no docker is reached: these stop at the options). */
async function bench(...args: string[]): Promise<{ exitCode: number | undefined; stdout: string; stderr: string }> {
  const result = await execa(process.execPath, [MAIN, ...args], { reject: false, timeout: 30_000 });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}

describe('the bench command line', () => {
  it('answers a mistake with what was wrong and the usage, exit 2, and no stack trace', async () => {
    const cases: Array<[string[], string]> = [
      [['--rounds', '2', '--rounds', '3'], '--rounds given 2 times (2, 3)'],
      [['--bogus'], "Unknown option '--bogus'"],
      [['--rounds', 'x'], '--rounds x: expected a positive number'],
      [['--peer-image', 'java-thrift'], '--peer-image wants FOLDER=TAG'],
      [['--node-flag=trace-gc'], '--node-flag wants a flag such as --node-flag=--trace-gc, not trace-gc'],
    ];
    const results = await Promise.all(cases.map(([args]) => bench(...args)));
    for (const [i, [args, message]] of cases.entries()) {
      const { exitCode, stderr } = results[i] as Awaited<ReturnType<typeof bench>>;
      expect(exitCode, args.join(' ')).toBe(2);
      expect(stderr, args.join(' ')).toContain(`bench: ${message}`);
      expect(stderr, args.join(' ')).toContain('--only GLOB');
      expect(stderr, args.join(' ')).not.toMatch(/^\s+at /m);
    }
  });

  it('refuses a selection of no group, naming --list', async () => {
    const { exitCode, stderr } = await bench('--only', 'no/such/group', '--list');
    expect(exitCode).toBe(2);
    expect(stderr).toContain('bench: no group selected');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('lists the groups a glob selects, exit 0', async () => {
    const { exitCode, stdout } = await bench('--only', 'thrift/http/binary/int/1/*', '--list');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^thrift\/http\/binary\/int\/1\/java: .*ours client/m);
    expect(stdout).toMatch(/^1 groups, \d+ contenders$/m);
  });
});
