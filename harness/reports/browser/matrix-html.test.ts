// Opens matrix.html, rendered from a fixture run (with a baseline run kept before it), in headless
// Chromium through puppeteer-core, and checks what a person sees: the grids and their colours,
// the legend, the pair lines (the same as matrix.md's), a drill-down that loads the family's data
// and scrolls to the cell, expected vs actual, the upstream link, the comparison and the version
// grid, the filters, and that nothing is loaded from anywhere but the reports folder. Leaves
// screenshots in reports/screenshots/: matrix.png (the grids), drilldown.png, comparison.png.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportsDir, writeResults } from '../../results/files.ts';
import { BARE_NAN, FIXTURE_TAP, fixtureBaseline, fixtureCellId, fixtureResults, THRIFT_TO_PYTHON_NEW } from '../fixture-results.ts';
import { renderAll } from '../render.ts';
import { findChromium, inPage, launchChromium, type Headless } from './chromium.ts';
import { scratchDirectory } from '../../run/scratch.ts';

// The browser is ensured once, before the tests are defined, so a missing one is a visible skip.
const chromium = await findChromium();
if (!chromium.binary) process.stderr.write(`!!! SKIPPING the matrix.html browser tests: no headless Chromium (${chromium.problem}) !!!\n`);

const FAILING_CELL = 'avro.ours-to-python.http.mail.http-server';
const NEW_PYTHON_CELL = fixtureCellId(THRIFT_TO_PYTHON_NEW);

async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(join(reportsDir(), 'screenshots'), { recursive: true });
  const png = await page.screenshot({ fullPage });
  expect(Buffer.from(png).subarray(1, 4).toString('latin1')).toBe('PNG');
  writeFileSync(join(reportsDir(), 'screenshots', name), png);
}

/** Sets location.hash and waits until the page has drawn what it routes to. */
async function go(page: Page, hash: string, ready: string): Promise<void> {
  await inPage(page, `location.hash = ${JSON.stringify(hash)}`);
  await page.waitForSelector(ready, { timeout: 10_000 });
}

/** Whether an element's top edge sits inside the viewport (the drill-down scrolled to it). */
function inView(page: Page, selector: string): Promise<boolean> {
  return inPage(page, `(() => {
    const top = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect().top;
    return top >= -1 && top < window.innerHeight;
  })()`);
}

/** Whether an element was scrolled to the top of the window (what the drill-down does), not merely visible. */
function atTop(page: Page, selector: string): Promise<boolean> {
  return inPage(page, `Math.abs(document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect().top) < 8`);
}

/** The text of the first element matching a selector ('' when none does). */
function textOf(page: Page, selector: string): Promise<string> {
  return inPage(page, `(document.querySelector(${JSON.stringify(selector)}) || {}).textContent || ''`);
}

