import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import type { Answer } from './protocol.ts';

const AGENT = new URL('./agent.ts', import.meta.url).pathname;

/** Starts `node [flags] bench/agent.ts raw`, sends one command, and returns its answer. */
async function askRawAgent(flags: readonly string[], command: object): Promise<Answer> {
  const child = spawn(process.execPath, [...flags, AGENT, 'raw'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      const parsed = JSON.parse(line) as Answer & { ready?: boolean };
      if (parsed.ready === true) child.stdin.write(`${JSON.stringify({ id: 7, ...command })}\n`);
      else return parsed;
    }
    throw new Error('the agent ended without an answer');
  } finally {
    child.kill();
  }
}

describe("the Node agent's collect command", () => {
  it('runs a full collection when the agent was started with --expose-gc (as Agent.node starts it)', async () => {
    expect(await askRawAgent(['--expose-gc'], { op: 'collect' })).toEqual({ id: 7, ok: true });
  });

  it('fails, saying why, in an agent started without --expose-gc: never a silent no-op', async () => {
    const answer = await askRawAgent([], { op: 'collect' });
    expect(answer.ok).toBe(false);
    expect(answer.error).toMatch(/--expose-gc/);
  });
});
