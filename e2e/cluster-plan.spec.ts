import type { ProxmoxSimulator } from '@skyy/sim-proxmox';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settledJob } from '../backend/src/app/clusters/testing/proxmox-lab.ts';
import type { SignedInUser } from '../backend/test/auth-helpers.ts';
import { seriousViolations } from './support/axe.ts';
import { screenshot, signIn, type ConsoleUnderTest, closePagesAfterEach } from './support/console.ts';
import { startProxmoxConsole, type ProxmoxConsole } from './support/proxmox-console.ts';

const examples = path.resolve(import.meta.dirname, '../components/proxmox/examples/cluster');

/** Plan VMs from host YAML files against the Proxmox simulator, then apply them as a job. */
// One retry: a browser journey on a loaded 2-core machine can miss a step by timing alone; a real defect fails twice.
describe('console: cluster plan', { retry: 1 }, () => {
  let app: ConsoleUnderTest;
  let sim: ProxmoxSimulator;
  let operator: SignedInUser;
  let clusterId: string;
  let applyJobId: string | undefined;

  let lab: ProxmoxConsole | undefined;

  beforeAll(async () => {
    lab = await startProxmoxConsole();
    ({ app, sim, operator, clusterId } = lab);
  }, 300_000);
  closePagesAfterEach(() => app);
  afterAll(() => lab?.close());

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
    applyJobId = jobId;
  });

  it('opens an applied VM from the Guests tab and shows its drift field by field', async () => {
    if (!applyJobId) throw new Error('the apply test started no job');
    const applied = await settledJob(app.t, operator.headers, applyJobId, 120_000);
    expect(applied.status, applied.error ?? '').toBe('succeeded');
    // The apply enqueues a sync; asking for one joins it (or starts one), so the Guests tab has the VM.
    const sync = await app.t.request({
      method: 'POST',
      url: `/api/v1/clusters/${clusterId}/sync`,
      headers: operator.headers,
    });
    expect((await settledJob(app.t, operator.headers, sync.json<{ jobId: string }>().jobId)).status).toBe(
      'succeeded',
    );
    // Someone halves the cores in Proxmox: drift is planned live, so the page shows it without a sync.
    const vm = sim.state.guests.find((g) => g.config.name === 'gpu-worker-01');
    if (!vm) throw new Error('the apply created no gpu-worker-01');
    vm.config.cores = '4';

    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto(`/clusters/${clusterId}`);
    await page.getByRole('tab', { name: /^Guests \(\d+\)$/ }).click();
    await page.getByRole('link', { name: 'gpu-worker-01' }).click();
    await page.waitForURL(`**/clusters/${clusterId}/guests/${vm.vmid}`);
    await page.getByRole('heading', { name: /gpu-worker-01/ }).waitFor();
    await page.getByText('vmbr1').waitFor();
    await page.getByText('Skyy reconciles this VM with the declared VM of the same name').waitFor();
    const cores = page
      .getByRole('table', { name: 'Declared and actual' })
      .getByRole('row', { name: /cores/ });
    await cores.waitFor();
    // Field, declared, actual: the host file says 8, Proxmox has 4.
    expect((await cores.getByRole('cell').allTextContents()).slice(0, 3).map((c) => c.trim())).toEqual([
      'cores',
      '8',
      '4',
    ]);
    await page.getByRole('heading', { name: 'GPUs' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'cluster-plan-02-vm-drift');
    expect(await seriousViolations(page)).toEqual([]);
  });
});