// In a full `npm test` these run beside the conformance suites' containers on a busy machine:
// the unit project's 5 s default is too short for Chromium there.
describe.skipIf(!chromium.binary)('matrix.html in headless Chromium', { timeout: 30_000 }, () => {
  let browser: Headless;
  let page: Page;
  let dir = '';
  const requested: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = scratchDirectory('conformance-matrix-html-');
    mkdirSync(join(dir, 'tap'));
    const tap = join(dir, 'tap', 'avro.java-to-ours.socket.conformance.default.tap');
    writeFileSync(tap, FIXTURE_TAP);
    writeResults(fixtureBaseline(tap), join(dir, 'results.json'));
    await renderAll(dir, { log: () => undefined });
    writeResults(fixtureResults(tap), join(dir, 'results.json'));
    await renderAll(dir, { log: () => undefined });
    browser = await launchChromium(chromium.binary as string);
    page = await browser.browser.newPage();
    page.on('request', (request) => { requested.push(request.url()); });
    page.on('pageerror', (error) => { pageErrors.push(String(error)); });
    await page.goto(pathToFileURL(join(dir, 'matrix.html')).href, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('draws the header, the legend, and per family an implementation x peer grid coloured by the interoperating share', async () => {
    const view = await inPage<{ families: string[]; header: string; legend: string; entries: { at: string; text: string; colour: string }[] }>(page, `({
      families: [...document.querySelectorAll('section.family')].map((s) => s.getAttribute('data-family')),
      header: ['run-info', 'verdict', 'timing'].map((id) => document.getElementById(id).textContent).join(' '),
      legend: document.getElementById('legend').textContent,
      entries: [...document.querySelectorAll('table.grid[data-family] .pair')].map((b) => ({
        at: b.closest('table').getAttribute('data-family') + ' ' + b.getAttribute('data-row') + '/' + b.getAttribute('data-col'),
        text: [...b.children].map((c) => c.textContent).join(' '),
        colour: getComputedStyle(b).backgroundColor,
      })),
    })`);
    expect(view.families).toEqual(['avro', 'thrift']);
    expect(view.header).toContain('2026-01-02T03:04:05.000Z');
    expect(view.header).toContain('Gate failed: 4 problem(s)');
    expect(view.header).toContain('Time: image builds 1m 5s · container starts 12s · cases 40s · reporting 2s');
    expect(view.legend).toContain('the share of the cases that ran which interoperate');
    expect(view.legend).toContain('counts as not interoperating');
    expect(view.entries.map((e) => `${e.at}: ${e.text}`)).toEqual([
      'avro ours/java: 66.6% 2/3 ‼1 ⚑1 ⊘1 gate ✗1', 'avro ours/python: 50% 2/4 ✗1 ⚑1 ↻1 gate ✗1',
      'thrift ours/java: 50% 1/2 ⏱1 gate ✗1', 'thrift ours/python: 66.6% 4/6 ✗1 ⚑1 gate ✗1',
    ]);
    // 50% is redder than 66.6%: the red channel stays high, the green channel rises with the share.
    const green = (rgb: string): number => Number(/rgb\(\d+, (\d+)/.exec(rgb)?.[1]);
    expect(green(view.entries[1]?.colour ?? '')).toBeLessThan(green(view.entries[0]?.colour ?? ''));
    await screenshot(page, 'matrix.png', true);
  });

  it('writes the same pair lines as matrix.md', async () => {
    const lines = await inPage<string[]>(page, `[...document.querySelectorAll('.pair-lines li')].map((li) => li.textContent)`);
    const md = readFileSync(join(dir, 'matrix.md'), 'utf8').split('\n').filter((l) => l.includes(' ↔ ')).map((l) => l.slice(2));
    expect(lines).toHaveLength(4);
    expect(lines).toEqual(md);
  });

  it('opens a pair on click and scrolls to it; a cell\'s cases load from the family\'s data file and scroll into view', async () => {
    await inPage(page, 'window.scrollTo(0, 0)');
    await page.click('table.grid[data-family="avro"] .pair[data-row="ours"][data-col="python"]');
    await page.waitForSelector('.panel[data-family="avro"] .chip');
    expect(await inPage(page, 'location.hash')).toBe('#pair=avro|ours|python');
    expect(await atTop(page, '.panel[data-family="avro"]')).toBe(true);
    expect(await textOf(page, '.panel[data-family="avro"] .pair-line')).toMatch(/^ours ↔ python: 2\/4 interoperate/);
    await page.click(`.chip[data-cell="${FAILING_CELL}"]`);
    await page.waitForSelector('#cases tr.case');
    expect(requested.some((url) => url.endsWith('/matrix-data/avro.js'))).toBe(true);
    expect(requested.some((url) => url.endsWith('/matrix-data/thrift.js'))).toBe(false); // loaded on demand only
    const drill = await inPage<{ rows: string[]; open: boolean; expected: string; actual: string; differs: string[]; hex: string; log: string; message: string; scripts: number }>(page, `(() => {
      const failing = document.querySelector('#cases tr[data-outcome="fail"]');
      return {
        rows: [...document.querySelectorAll('#cases tr.case')].map((r) => r.getAttribute('data-outcome') + ' ' + r.children[1].textContent),
        open: failing.querySelector('details').open,
        expected: failing.querySelector('pre.expected').textContent, actual: failing.querySelector('pre.actual').textContent,
        differs: [...failing.querySelectorAll('pre.expected mark, pre.actual mark')].map((m) => m.textContent),
        hex: failing.querySelector('pre.hexdump').textContent, log: failing.querySelector('pre.peer-log').textContent,
        message: failing.querySelector('pre.message').textContent, scripts: document.querySelectorAll('script').length,
      };
    })()`);
    expect(drill.rows).toEqual(['pass mail-send-ascii', 'fail mail-send-unicode', 'expected-failure ping', 'pass mail-send-64k-body']);
    expect(drill.open).toBe(true);
    expect(drill.expected).toBe('"Sent message to 张三"');
    expect(drill.actual).toBe('"Sent message to ??"');
    expect(drill.differs).toEqual(['张三', '??']);
    expect(drill.hex.split('\n')[0]).toBe('00000000  00 00 00 10 53 65 6e 74  20 6d 65 73 73 61 67 65  |....Sent message|');
    expect(drill.log).toContain('UnicodeDecodeError');
    expect(drill.message).toContain('<script>alert(1)</script>'); // case data is text, never markup
    expect(drill.scripts).toBe(3); // the summary, the page script, and the one data file
    expect(await inView(page, '.cases-box')).toBe(true);
    await screenshot(page, 'drilldown.png');
  });

  it('shows expected vs actual read back from an old-style message, and the known failure\'s upstream link', async () => {
    await inPage(page, 'window.scrollTo(0, 0)');
    await go(page, `cell=${NEW_PYTHON_CELL}&case=echo-labels`, `.cases-box[data-cell="${NEW_PYTHON_CELL}"] tr.target`);
    expect(await atTop(page, 'tr.target')).toBe(true); // the case itself, not just its cell's table
    const labels = await inPage<{ expected: string; actual: string; note: string }>(page, `(() => {
      const row = document.querySelector('tr.target');
      return { expected: row.querySelector('pre.expected').textContent, actual: row.querySelector('pre.actual').textContent, note: row.textContent };
    })()`);
    expect(labels).toMatchObject({ expected: '[["__proto__","p"],["a","b"]]', actual: '[["a","b"]]' });
    expect(labels.note).toContain('read back from the message text');
    await go(page, `cell=${NEW_PYTHON_CELL}&case=double-nan`, 'tr.target[data-case="double-nan"] .upstream a');
    const upstream = await inPage<{ links: string[]; text: string }>(page, `(() => {
      const p = document.querySelector('tr.target .upstream');
      return { links: [...p.querySelectorAll('a')].map((a) => a.getAttribute('href')), text: p.textContent };
    })()`);
    expect(upstream.links).toEqual(['https://issues.apache.org/jira/browse/THRIFT-0000']);
    expect(upstream.text).toBe(`Upstream: ${BARE_NAN.upstream}`);
  });

  it('compares with the previous run: counts, and links that drill down to the case', async () => {
    const counts = await textOf(page, '#comparison-counts');
    expect(counts).toContain('1 new failure(s), 1 fixed, 6 new case(s), 1 removed, 1 other change(s), 7 unchanged');
    const lists = await inPage<string[]>(page, `[...document.querySelectorAll('#comparison details.changes')].map((d) => d.getAttribute('data-kind') + ': ' + d.querySelector('summary').textContent)`);
    expect(lists).toEqual(['newFailures: New failures (1)', 'fixed: Fixed (1)', 'added: New cases (6)', 'removed: Removed cases (1)', 'otherChanges: Other changes of outcome (1)']);
    await inPage(page, 'window.scrollTo(0, 0)');
    await screenshot(page, 'comparison.png');
    await page.click('#comparison details[data-kind="newFailures"] a');
    await page.waitForSelector(`.cases-box[data-cell="${FAILING_CELL}"] tr.target[data-case="mail-send-unicode"]`);
    expect(await atTop(page, 'tr.target')).toBe(true);
  });

  it('draws the version grid and lists the cases whose behaviour changed between releases', async () => {
    const grid = await inPage<{ cells: string[]; changes: string }>(page, `(() => {
      const box = document.querySelector('.version-grid[data-peer="python"]');
      return { cells: [...box.querySelectorAll('.pair')].map((b) => b.textContent), changes: box.querySelector('.behaviour-changes').textContent };
    })()`);
    expect(grid.cells).toEqual(['100%3/3', '33.3%1/3Δ2gate ✗1']);
    expect(grid.changes).toContain('python 0.20.0 → 0.21.0 · ours · framed · json: double-nan (pass → expected-failure), echo-labels (pass → fail)');
  });

  it('filters the grids by any axis, including the ones a run adds, and by outcome', async () => {
    const result = await inPage<{ version: string[]; unexpected: string[]; none: string; axes: string[] }>(page, `(() => {
      const choose = (axis, value) => {
        const select = document.querySelector('select[data-axis="' + axis + '"]');
        select.value = value;
        select.dispatchEvent(new Event('change'));
      };
      const entries = () => [...document.querySelectorAll('table.grid[data-family] .pair')]
        .map((b) => b.closest('table').getAttribute('data-family') + ' ' + b.getAttribute('data-col') + ' ' + b.querySelector('.score').textContent);
      choose('version', '0.21.0');
      const version = entries();
      choose('version', '');
      choose('outcome', 'unexpected-pass');
      const unexpected = entries();
      choose('transport', 'http');
      const none = document.getElementById('families').textContent;
      choose('outcome', '');
      choose('transport', '');
      return { version, unexpected, none, axes: [...document.querySelectorAll('#filters select')].map((s) => s.getAttribute('data-axis')) };
    })()`);
    expect(result.version).toEqual(['thrift python 1/3']);
    expect(result.unexpected).toEqual(['avro java 2/3']);
    expect(result.none).toBe('No cell matches these filters.');
    expect(result.axes).toEqual(expect.arrayContaining(['family', 'version', 'socket', 'outcome']));
  });

  it('loads nothing but its own files, and says so when a data file is missing', async () => {
    const html = readFileSync(join(dir, 'matrix.html'), 'utf8');
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).toContain(`content="default-src 'none';`);
    const base = pathToFileURL(dir).href;
    expect(requested.filter((url) => !url.startsWith(base))).toEqual([]);
    expect(pageErrors).toEqual([]);
    const bare = scratchDirectory('conformance-matrix-html-bare-');
    cpSync(join(dir, 'matrix.html'), join(bare, 'matrix.html'));
    const lonely = await browser.open(`${pathToFileURL(join(bare, 'matrix.html')).href}#cell=${FAILING_CELL}`);
    await lonely.waitForFunction(`((document.querySelector('.cases-box') || {}).textContent || '').includes('could not load')`, { timeout: 10_000 });
    expect(await textOf(lonely, '.cases-box')).toContain('could not load matrix-data/avro.js');
    await lonely.close();
    rmSync(bare, { recursive: true, force: true });
  });
});
