// A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (file descriptors 3 and 4,
// messages separated by NUL): no port is opened, nothing leaves the machine. Enough for the
// matrix.html test: open a page, evaluate script, take a screenshot.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** Flags for headless Chromium as root with no network: no sandbox, no background fetches. */
export const HEADLESS_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-extensions', '--disable-dev-shm-usage', '--remote-debugging-pipe',
];

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
}

export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((method: string, params: Record<string, unknown>, sessionId?: string) => void)[] = [];
  private buffer = '';
  private readonly child: ChildProcess;
  private readonly profile: string;
  private readonly toBrowser: Writable;
  stderr = '';

  private constructor(binary: string) {
    this.profile = mkdtempSync(join(tmpdir(), 'conformance-chromium-'));
    this.child = spawn(binary, [...HEADLESS_FLAGS, `--user-data-dir=${this.profile}`, '--window-size=1400,1000', 'about:blank'],
      { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
    this.toBrowser = this.child.stdio[3] as Writable;
    const fromBrowser = this.child.stdio[4] as Readable;
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk: string) => this.receive(chunk));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => { this.stderr = (this.stderr + chunk).slice(-4000); });
    this.child.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited (${code}): ${this.stderr}`));
      this.pending.clear();
    });
  }

  static async launch(binary: string): Promise<Browser> {
    const browser = new Browser(binary);
    await browser.send('Browser.getVersion');
    return browser;
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const message = JSON.parse(this.buffer.slice(0, end)) as {
        id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string;
      };
      this.buffer = this.buffer.slice(end + 1);
      if (message.id !== undefined) {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message.result ?? {});
      } else if (message.method) {
        for (const listener of this.listeners) listener(message.method, message.params ?? {}, message.sessionId);
      }
    }
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  waitFor(method: string, sessionId: string, timeoutMs: number): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${method} within ${timeoutMs} ms`)), timeoutMs);
      this.listeners.push((m, params, s) => {
        if (m === method && s === sessionId) { clearTimeout(timer); resolve(params); }
      });
    });
  }

  /** Opens a page and resolves once its load event fired; returns the session for that page. */
  async open(url: string, timeoutMs = 20_000): Promise<Page> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' }) as { targetId: string };
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true }) as { sessionId: string };
    await this.send('Page.enable', {}, sessionId);
    await this.send('Emulation.setDeviceMetricsOverride', { width: 1400, height: 1000, deviceScaleFactor: 1, mobile: false }, sessionId);
    const loaded = this.waitFor('Page.loadEventFired', sessionId, timeoutMs);
    await this.send('Page.navigate', { url }, sessionId);
    await loaded;
    return new Page(this, sessionId);
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) resolve();
      else this.child.once('exit', () => resolve());
    });
    await this.send('Browser.close').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  private readonly browser: Browser;
  private readonly sessionId: string;

  constructor(browser: Browser, sessionId: string) {
    this.browser = browser;
    this.sessionId = sessionId;
  }

  /** Evaluates an expression in the page; its value must be JSON. Page exceptions become errors. */
  async evaluate<T>(expression: string): Promise<T> {
    const reply = await this.browser.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, this.sessionId) as {
      result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (reply.exceptionDetails) throw new Error(`page: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`);
    return reply.result.value as T;
  }

  async screenshotPng(): Promise<Buffer> {
    const { data } = await this.browser.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, this.sessionId) as { data: string };
    return Buffer.from(data, 'base64');
  }
}
