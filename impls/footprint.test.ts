// What loading our implementations costs a process that uses them. Every major garbage collection
// marks the process's whole heap, and a client echoing 64 KiB values over TCP made 4-10 times more
// of them per call with node:http loaded than without (impls/thrift/profile/README.md, "Eighth
// pass"): so node:http and node:https are taken when an HTTP transport is first used, never on import.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ADAPTERS = ['./thrift/adapter.ts', './avro/adapter.ts'].map((path) => fileURLToPath(new URL(path, import.meta.url)));

/** The Node built-in modules a fresh process has loaded after importing `modules` and running `then`. */
function builtinsAfter(modules: readonly string[], then = ''): string[] {
  const script = `${modules.map((m) => `await import(${JSON.stringify(m)});`).join('')}${then}
process.stdout.write(JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as string[];
}

describe('loading our implementations', () => {
  it('does not load node:http or node:https: only an HTTP transport, when used, does', () => {
    const loaded = builtinsAfter(ADAPTERS);
    expect(loaded).toContain('net'); // the check sees what was loaded
    expect(loaded.filter((m) => /^(https?|_http_\w+)$/.test(m))).toEqual([]);
  });

  it('loads node:http once an HTTP transport is used (the check can fail)', () => {
    const loaded = builtinsAfter(ADAPTERS, "process.getBuiltinModule('node:http');");
    expect(loaded).toContain('http');
  });
});
