// Opens matrix.html, rendered from a fixture results.json this test writes, in headless Chromium
// (over the DevTools pipe; no port, no network) and checks that the grids, the filters and a
// drill-down render. Leaves a screenshot in reports/screenshots/matrix.png.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../docker/peers.ts';
import { reportsDir, writeResults } from '../../results/files.ts';
import { FIXTURE_TAP, fixtureResults } from '../fixture-results.ts';
import { renderAll } from '../render.ts';
import { Browser, type Page } from './cdp-pipe.ts';

// The browser is ensured once, before the tests are defined, so a missing one is a visible skip.
const ensured = await execa('bash', [join(REPO_ROOT, 'harness/host/bootstrap.sh'), '--chromium'], { reject: false, timeout: 600_000 });
const binary = /^CHROMIUM_BIN=(.+)$/m.exec(ensured.stdout)?.[1];
if (!binary) {
  process.stderr.write(`!!! SKIPPING the matrix.html browser test: no headless Chromium (${ensured.stderr.trim().split('\n').pop() ?? 'bootstrap failed'}) !!!\n`);
}

const FAILING_CELL = 'avro.ours-to-python.http.mail.http-server';

// In a full `npm test` these run beside the conformance suites' containers on a busy machine:
// the unit project's 5 s default is too short for Chromium there, and a drill-down test that times
// out before its screenshot leaves no reports/screenshots/matrix.png.
describe.skipIf(!binary)('matrix.html in headless Chromium', { timeout: 30_000 }, () => {
  let browser: Browser;
  let page: Page;
  let dir = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'conformance-matrix-html-'));
    mkdirSync(join(dir, 'tap'));
    const tap = join(dir, 'tap', 'fixture.tap');
    writeFileSync(tap, FIXTURE_TAP);
    writeResults(fixtureResults(tap), join(dir, 'results.json'));
    await renderAll(dir);
    browser = await Browser.launch(binary as string);
    page = await browser.open(pathToFileURL(join(dir, 'matrix.html')).href);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('draws the header and one client x server grid per family', async () => {
    const view = await page.evaluate<{ ready: string | null; grids: string[]; chips: string[]; header: string; versions: string }>(`({
      ready: document.body.getAttribute('data-ready'),
      grids: [...document.querySelectorAll('table.grid')].map((t) => t.dataset.family),
      chips: [...document.querySelectorAll('.chip')].map((c) => c.dataset.cell + ' ' + c.className + ' ' + c.querySelector('.score').textContent),
      header: document.getElementById('run-info').textContent + ' ' + document.getElementById('verdict').textContent,
      versions: document.getElementById('versions').textContent,
    })`);
    expect(view.ready).toBe('true');
    expect(view.grids).toEqual(['avro', 'thrift']);
    expect(view.chips).toEqual(expect.arrayContaining([
      `${FAILING_CELL} chip status-fail 2/4`,
      'avro.java-to-ours.socket.conformance.default chip status-fail 1/2',
      'thrift.ours-to-java.framed.compact.threaded-selector chip status-fail 1/2',
    ]));
    expect(view.header).toContain('2026-01-02T03:04:05.000Z');
    expect(view.header).toContain('0123456789abcdef');
    expect(view.header).toContain('120 s');
    expect(view.header).toContain('Gate failed: 3 problem(s)');
    expect(view.versions).toContain('avro (PyPI) 1.12.0');
    expect(view.versions).toContain('libthrift 0.22.0');
  });

  it('opens a cell\'s cases on click, with expected vs actual, the wire hex dump and the peer log', async () => {
    const drill = await page.evaluate<{ hash: string; rows: string[]; expected: string; actual: string; hex: string; log: string; message: string; scripts: number; open: boolean }>(`
      new Promise((resolve) => {
        window.addEventListener('hashchange', () => resolve(), { once: true });
        document.querySelector('.chip[data-cell="${FAILING_CELL}"]').click();
      }).then(() => {
        const failing = document.querySelector('#cases tr[data-outcome="fail"]');
        return {
          hash: location.hash,
          rows: [...document.querySelectorAll('#cases tr.case')].map((r) => r.dataset.outcome + ' ' + r.children[1].textContent),
          expected: failing.querySelector('pre.expected').textContent,
          actual: failing.querySelector('pre.actual').textContent,
          hex: failing.querySelector('pre.hexdump').textContent,
          log: failing.querySelector('pre.peer-log').textContent,
          message: failing.querySelector('pre.message').textContent,
          scripts: document.scripts.length,
          open: failing.querySelector('details').open,
        };
      })`);
    expect(drill.hash).toBe(`#cell=${FAILING_CELL}`);
    expect(drill.rows).toEqual(['pass mail-send-ascii', 'fail mail-send-unicode', 'expected-failure ping', 'pass mail-send-64k-body']);
    expect(drill.open).toBe(true);
    expect(drill.expected).toBe('"Sent message to 张三"');
    expect(drill.actual).toBe('"Sent message to ??"');
    expect(drill.hex.split('\n')[0]).toBe('00000000  00 00 00 10 53 65 6e 74  20 6d 65 73 73 61 67 65  |....Sent message|');
    expect(drill.hex.split('\n')[1]).toMatch(/^00000010  20 74 6f 20 78 +\| to x\|$/);
    expect(drill.log).toContain('UnicodeDecodeError');
    // Case data is shown as text, never run as markup.
    expect(drill.message).toContain('<script>alert(1)</script>');
    expect(drill.scripts).toBe(2);
    const png = await page.screenshotPng();
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    mkdirSync(join(reportsDir(), 'screenshots'), { recursive: true });
    writeFileSync(join(reportsDir(), 'screenshots', 'matrix.png'), png);
  });

  it('filters the grids by any axis and by outcome', async () => {
    const counts = await page.evaluate<{ thrift: string[]; unexpected: string[]; none: string }>(`(() => {
      const choose = (axis, value) => { const s = document.querySelector('select[data-axis="' + axis + '"]'); s.value = value; s.dispatchEvent(new Event('change')); };
      const families = () => [...document.querySelectorAll('table.grid')].map((t) => t.dataset.family);
      choose('family', 'thrift');
      const thrift = families();
      choose('family', '');
      choose('outcome', 'unexpected-pass');
      const unexpected = [...document.querySelectorAll('.chip')].map((c) => c.dataset.cell);
      choose('transport', 'http');
      const none = document.getElementById('grids').textContent;
      return { thrift, unexpected, none };
    })()`);
    expect(counts.thrift).toEqual(['thrift']);
    expect(counts.unexpected).toEqual(['avro.java-to-ours.socket.conformance.default']);
    expect(counts.none).toBe('No case matches these filters.');
  });

  it('is one self-contained file that loads nothing from elsewhere', () => {
    const html = readFileSync(join(dir, 'matrix.html'), 'utf8');
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).toContain(`content="default-src 'none';`);
  });
});
