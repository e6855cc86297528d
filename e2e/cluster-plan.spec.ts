import type { ProxmoxSimulator } from '@skyy/sim-proxmox';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  addSimulatorCluster,
  shortenProxmoxTimings,
  startTlsSimulator,
} from '../backend/src/app/clusters/testing/proxmox-lab.ts';
import { signInAs, type SignedInUser } from '../backend/test/auth-helpers.ts';
import { seriousViolations } from './support/axe.ts';
import { screenshot, signIn, startConsole, type ConsoleUnderTest } from './support/console.ts';

const examples = path.resolve(import.meta.dirname, '../components/proxmox/examples/cluster');

/** Plan VMs from host YAML files against the Proxmox simulator, then apply them as a job. */
// One retry: a browser journey on a loaded 2-core machine can miss a step by timing alone; a real defect fails twice.
describe('console: cluster plan', { retry: 1 }, () => {
  let app: ConsoleUnderTest;
  let sim: ProxmoxSimulator;
  let operator: SignedInUser;
  let clusterId: string;

  beforeAll(async () => {
    const lab = await startTlsSimulator();
    sim = lab.sim;
    app = await startConsole();
    shortenProxmoxTimings(app.t);
    const admin = await signInAs(app.t, 'admin');
    operator = await signInAs(app.t, 'operator');
    clusterId = (await addSimulatorCluster(app.t, admin.headers, sim, lab.fingerprint, 'puma')).id;
  }, 300_000);
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await app.captureFailure(task.name, task.result.errors);
    await app.closePages();
  });
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it("shows on the host page how the cluster differs from the VMs the host's YAML declares", async () => {
    const content = readFileSync(path.join(examples, 'pve1.yaml'), 'utf8');
    const imported = await app.t.request({
      method: 'POST',
      url: '/api/v1/hosts/import',
      headers: operator.headers,
      body: { files: [{ name: 'pve1.yaml', content }], dryRun: false },
    });
    expect(imported.status, imported.body).toBeLessThan(300);
    const [file] = imported.json<{ files: { hostId: string }[] }>().files;
    if (!file) throw new Error(`import answered no file: ${imported.body}`);
    const hostId = file.hostId;
    const linked = await app.t.request({
      method: 'PATCH',
      url: `/api/v1/hosts/${hostId}`,
      headers: operator.headers,
      body: { clusterId },
    });
    expect(linked.status, linked.body).toBe(200);

    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto(`/hosts/${hostId}`);
    await page.getByRole('heading', { name: 'VM drift' }).waitFor();
    await page.locator('tr[data-action="create"]', { hasText: 'gpu-worker-01' }).waitFor();
    await screenshot(page, 'cluster-plan-00-host-drift');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('plans the VMs of dropped host files, shows each change and applies them as a job', async () => {
    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto(`/clusters/${clusterId}`);
    await page.getByRole('link', { name: 'Plan VMs' }).click();
    await page.getByRole('heading', { name: 'Plan VMs' }).waitFor();
    await page.locator('input[type="file"]').setInputFiles([path.join(examples, 'pve1.yaml')]);
    await page.getByRole('heading', { name: /2 to create/ }).waitFor();
    await page.locator('tr[data-action="create"]', { hasText: 'gpu-worker-01' }).waitFor();
    expect(await page.getByLabel('Plan text').textContent()).toContain('gpu-worker-01');
    await screenshot(page, 'cluster-plan-01-planned');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.waitForURL('**/jobs/*');
    const jobId = page.url().split('/').pop();
    const job = await app.t.request({
      method: 'GET',
      url: `/api/v1/jobs/${jobId}`,
      headers: operator.headers,
    });
    expect(job.json<{ type: string }>().type).toBe('cluster.apply');
  });
});
