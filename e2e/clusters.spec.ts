import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedInUser } from '../backend/test/auth-helpers.ts';
import { screenshot, signIn, type ConsoleUnderTest, closePagesAfterEach } from './support/console.ts';
import { startProxmoxConsole, type ProxmoxConsole } from './support/proxmox-console.ts';

/** A Proxmox cluster (the simulator on loopback, over HTTPS) synced from the console. */
// One retry: a browser journey on a loaded 2-core machine can miss a step by timing alone; a real defect fails twice.
describe('console: clusters', { retry: 1 }, () => {
  let app: ConsoleUnderTest;
  let operator: SignedInUser;
  let clusterId: string;

  let lab: ProxmoxConsole | undefined;

  beforeAll(async () => {
    lab = await startProxmoxConsole();
    ({ app, operator, clusterId } = lab);
  }, 300_000);
  closePagesAfterEach(() => app);
  afterAll(() => lab?.close());

  it('syncs a cluster with one click and shows its nodes, guests, storage and GPUs as they arrive', async () => {
    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto('/clusters');
    await page.getByRole('link', { name: 'puma' }).click();
    await page.getByText('never synced').waitFor();
    // Operators sync; only admins change the cluster itself.
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sync now' }).click();

    await page.getByText('quorate', { exact: false }).first().waitFor({ timeout: 60_000 });
    const nodesTab = page.getByRole('tab', { name: /^Nodes \(\d+\)$/ });
    await nodesTab.waitFor();
    expect(Number((await nodesTab.textContent())?.match(/\d+/)?.[0])).toBeGreaterThan(0);
    await page.locator('table.simple tbody tr').first().waitFor();
    await screenshot(page, 'clusters-01-synced-nodes');

    await page.getByRole('tab', { name: /^GPUs \(\d+\)$/ }).click();
    await page.getByRole('cell', { name: /0000:/ }).first().waitFor();
    await screenshot(page, 'clusters-02-synced-gpus');
    await page.getByRole('tab', { name: /^Guests \(\d+\)$/ }).click();
    await screenshot(page, 'clusters-03-synced-guests');

    const status = await app.t.request({
      method: 'GET',
      url: `/api/v1/clusters/${clusterId}/status`,
      headers: operator.headers,
    });
    expect(status.json<{ lastSync: string }>().lastSync).toBe('ok');
  });
});
