// Headless Chromium for the report's browser tests, driven by puppeteer-core over a pipe (no
// debugging port, nothing leaves the machine). The binary is the system's, found or installed by
// harness/host/bootstrap.sh --chromium; every launch gets a fresh profile that close() removes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { REPO_ROOT } from '../../docker/peers.ts';

/** Flags for headless Chromium as root with no network: no sandbox, no background fetches. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-extensions', '--disable-dev-shm-usage',
];

export const VIEWPORT = { width: 1400, height: 1000 } as const;

/** The Chromium binary, or why there is none (the caller skips loudly). */
export async function findChromium(): Promise<{ binary?: string; problem?: string }> {
  const ensured = await execa('bash', [join(REPO_ROOT, 'harness/host/bootstrap.sh'), '--chromium'], { reject: false, timeout: 600_000 });
  const binary = /^CHROMIUM_BIN=(.+)$/m.exec(ensured.stdout)?.[1];
  return binary ? { binary } : { problem: ensured.stderr.trim().split('\n').pop() ?? 'bootstrap.sh --chromium failed' };
}

/**
 * Evaluates an expression in the page and returns its (JSON) value. Expressions are strings
 * because the project compiles for Node: a function body using document or window would not
 * type-check here.
 */
export function inPage<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}

export interface Headless {
  readonly browser: Browser;
  /** Opens a URL and waits for its load event. */
  open(url: string): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(binary: string): Promise<Headless> {
  const profile = mkdtempSync(join(tmpdir(), 'conformance-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: binary, headless: true, pipe: true, userDataDir: profile, args: [...CHROMIUM_FLAGS], defaultViewport: VIEWPORT,
  });
  return {
    browser,
    async open(url: string): Promise<Page> {
      const page = await browser.newPage();
      await page.goto(url, { waitUntil: 'load' });
      return page;
    },
    async close(): Promise<void> {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
