import { PfSenseSimulator } from '@skyy/sim-pfsense';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs, type SignedInUser } from '../backend/test/auth-helpers.ts';
import { seriousViolations } from './support/axe.ts';
import {
  screenshot,
  signIn,
  startConsole,
  type ConsoleUnderTest,
  closePagesAfterEach,
} from './support/console.ts';

const hargett = fileURLToPath(
  new URL('../desired_state/networking/networking_hargett.yaml', import.meta.url),
);
const KEY = 'sim-key-e2e-firewall-plan';

/** A pfSense simulator on loopback: the operator uploads the site's networking file and reads the plan. */
// One retry: a browser journey on a loaded 2-core machine can miss a step by timing alone; a real defect fails twice.
describe('console: firewall plan', { retry: 1 }, () => {
  let app: ConsoleUnderTest;
  let sim: PfSenseSimulator;
  let operator: SignedInUser;
  let firewallId: string;

  beforeAll(async () => {
    sim = new PfSenseSimulator({ apiKeys: [KEY] });
    const { url } = await sim.listen();
    app = await startConsole();
    const admin = await signInAs(app.t, 'admin');
    operator = await signInAs(app.t, 'operator');
    const created = await app.t.request({
      method: 'POST',
      url: '/api/v1/firewalls',
      headers: admin.headers,
      body: {
        name: 'hargett-fw',
        site: 'hargett',
        apiUrl: url,
        apiKey: KEY,
        settings: { public_subnet: '38.247.82.0/23', lan_interface: 'opt3', lan_subnet: '69.1.0.0/22' },
      },
    });
    expect(created.status, created.body).toBe(201);
    firewallId = created.json<{ id: string }>().id;
  }, 300_000);
  closePagesAfterEach(() => app);
  afterAll(async () => {
    await app?.close();
    await sim?.close();
  });

  it('uploads the networking file and shows 508 objects per type side by side, filtered', async () => {
    const page = await app.newPage();
    await signIn(page, operator.username, operator.password);
    await page.goto(`/firewall/${firewallId}`);
    await page.getByRole('heading', { name: 'hargett-fw' }).waitFor();
    const upload = page.locator('input[aria-label="Networking YAML file"]');
    const bad =
      'ips:\n  - public_ip: 38.247.82.2\n    internal_ip: 10.99.0.5\n    mac: "02:00:2e:8c:5e:78"\n';
    await upload.setInputFiles({
      name: 'networking_bad.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from(bad),
    });
    await page.getByText('networking_bad.yaml was not stored').waitFor();
    expect(await page.getByLabel('Problems in the networking file').textContent()).toContain(
      'networking_bad.yaml:',
    );
    await screenshot(page, 'firewall-plan-00-upload-problems');
    await upload.setInputFiles(hargett);
    await page.getByText('Stored networking_hargett.yaml').waitFor();
    await page.getByText('100 of 2032 changes listed').waitFor();
    const rules = page.locator('[data-tab="rule"]');
    await rules.filter({ hasText: '(508)' }).waitFor();
    await rules.click();
    // The tab's rows render after the click: wait for them before counting.
    await page.locator('tr[data-kind="rule"]').first().waitFor();
    expect(await page.locator('tr[data-kind="rule"]').count()).toBe(50);
    expect(await page.locator('tr[data-kind="rule"]').first().textContent()).toContain('create');
    await screenshot(page, 'firewall-plan-01-rules');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Filter objects').fill('38.247.82.3 ');
    await rules.filter({ hasText: 'of 508' }).waitFor();
    const shown = await page.locator('tr[data-kind="rule"]').count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(50);
  });
});
