import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterEach, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../backend/test/harness.ts';

// A browser journey on a busy 2-core CI machine can take longer than a unit test: give every
// browser test file more room than the suite-wide 30 s (waits inside stay bounded per step).
vi.setConfig({ testTimeout: 120_000 });

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');

/** Debian's Chromium, as CI installs it (`apt-get install chromium`). */
const chromiumPath = process.env.SKYY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Builds the console once when it is missing or older than its sources. Test files run in
 * parallel processes, so a lock folder makes the others wait for the one that builds.
 */
export function ensureConsoleBuilt(): void {
  const lock = path.join(repoRoot, 'frontend', '.build-lock');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test process is building; a lock older than five minutes is a crashed one.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // it was just removed: try again
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for the console build');
      spawnSync('sleep', ['1']);
    }
  }
  try {
    const result = spawnSync('node', ['frontend/scripts/ensure-build.mjs'], {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, SKYY_SKIP_CONSOLE_BUILD: '' },
    });
    if (result.status !== 0) throw new Error('the console build failed');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface ConsoleUnderTest {
  t: TestServer;
  /** http://127.0.0.1:<port> of the real backend serving the built console. */
  url: string;
  browser: Browser;
  /** A fresh browser context (own cookies) with a page at a laptop-sized viewport. */
  newPage(options?: { width?: number; height?: number }): Promise<Page>;
  /** Screenshots of every page still open, named after the failed test (for CI's artifacts). */
  captureFailure(testName: string, errors?: readonly { message?: string }[]): Promise<void>;
  /** Closes the pages of the test that just ran, so they stop listening to live events. */
  closePages(): Promise<void>;
  close(): Promise<void>;
}

/** A real backend on a temporary SQLite database, listening on a free port, and one Chromium. */
export async function startConsole(): Promise<ConsoleUnderTest> {
  ensureConsoleBuilt();
  const t = await startTestServer('sqlite', { server: { port: 0, host: '127.0.0.1' } });
  const url = (await t.server.listen()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    // Playwright gives every launch a fresh temporary profile (--user-data-dir).
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  const contexts: BrowserContext[] = [];
  const pages: Page[] = [];
  // What each page did, so a failed journey can be told apart: a page error, a request that never
  // left, or a slow server (written beside the failure screenshots).
  const traces = new Map<Page, string[]>();
  return {
    t,
    url,
    browser,
    async newPage({ width = 1280, height = 800 } = {}) {
      // Reduced motion: Material skips its animations, so nothing moves while the test clicks.
      const context = await browser.newContext({
        baseURL: url,
        viewport: { width, height },
        reducedMotion: 'reduce',
      });
      contexts.push(context);
      // Clicks and form submissions as the page saw them, for the failure trace.
      await context.addInitScript({ content: traceUserEvents });
      const page = await context.newPage();
      // Generous: this machine's two cores are shared with other test runs.
      page.setDefaultTimeout(45_000);
      pages.push(page);
      traces.set(page, traceOf(page));
      return page;
    },
    async captureFailure(testName, errors = []) {
      const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
      for (const [index, page] of pages.entries()) {
        if (!page.isClosed()) await screenshot(page, `FAILED-${slug}-${index}`).catch(() => undefined);
        mkdirSync(screenshotDir, { recursive: true });
        const failure = errors.map((error) => `failed: ${error.message ?? 'unknown error'}`);
        const trace = [...failure, ...(traces.get(page) ?? [])].join('\n');
        writeFileSync(path.join(screenshotDir, `FAILED-${slug}-${index}.log`), `${trace}\n`);
      }
    },
    async closePages() {
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
      pages.length = 0;
    },
    async close() {
      pages.length = 0;
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await t.close();
    },
  };
}

/**
 * Runs in the page (as text: this project's Node typings have no DOM): logs each click's target
 * and each form submission to the console, so a failure trace shows whether a click arrived.
 */
const traceUserEvents = `
  const describe = (target) => {
    if (!(target instanceof Element)) return String(target);
    const text = (target.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    return target.tagName.toLowerCase() + (target.id ? '#' + target.id : '') + ' "' + text + '"';
  };
  document.addEventListener('click', (e) => console.debug('[trace] click on ' + describe(e.target)), true);
  document.addEventListener('submit', (e) => console.debug('[trace] submit ' + describe(e.target)), true);
`;

/** Records the page's console, uncaught errors and API traffic with timestamps. */
function traceOf(page: Page): string[] {
  const lines: string[] = [];
  const started = Date.now();
  const note = (text: string): void => {
    lines.push(`${String(Date.now() - started).padStart(7)} ms  ${text}`);
  };
  const isApi = (url: string): boolean => new URL(url).pathname.startsWith('/api/');
  page.on('console', (message) => note(`console.${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => note(`page error: ${error.stack ?? error.message}`));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) note(`navigated: ${frame.url()}`);
  });
  page.on('request', (request) => {
    if (isApi(request.url())) note(`→ ${request.method()} ${request.url()}`);
  });
  page.on('response', (response) => {
    if (isApi(response.url()))
      note(`← ${response.status()} ${response.request().method()} ${response.url()}`);
  });
  page.on('requestfailed', (request) => {
    note(`✗ ${request.method()} ${request.url()}: ${request.failure()?.errorText ?? 'failed'}`);
  });
  return lines;
}

/**
 * Registers the after-each every browser test file wants: a failed test leaves screenshots and
 * traces of its pages (test-results/screenshots/FAILED-*), then the test's pages are closed so
 * they stop listening to live events. `app` is read late: the console starts in beforeAll.
 */
export function closePagesAfterEach(app: () => ConsoleUnderTest | undefined): void {
  afterEach(async ({ task }) => {
    const console = app();
    if (!console) return;
    if (task.result?.state === 'fail') await console.captureFailure(task.name, task.result.errors);
    await console.closePages();
  });
}

/** Saves what the page looks like now under test-results/screenshots/ (CI keeps the folder). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Signs in through the login page and waits for the first page of the console. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username or e-mail').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
}
