import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs, type SignedInUser } from '../backend/test/auth-helpers.ts';
import {
  screenshot,
  signIn,
  startConsole,
  type ConsoleUnderTest,
  closePagesAfterEach,
} from './support/console.ts';

/** Jobs as an operator sees them: started from the console, log streaming in over SSE. */
// One retry: a browser journey on a loaded 2-core machine can miss a step by timing alone; a real defect fails twice.
describe('console: jobs', { retry: 1 }, () => {
  let app: ConsoleUnderTest;
  let operator: SignedInUser;

  beforeAll(async () => {
    app = await startConsole();
    operator = await signInAs(app.t, 'operator');
  }, 300_000);
  closePagesAfterEach(() => app);
  afterAll(() => app?.close());

  it('starts system.diagnostics, streams its log live, and says when it ends', async () => {
    const page = await app.newPage();
    const streams: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/v1/events')) streams.push(request.url());
    });
    await signIn(page, operator.username, operator.password);
    await page.goto('/jobs');
    await page.getByRole('button', { name: 'Start a job' }).click();
    await page.getByRole('menuitem', { name: /system\.diagnostics/ }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobId = page.url().split('/').pop() ?? '';

    const log = page.getByRole('log');
    await log.locator('.line').first().waitFor();
    await page.getByRole('status').filter({ hasText: 'succeeded' }).first().waitFor({ timeout: 30_000 });
    await page.getByText('Job system.diagnostics succeeded').waitFor();
    await screenshot(page, 'jobs-01-diagnostics-live-log');

    // What the page shows is what the API stored, and it came over the live event stream.
    const stored = await app.t.request({
      method: 'GET',
      url: `/api/v1/jobs/${jobId}/logs`,
      headers: operator.headers,
    });
    const lines = stored.json<{ items: { message: string }[] }>().items;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) await log.getByText(line.message, { exact: true }).first().waitFor();
    expect(streams.length).toBeGreaterThan(0);

    await page.goto('/jobs');
    await page.getByRole('link', { name: 'system.diagnostics' }).first().waitFor();
    await page.locator('tbody tr').first().getByText('succeeded').waitFor();
    await screenshot(page, 'jobs-02-list');
  });

  it('shows a viewer the jobs without start, cancel or retry', async () => {
    const viewer = await signInAs(app.t, 'viewer');
    const page = await app.newPage();
    await signIn(page, viewer.username, viewer.password);
    await page.goto('/jobs');
    await page.getByRole('link', { name: 'system.diagnostics' }).first().click();
    await page.getByRole('log').locator('.line').first().waitFor();
    expect(await page.getByRole('button', { name: /Start a job|Cancel|Retry/ }).count()).toBe(0);
  });
});
