import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentState, chassisState, gpuConfigYaml } from '../backend/src/app/gpus/testing/gpu-state.ts';
import { signInAs, type SignedInUser } from '../backend/test/auth-helpers.ts';
import { seriousViolations } from './support/axe.ts';
import {
  screenshot,
  signIn,
  startConsole,
  type ConsoleUnderTest,
  closePagesAfterEach,
} from './support/console.ts';

/** A host per attempt: a retry after a failure must not meet the first attempt's token (409). */
let attempt = 0;
let host = '';
let uuid = '';

/**
 * An administrator connects a GPU host: issues its agent token in the console, the "agent"
 * (here: heartbeats over HTTP with that token) reports, and the GPU shows with its history.
 * Then the fleet config is edited with a mistake, and fixed.
 */
// One retry: a browser journey on a loaded 2-core machine can miss a step by timing alone; a real defect fails twice.
describe('console: GPUs', { retry: 1 }, () => {
  let app: ConsoleUnderTest;
  let admin: SignedInUser;

  beforeAll(async () => {
    app = await startConsole();
    admin = await signInAs(app.t, 'admin');
  }, 300_000);
  closePagesAfterEach(() => app);
  afterAll(() => app?.close());

  async function heartbeat(token: string, temperatureC: number, minutesAgo: number): Promise<void> {
    const sampledAt = new Date(Date.now() - minutesAgo * 60_000).toISOString();
    const res = await app.t.request({
      method: 'POST',
      url: `/api/v1/gpu-agents/${host}/heartbeat`,
      headers: { authorization: `Bearer ${token}` },
      body: agentState(host, [{ uuid, temperatureC, sampledAt, fanPct: 40 + temperatureC / 4 }]),
    });
    expect(res.status, res.body).toBe(204);
  }

  it('issues an agent token, shows the reporting GPU with a sparkline, live, and its own page', async () => {
    attempt++;
    host = `puma-proxmox-00${attempt}`;
    uuid = `GPU-7e570000-0000-4000-8000-00000000000${attempt}`;
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.goto('/gpus/agents');
    await page.getByRole('heading', { name: 'Issue an agent token' }).waitFor();
    await page.getByLabel('Host name').fill(host);
    await page.getByRole('button', { name: 'Issue token' }).click();
    const secret = page.getByTestId('agent-token');
    await secret.waitFor();
    const token = (await secret.textContent())?.trim() ?? '';
    expect(token).toMatch(/^skyyga_/);
    expect(await page.getByTestId('run-command').textContent()).toBe(
      `npm run gpu-agent -- --server ${app.url} --token-file agent.token --host ${host}`,
    );
    await page.getByRole('table', { name: 'GPU agents' }).getByText('never-seen').waitFor();
    await screenshot(page, 'gpus-00-agent-token');
    expect(await seriousViolations(page)).toEqual([]);

    // Two heartbeats 18 minutes apart: two points of history, in separate sparkline buckets.
    await heartbeat(token, 52, 20);
    await heartbeat(token, 64, 2);

    await page.getByRole('tab', { name: 'Fleet' }).click();
    await page.waitForURL((url) => url.pathname === '/gpus');
    const row = page.locator(`tr[data-uuid="${uuid}"]`);
    const temperatureLine = row.locator('svg[data-metric="temperatureC"]');
    await temperatureLine.waitFor();
    expect(await temperatureLine.getAttribute('aria-label')).toBe(
      `Temperature of ${host} GPU 0, last 24 hours: min 52 °C, max 64 °C, latest 64 °C`,
    );
    expect(await temperatureLine.locator('path').getAttribute('d')).toMatch(
      /^M [\d.]+ [\d.]+ L [\d.]+ [\d.]+$/,
    );

    // A heartbeat while the page is open arrives over the live events: row and line follow.
    await heartbeat(token, 71, 0);
    await row.getByRole('cell', { name: /71 °C/ }).waitFor();
    await page.waitForFunction(
      `document.querySelector('tr[data-uuid="${uuid}"] svg[data-metric="temperatureC"]')?.getAttribute('aria-label')?.endsWith('latest 71 °C')`,
    );
    await screenshot(page, 'gpus-01-fleet-sparklines');

    await row.getByRole('link', { name: /#0/ }).click();
    await page.getByRole('heading', { name: `${host} · GPU #0` }).waitFor();
    await page.getByText('fan 0: test').waitFor();
    // The last day in 5-minute points (the two recent readings share one); the last hour has each reading.
    await page.getByRole('img', { name: /^Temperature\. GPU: min 52 °C, max \d/ }).waitFor();
    await page.getByRole('radio', { name: '1 hour' }).click();
    await page.waitForURL((url) => url.search === '?range=1h');
    await page.getByRole('img', { name: 'Temperature. GPU: min 52 °C, max 71 °C, latest 71 °C' }).waitFor();
    await page.getByRole('radio', { name: '7 days' }).click();
    await page.waitForURL((url) => url.search === '?range=7d');
    await page.getByRole('img', { name: /^Power\. Draw: .*Limit: min 320 W/ }).waitFor();
    await screenshot(page, 'gpus-02-detail');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('shows a host’s chassis fans on the Agents tab, fail-safe highlighted and alerted, then ok live', async () => {
    const chassisHost = `puma-proxmox-1${attempt}${Date.now() % 1000}`;
    const issued = await app.t.request({
      method: 'POST',
      url: '/api/v1/gpu-agents',
      headers: admin.headers,
      body: { host: chassisHost },
    });
    expect(issued.status, issued.body).toBe(201);
    const token = issued.json<{ token: string }>().token;
    const report = async (status: 'ok' | 'failsafe') => {
      const res = await app.t.request({
        method: 'POST',
        url: `/api/v1/gpu-agents/${chassisHost}/heartbeat`,
        headers: { authorization: `Bearer ${token}` },
        body: { ...agentState(chassisHost, []), chassis: chassisState(status) },
      });
      expect(res.status, res.body).toBe(204);
    };
    await report('failsafe');

    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.goto('/gpus');
    await page.getByRole('heading', { name: /^Active alerts/ }).waitFor();
    await page.getByText(`The chassis fans of ${chassisHost} are in fail-safe`).waitFor();

    await page.getByRole('tab', { name: 'Agents' }).click();
    const cell = page.locator(`tr[data-host="${chassisHost}"] td.chassis`);
    await cell.getByText('sensors -j failed 3 times').waitFor();
    expect(await cell.getAttribute('class')).toContain('failsafe');
    expect(await cell.textContent()).toContain('zone 0x01: 100 %');
    await screenshot(page, 'gpus-05-chassis-failsafe');
    expect(await seriousViolations(page)).toEqual([]);

    // The next heartbeat has a CPU reading again: the row follows over the live events.
    await report('ok');
    await cell.getByText('CPU 47 °C').waitFor();
    expect(await cell.getAttribute('class')).not.toContain('failsafe');
    expect(await cell.textContent()).toContain('zone 0x00: 50 %');
  });

  it('refuses a fleet config with a mistake, naming its line, and saves it fixed', async () => {
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.goto('/gpus/config');
    await page.getByRole('heading', { name: 'Fleet default gpu_config.yaml' }).waitFor();
    const editor = page.getByRole('textbox', { name: 'gpu_config.yaml' });
    const bad = gpuConfigYaml().replace('shutdown_temp: 90', 'shutdown_temp: hot');
    await editor.fill(bad);
    await page.getByRole('button', { name: 'Save' }).click();
    const problems = page.getByRole('list', { name: 'Problems in the config' });
    await problems.waitFor();
    expect(await problems.textContent()).toMatch(/Line 4, column \d+: .*\(protection\.shutdown_temp\)/);
    // The cursor was put on the line with the mistake.
    await page.getByText(/^Line 4, column \d+$/).waitFor();
    await screenshot(page, 'gpus-03-config-error');
    expect(await seriousViolations(page)).toEqual([]);

    await editor.fill(gpuConfigYaml({ shutdownTemp: 92 }));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/gets it within seconds, without a restart/).waitFor();
    expect(await problems.count()).toBe(0);
    await screenshot(page, 'gpus-04-config-saved');

    const stored = await app.t.request({ method: 'GET', url: '/api/v1/gpus/config', headers: admin.headers });
    expect(stored.json<{ yaml: string }>().yaml).toContain('shutdown_temp: 92');
  });
});
