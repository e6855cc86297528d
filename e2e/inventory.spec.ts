import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs, type SignedInUser } from '../backend/test/auth-helpers.ts';
import {
  repoRoot,
  screenshot,
  signIn,
  startConsole,
  type ConsoleUnderTest,
  closePagesAfterEach,
} from './support/console.ts';

const referenceHosts = path.resolve(
  repoRoot,
  '../shared/reference/original/Skyy-Command/desired_state/hosts_local',
);

/** Inventory pages with real data from the API: hosts, import, roles and tenant isolation. */
// One retry: a browser journey on a loaded 2-core machine can miss a step by timing alone; a real defect fails twice.
describe('console: inventory', { retry: 1 }, () => {
  let app: ConsoleUnderTest;
  let operator: SignedInUser;

  beforeAll(async () => {
    app = await startConsole();
    operator = await signInAs(app.t, 'operator');
  }, 300_000);
  closePagesAfterEach(() => app);
  afterAll(() => app?.close());

  it('creates, edits and deletes a host, with field errors from the shared schema', async () => {
    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto('/hosts');
    await page.getByRole('link', { name: 'Add host' }).click();
    // Fill only once the form is there: on a slow first navigation the list's "Search hostname or
    // IP" field would take the text (that was this test's long-standing first-attempt failure).
    await page.getByRole('heading', { name: 'Add a host' }).waitFor();
    await page.getByLabel('Hostname', { exact: true }).fill('gpu-node-01');
    await page.getByLabel('IP address').fill('10.20.0.300');
    await page.getByRole('button', { name: 'Add host' }).click();
    await page.getByText('expected an IPv4 or IPv6 address').waitFor();
    await screenshot(page, 'inventory-01-host-form-error');

    await page.getByLabel('IP address').fill('10.20.0.30');
    await page.getByText('expected an IPv4 or IPv6 address').waitFor({ state: 'detached' });
    await page.getByLabel('Roles').fill('gpu, docker');
    await page.getByLabel('Has NVIDIA GPUs').check();
    // Waiting for the POST itself (generously: CI machines can be busy) tells a slow server from a
    // form that did not submit.
    const created = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/hosts',
      { timeout: 60_000 },
    );
    await page.getByRole('button', { name: 'Add host' }).click();
    expect((await created).status()).toBe(201);
    await page.getByRole('heading', { name: 'gpu-node-01' }).waitFor({ timeout: 60_000 });
    await page.getByText('10.20.0.30').waitFor();

    await page.getByRole('link', { name: 'Edit' }).click();
    // The heading names the host once it is loaded into the form; typing earlier would be overwritten.
    await page.getByRole('heading', { name: 'Edit gpu-node-01' }).waitFor();
    await page.getByLabel('IP address').fill('10.20.0.31');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'gpu-node-01' }).waitFor();
    await page.getByText('10.20.0.31').waitFor();
    await screenshot(page, 'inventory-02-host-detail');

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByText('Delete gpu-node-01?').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete host' }).click();
    await page.waitForURL('**/hosts');
    await page.getByText('No hosts match').waitFor();
    const left = await app.t.request({ method: 'GET', url: '/api/v1/hosts', headers: operator.headers });
    expect(left.json<{ total: number }>().total).toBe(0);
  });

  it('imports the reference host files: checks them, then applies, then shows every field', async () => {
    const files = readdirSync(referenceHosts)
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => path.join(referenceHosts, name));
    expect(files.length).toBeGreaterThan(0);
    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto('/hosts/import');
    await page.locator('input[type="file"]').setInputFiles(files);
    await page.getByText(`All ${files.length} files are valid`).waitFor();
    await screenshot(page, 'inventory-03-import-checked');
    await page.getByRole('button', { name: `Import ${files.length} files` }).click();
    await page.getByText(`Imported ${files.length} files`).waitFor();
    await screenshot(page, 'inventory-04-import-applied');

    await page.goto('/hosts');
    for (const file of files) await page.getByRole('link', { name: path.basename(file, '.yaml') }).waitFor();
    await screenshot(page, 'inventory-05-host-list');

    const [firstFile = ''] = files;
    const first = path.basename(firstFile, '.yaml');
    await page.getByRole('link', { name: first }).click();
    await page.getByRole('heading', { name: first }).waitFor();
    await page.getByRole('heading', { name: 'Storage' }).waitFor();
    await page.getByRole('heading', { name: 'Networking' }).waitFor();
    await screenshot(page, 'inventory-06-imported-host-settings');
    await page.getByRole('tab', { name: 'Source YAML' }).click();
    const yaml = readFileSync(firstFile, 'utf8');
    const firstLine =
      yaml
        .split('\n')
        .find((line) => line.trim() && !line.trim().startsWith('#'))
        ?.trim() ?? '';
    expect(firstLine).toMatch(/\w/);
    await page.locator('pre.source').getByText(firstLine, { exact: false }).first().waitFor();
    await screenshot(page, 'inventory-07-imported-host-yaml');
  });

  it('reports invalid files with file:line:column and imports nothing', async () => {
    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto('/hosts/import');
    await page.locator('input[type="file"]').setInputFiles({
      name: 'broken.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from('hostname: broken-host\nip_address: 10.0.0.999\n'),
    });
    await page.getByText('1 of 1 files need fixing').waitFor();
    await page.getByText(/broken\.yaml:2:1\s+ip_address:/).waitFor();
    expect(await page.getByRole('button', { name: 'Import 1 files' }).isDisabled()).toBe(true);
    await screenshot(page, 'inventory-08-import-invalid');
  });

  it('sorts, filters and pages the host table on the server', async () => {
    for (let i = 0; i < 12; i++) {
      const res = await app.t.request({
        method: 'POST',
        url: '/api/v1/hosts',
        headers: operator.headers,
        body: {
          hostname: `edge-${String(i).padStart(2, '0')}`,
          ipAddress: `10.30.0.${i + 1}`,
          tags: ['rack-z9'],
        },
      });
      expect(res.status).toBe(201);
    }
    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto('/hosts');
    await page.getByLabel('Tag').fill('rack-z9');
    const range = page.locator('.mat-mdc-paginator-range-label');
    const showing = async (text: RegExp) =>
      expect.poll(() => range.textContent(), { timeout: 10_000 }).toMatch(text);
    await showing(/1 \D 12 of 12/);
    // Keyboard, as a keyboard user would: focus the page-size select, open it, pick 10.
    await page.getByRole('combobox', { name: /Items per page/ }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('option', { name: '10', exact: true }).click();
    await showing(/1 \D 10 of 12/);
    await page.getByRole('button', { name: 'Next page' }).click();
    await showing(/11 \D 12 of 12/);
    await page.getByRole('link', { name: 'edge-11' }).waitFor();
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByRole('link', { name: 'edge-00' }).waitFor();

    // Sorted by hostname ascending already: one click turns it to descending, on the server.
    await page.getByRole('button', { name: /Hostname/ }).click();
    await page.locator('tbody tr').first().getByRole('link', { name: 'edge-11' }).waitFor();
    await page.getByLabel('Search hostname or IP').fill('edge-07');
    await showing(/1 \D 1 of 1\s*$/);
    await screenshot(page, 'inventory-09-host-table-filtered');
  });

  it('shows a viewer the inventory without any edit controls', async () => {
    const viewer = await signInAs(app.t, 'viewer');
    const page = await app.newPage();
    await signIn(page, viewer.username, viewer.password);
    await page.goto('/hosts');
    await page.getByRole('link', { name: 'edge-00' }).waitFor();
    expect(await page.getByRole('link', { name: 'Add host' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Import hosts' }).count()).toBe(0);
    await page.getByRole('link', { name: 'edge-00' }).click();
    await page.getByRole('heading', { name: 'edge-00' }).waitFor();
    expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await screenshot(page, 'inventory-10-viewer-host-detail');
    await page.goto('/hosts/new');
    await page.waitForURL('**/dashboard');
    // Operators do not manage users; viewers see no user administration either.
    await page.goto('/settings/users');
    await page.waitForURL('**/dashboard');
  });

  it('shows a customer user only their own deployments and nothing else', async () => {
    const admin = await signInAs(app.t, 'admin');
    const customer = async (name: string) =>
      (
        await app.t.request({
          method: 'POST',
          url: '/api/v1/customers',
          headers: admin.headers,
          body: { name },
        })
      ).json<{ id: string }>().id;
    const deployment = async (name: string, customerId: string) =>
      (
        await app.t.request({
          method: 'POST',
          url: '/api/v1/deployments',
          headers: admin.headers,
          body: { name, kind: 'customer', customerId, status: 'running', runtime: 'docker-compose' },
        })
      ).json<{ id: string }>().id;
    const acme = await customer('Acme Render Farm');
    const globex = await customer('Globex AI');
    await deployment('acme-gpu-stack', acme);
    const theirs = await deployment('globex-llm-node', globex);

    const user = await signInAs(app.t, 'customer', { customerId: acme });
    const page = await app.newPage();
    await signIn(page, user.username, user.password);
    await page.waitForURL('**/deployments');
    await page.getByRole('heading', { name: 'Your deployments' }).waitFor();
    await page.getByRole('link', { name: 'acme-gpu-stack' }).waitFor();
    expect(await page.getByRole('link', { name: 'globex-llm-node' }).count()).toBe(0);
    const nav = await page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link')
      .allTextContents();
    expect(nav.map((label) => label.trim())).toEqual(['My deployments']);
    expect(await page.getByRole('link', { name: 'Add deployment' }).count()).toBe(0);
    await screenshot(page, 'inventory-11-customer-portal');

    await page.goto('/hosts');
    await page.waitForURL('**/deployments');
    await page.goto(`/deployments/${theirs}`);
    await page
      .getByRole('alert')
      .filter({ hasText: /does not exist/ })
      .waitFor();
  });

  it('adds a customer and a deployment for them through the forms, with the rule errors beside the field', async () => {
    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto('/customers/new');
    await page.getByLabel('Name').fill('Initech');
    await page.getByLabel('E-mail').fill('not an address');
    await page.getByRole('button', { name: 'Add customer' }).click();
    await page.getByText(/Invalid email/i).waitFor();
    await page.getByLabel('E-mail').fill('gpu@initech.example');
    await page.getByLabel('Notes').fill('Two RTX 4090 nodes, monthly.');
    await page.getByRole('button', { name: 'Add customer' }).click();
    await page.getByRole('heading', { name: 'Initech' }).waitFor();

    await page.goto('/deployments/new');
    await page.getByLabel('Name').fill('initech-llm');
    await page.getByRole('combobox', { name: 'Kind' }).click();
    await page.getByRole('option', { name: /A customer/ }).click();
    await page.getByRole('button', { name: 'Add deployment' }).click();
    // The contract's rule: a customer deployment needs its customer.
    await page.getByText('a customer deployment needs customerId').waitFor();
    await screenshot(page, 'inventory-12-deployment-form-error');
    await page.getByRole('combobox', { name: 'Customer' }).click();
    await page.getByRole('option', { name: 'Initech' }).click();
    await page.getByRole('button', { name: 'Add deployment' }).click();
    await page.getByRole('heading', { name: 'initech-llm' }).waitFor();
    await page.getByRole('link', { name: 'Initech' }).click();
    await page.getByRole('link', { name: /initech-llm/ }).waitFor();
    await screenshot(page, 'inventory-13-customer-detail');
  });
});
