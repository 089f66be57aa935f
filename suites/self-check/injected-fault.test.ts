// The suite must be able to fail, and say why in bytes. This runs the real CLI against the real
// Python Avro peer with one wire-level fault injected on purpose (`run --inject-fault`: the
// fault proxy inverts one byte of our client's request) and checks that the run fails and that
// the hex dump of what the peer received is in results.json, in the JUnit failure and in the
// matrix.html drill-down (opened in headless Chromium). Leaves reports/screenshots/injected-fault.png.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../../harness/docker/peers.ts';
import { findChromium, inPage, launchChromium } from '../../harness/reports/browser/chromium.ts';
import { reportsDir } from '../../harness/results/files.ts';
import type { RunResults } from '../../harness/results/model.ts';
import { ENV } from '../../harness/results/run-options.ts';
import { scratchDirectory } from '../../harness/run/scratch.ts';

const CASE = 'echo-int-max';
const CELL = ['--family', 'avro', '--implementation', 'ours', '--peer', 'python', '--direction', 'ts-client', '--transport', 'tcp'];

// Only in an unfiltered run: a filtered run (the nested one below included) is about other cells.
const filtered = Boolean(process.env[ENV.filter] || process.env[ENV.caseGlob]);

/** The environment of a fresh CLI run: nothing of this vitest run may leak into the nested one. */
function cleanEnvironment(reports: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(VITEST|CONFORMANCE_|NODE_OPTIONS$|TEST$)/.test(name)) env[name] = value;
  }
  return { ...env, CONFORMANCE_REPORTS_DIR: reports, CI: 'true' };
}

describe.skipIf(!inject('conformance').docker || filtered)('a run with a wire-level fault injected on purpose', { timeout: 600_000 }, () => {
  it(`fails, and shows the broken bytes in results.json, JUnit and matrix.html (${CASE}, ours -> python, tcp)`, async () => {
    const reports = scratchDirectory('conformance-injected-fault-');
    const run = await execa(process.execPath, ['harness/cli/main.ts', 'run', ...CELL, '--case', CASE, '--inject-fault', CASE], {
      cwd: REPO_ROOT, env: cleanEnvironment(reports), extendEnv: false, reject: false, timeout: 540_000, all: true,
    });
    expect(run.exitCode, run.all).toBe(1);
    expect(run.all).toMatch(new RegExp(`FAIL avro \\| ours -> python@[0-9.]+ \\| tcp \\| conformance \\| tcp \\| socketserver \\| ${CASE}`));

    const results = JSON.parse(readFileSync(join(reports, 'results.json'), 'utf8')) as RunResults;
    expect(results.run.injectFault).toBe(CASE);
    expect(results.results.map((r) => `${r.coordinates.case} ${r.outcome}`)).toEqual([`${CASE} fail`]);
    const [result] = results.results;
    const wire = result?.failure?.wire ?? [];
    const ours = wire.find((w) => w.label.startsWith('our client sent'));
    const injected = wire.find((w) => w.label.startsWith('injected fault'));
    expect(ours && injected, JSON.stringify(wire)).toBeTruthy();
    // The peer got our request with exactly one byte inverted, where the label says.
    const sent = Buffer.from(ours?.hex ?? '', 'hex');
    const received = Buffer.from(injected?.hex ?? '', 'hex');
    expect(received.length).toBe(sent.length);
    const differing = [...sent.keys()].filter((i) => sent[i] !== received[i]);
    expect(differing).toHaveLength(1);
    const at = differing[0] ?? -1;
    expect((sent[at] ?? 0) ^ (received[at] ?? 0)).toBe(0xff);
    expect(injected?.label).toContain(`byte ${at} inverted`);

    const junit = readFileSync(join(reports, 'junit', 'conformance-avro.xml'), 'utf8');
    expect(junit).toMatch(new RegExp(`<failure type="fail"[^>]*>[^<]*wire \\(injected fault[^<]*${injected?.hex}`));

    // The page holds the counts; a family's cases (and their dumps) are in matrix-data/<family>.js.
    const data = readFileSync(join(reports, 'matrix-data', 'avro.js'), 'utf8');
    expect(data).toContain(injected?.hex);
    const chromium = await findChromium();
    expect(chromium.binary, `no headless Chromium: ${chromium.problem}`).toBeTruthy();
    const browser = await launchChromium(chromium.binary as string);
    try {
      const page = await browser.open(`${pathToFileURL(join(reports, 'matrix.html')).href}#cell=${result?.cellId ?? ''}`);
      await page.waitForSelector('#cases tr[data-outcome="fail"]', { timeout: 10_000 });
      const view = await inPage<{ banner: string; outcome: string; labels: string[]; dumps: string[] }>(page, `(() => {
        const failing = document.querySelector('#cases tr[data-outcome="fail"]');
        return {
          banner: (document.getElementById('injected-fault') || {}).textContent || '',
          outcome: failing ? failing.children[1].textContent : '',
          labels: failing ? [...failing.querySelectorAll('.wire strong')].map((s) => s.textContent) : [],
          dumps: failing ? [...failing.querySelectorAll('pre.hexdump')].map((p) => p.textContent) : [],
        };
      })()`);
      expect(view.banner).toContain(`cases matching "${CASE}"`);
      expect(view.outcome).toBe(CASE);
      expect(view.labels.some((l) => l.includes('injected fault'))).toBe(true);
      // The dump's line holding the inverted byte shows it as the peer received it.
      const line = Math.floor(at / 16);
      const offset = `${(line * 16).toString(16).padStart(8, '0')}  `;
      const dumped = view.dumps.map((d) => d.split('\n').find((l) => l.startsWith(offset)) ?? '');
      expect(dumped.some((l) => l.includes((received[at] ?? 0).toString(16).padStart(2, '0')))).toBe(true);
      mkdirSync(join(reportsDir(), 'screenshots'), { recursive: true });
      writeFileSync(join(reportsDir(), 'screenshots', 'injected-fault.png'), await page.screenshot());
    } finally {
      await browser.close();
    }
  });
});
