import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentState } from '../backend/src/app/gpus/testing/gpu-state.ts';
import { signInAs, type SignedInUser } from '../backend/test/auth-helpers.ts';
import {
  screenshot,
  signIn,
  startConsole,
  type ConsoleUnderTest,
  closePagesAfterEach,
} from './support/console.ts';

const axeSource = (createRequire(import.meta.url)('axe-core') as { source: string }).source;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it is now; only serious and critical findings fail the test. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  // A string, not a function: it runs in the page, and the tests are typed without the DOM.
  const violations = await page.evaluate<unknown[]>('axe.run(document).then((result) => result.violations)');
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** The main pages with real data: dashboard, every list and detail, both themes, a phone. */
// One retry: a browser journey on a loaded 2-core machine can miss a step by timing alone; a real defect fails twice.
describe('console: main pages', { retry: 1 }, () => {
  let app: ConsoleUnderTest;
  let admin: SignedInUser;
  let hostId: string;
  let jobId: string;
  let clusterId: string;
  let firewallId: string;

  beforeAll(async () => {
    app = await startConsole();
    admin = await signInAs(app.t, 'admin');
    const post = async <T>(url: string, body: unknown) => {
      const res = await app.t.request({ method: 'POST', url, headers: admin.headers, body });
      if (res.status >= 300) throw new Error(`${url}: ${res.status} ${res.body}`);
      return res.json<T>();
    };
    const cluster = await post<{ id: string }>('/api/v1/clusters', {
      name: 'puma',
      type: 'proxmox',
      site: 'ams1',
      apiUrl: 'https://puma-proxmox-005.example.net:8006',
    });
    const host = await post<{ id: string }>('/api/v1/hosts', {
      hostname: 'puma-proxmox-005',
      ipAddress: '10.10.0.15',
      roles: ['proxmox', 'ceph'],
      tags: ['gpu'],
      clusterId: cluster.id,
      settings: {
        os: 'proxmox',
        gpu: true,
        networking: { tailscale: { enabled: true, hostname: 'puma-005' } },
        storage: { ceph: { enabled: true, osd_devices: ['/dev/sda', '/dev/sdb'] } },
      },
    });
    hostId = host.id;
    clusterId = cluster.id;
    // Loopback only: nothing here is ever contacted except to find it unreachable.
    firewallId = (
      await post<{ id: string }>('/api/v1/firewalls', {
        name: 'fw-ams1',
        site: 'ams1',
        apiUrl: 'https://127.0.0.1:9/',
      })
    ).id;
    const customer = await post<{ id: string }>('/api/v1/customers', {
      name: 'Acme Render Farm',
      email: 'ops@acme.example',
    });
    await post('/api/v1/deployments', {
      name: 'acme-gpu-stack',
      kind: 'customer',
      customerId: customer.id,
      status: 'running',
      hostId,
      runtime: 'docker-compose',
    });
    await post('/api/v1/deployments', {
      name: 'grafana',
      kind: 'internal',
      status: 'running',
      runtime: 'docker-compose',
    });
    jobId = (await post<{ id: string }>('/api/v1/jobs', { type: 'system.diagnostics' })).id;
    // A GPU agent on the host reports two GPUs, one of them running hot.
    const { token } = await post<{ token: string }>('/api/v1/gpu-agents', { host: 'puma-proxmox-005' });
    const beat = await app.t.request({
      method: 'POST',
      url: '/api/v1/gpu-agents/puma-proxmox-005/heartbeat',
      headers: { authorization: `Bearer ${token}` },
      body: agentState('puma-proxmox-005', [
        { uuid: 'GPU-1c0ffee0-0000-4000-8000-000000000001', temperatureC: 58, fanPct: 45 },
        {
          uuid: 'GPU-1c0ffee0-0000-4000-8000-000000000002',
          temperatureC: 86,
          fanPct: 100,
          status: 'warning',
        },
      ]),
    });
    if (beat.status !== 204) throw new Error(`heartbeat: ${beat.status} ${beat.body}`);
  }, 300_000);
  closePagesAfterEach(() => app);
  afterAll(() => app?.close());

  const mainPages = () => [
    { path: '/dashboard', heading: 'Dashboard', name: 'dashboard' },
    { path: '/hosts', heading: 'Infrastructure', name: 'hosts' },
    { path: `/hosts/${hostId}`, heading: 'puma-proxmox-005', name: 'host-detail' },
    { path: '/hosts/import', heading: 'Import hosts', name: 'host-import' },
    { path: '/clusters', heading: 'Clusters', name: 'clusters' },
    { path: `/clusters/${clusterId}`, heading: 'puma', name: 'cluster-detail' },
    // Never synced: the VM page says the VMID is not in the last sync.
    { path: `/clusters/${clusterId}/guests/100`, heading: 'Guest 100', name: 'cluster-guest-missing' },
    { path: '/deployments', heading: 'Deployments', name: 'deployments' },
    { path: '/customers', heading: 'Customers', name: 'customers' },
    { path: '/jobs', heading: 'Jobs', name: 'jobs' },
    { path: `/jobs/${jobId}`, heading: 'system.diagnostics', name: 'job-detail' },
    { path: '/audit', heading: 'Audit log', name: 'audit' },
    { path: '/settings/users', heading: 'Settings', name: 'settings-users' },
    { path: '/settings/invites', heading: 'Settings', name: 'settings-invites' },
    { path: '/account/tokens', heading: 'API tokens', name: 'api-tokens' },
    { path: '/firewall', heading: 'Firewall', name: 'firewall' },
    { path: `/firewall/${firewallId}`, heading: 'fw-ams1', name: 'firewall-detail' },
    { path: '/gpus', heading: 'GPUs', name: 'gpus' },
    { path: '/gpus/agents', heading: 'GPUs', name: 'gpu-agents' },
    { path: '/gpus/config/puma-proxmox-005', heading: 'GPUs', name: 'gpu-config' },
    {
      path: '/gpus/GPU-1c0ffee0-0000-4000-8000-000000000002',
      heading: 'puma-proxmox-005 · GPU #1',
      name: 'gpu-detail',
    },
    { path: '/maintenance', heading: 'Maintenance', name: 'maintenance' },
  ];

  it('has no serious or critical accessibility violations on the main pages, light and dark', async () => {
    const page = await app.newPage();
    const failures: string[] = [];
    await page.goto('/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    failures.push(...(await seriousViolations(page)).map((v) => `/login: ${v}`));
    await signIn(page, admin.username, admin.password);
    for (const { path, heading, name } of mainPages()) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      await page.locator('mat-progress-bar[mode="indeterminate"]').first().waitFor({ state: 'detached' });
      failures.push(...(await seriousViolations(page)).map((v) => `${path}: ${v}`));
      await screenshot(page, `pages-${name}`);
    }
    await page.evaluate("localStorage.setItem('skyy.theme', 'dark')");
    for (const { path, heading, name } of mainPages().slice(0, 3)) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
      failures.push(...(await seriousViolations(page)).map((v) => `${path} (dark): ${v}`));
      await screenshot(page, `pages-${name}-dark`);
    }
    expect(failures).toEqual([]);
  }, 180_000);

  it('shows the estate at a glance, every number linking to its page', async () => {
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    const hostsTile = page.getByRole('link', { name: /Hosts\s*1\s*1 with GPUs/ });
    await hostsTile.waitFor();
    await page.getByRole('link', { name: /Deployments\s*2\s*2 running/ }).waitFor();
    await page.getByRole('link', { name: /Clusters\s*1/ }).waitFor();
    await page.getByText('deployment.create').first().waitFor();
    await hostsTile.click();
    await page.waitForURL('**/hosts');
  });

  it('lists the GPUs the agents report, with their temperature and status', async () => {
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.goto('/gpus');
    const rows = page.getByRole('table', { name: 'GPU fleet' }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    await page.getByRole('cell', { name: /86 °C/ }).waitFor();
    await page.getByText('warning', { exact: true }).first().waitFor();
    await screenshot(page, 'pages-gpus-reporting');
  });

  it('works on a phone: the navigation collapses behind a menu button and is keyboard reachable', async () => {
    const page = await app.newPage({ width: 390, height: 844 });
    await signIn(page, admin.username, admin.password);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Main navigation' }).isVisible()).toBe(false);
    await screenshot(page, 'pages-phone-dashboard');
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Infrastructure' })
      .waitFor();
    await screenshot(page, 'pages-phone-navigation');
    await page.getByRole('link', { name: 'Infrastructure' }).press('Enter');
    await page.waitForURL('**/hosts');
    await page.getByRole('heading', { name: 'Infrastructure' }).waitFor();
    await screenshot(page, 'pages-phone-hosts');
  });

  it('lets a keyboard user skip to the content and move through the navigation', async () => {
    const page = await app.newPage();
    await signIn(page, admin.username, admin.password);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent?.trim()')).toBe(
      'Skip to content',
    );
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent?.trim()')).toBe(
      'Infrastructure',
    );
    await page.keyboard.press('Enter');
    await page.waitForURL('**/hosts');

    // The colour theme: chosen from its menu, remembered on the next visit.
    await page.getByRole('button', { name: 'Colour theme' }).click();
    await page.getByRole('menuitemradio', { name: /Dark/ }).click();
    // The class is set on the next render after the click: wait for it rather than read it at once.
    await page.waitForFunction("document.documentElement.classList.contains('theme-dark')");
    await page.reload();
    await page.getByRole('heading', { name: 'Infrastructure' }).waitFor();
    await page.waitForFunction("document.documentElement.classList.contains('theme-dark')");
  });
});
