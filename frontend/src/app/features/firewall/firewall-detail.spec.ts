import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { Firewall, FirewallPlan } from '@skyy/contracts';
import { aUser } from '../../../testing/fixtures.ts';
import { settle } from '../../../testing/settle.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { FirewallDetail } from './firewall-detail.ts';

const id = '00000000-0000-4000-8000-0000000000f1';
const at = '2026-11-27T08:00:00.000Z';
const firewall: Firewall = {
  id,
  name: 'fw-ams1',
  site: 'ams1',
  apiUrl: 'https://127.0.0.1:8443',
  apiKey: { set: true, source: 'stored', envName: null },
  tls: { caFile: null, fingerprint: null, insecure: true },
  settings: null,
  networkingFile: null,
  networking: null,
  source: 'api',
  createdAt: at,
  updatedAt: at,
};

const counts = { create: 0, update: 0, delete: 0, unchanged: 0, unmanaged: 0, conflicts: 0 };

/** 120 rules in sync (more than a page), a drifted VIP, an unmanaged NAT, a conflicting DHCP mapping. */
function aPlan(): FirewallPlan {
  const rules = Array.from({ length: 120 }, (_, i) => ({
    kind: 'rule' as const,
    key: `rule-${String(i).padStart(3, '0')}`,
    status: 'in-sync' as const,
    managed: true,
    desired: { destination: `10.0.0.${i}` },
    actual: { destination: `10.0.0.${i}` },
    source: { file: 'networking_ams1.yaml', line: 10 + i },
  }));
  return {
    firewallId: id,
    site: 'ams1',
    blocked: false,
    findings: [],
    plan: {
      changes: [
        {
          action: 'update',
          kind: 'vip',
          key: '203.0.113.10',
          diff: [{ field: 'descr', desired: 'web', actual: 'old' }],
        },
      ],
      unmanaged: [{ kind: 'nat', id: 3, key: '203.0.113.99', descr: 'by hand' }],
      conflicts: [],
      counts: { vip: counts, nat: counts, rule: counts, dhcp: counts },
    },
    rows: {
      vip: [
        {
          kind: 'vip',
          key: '203.0.113.10',
          status: 'drifted',
          managed: true,
          desired: { subnet: '203.0.113.10', descr: 'web' },
          actual: { subnet: '203.0.113.10', descr: 'old' },
          source: { file: 'networking_ams1.yaml', line: 4 },
        },
      ],
      nat: [
        {
          kind: 'nat',
          key: '203.0.113.99',
          status: 'unmanaged',
          managed: false,
          actual: { descr: 'by hand' },
        },
      ],
      rule: rules,
      dhcp: [
        {
          kind: 'dhcp',
          key: 'aa:bb:cc:dd:ee:ff',
          status: 'conflict',
          managed: false,
          desired: { ipaddr: '10.0.0.5' },
          actual: { ipaddr: '10.0.0.6' },
        },
      ],
    },
  };
}

describe('Firewall detail', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
  });

  async function open(role: 'viewer' | 'operator') {
    TestBed.inject(SessionState).signedIn({ user: aUser(role), csrfToken: 't' });
    const fixture = TestBed.createComponent(FirewallDetail);
    fixture.componentRef.setInput('id', id);
    await settle(fixture);
    http.expectOne(`/api/v1/firewalls/${id}`).flush(firewall);
    http
      .expectOne((r) => r.url === `/api/v1/firewalls/${id}/status`)
      .flush({ firewallId: id, latest: null, history: [] });
    await settle(fixture);
    http.expectOne(`/api/v1/firewalls/${id}/plan`).flush(aPlan());
    await settle(fixture);
    return { fixture, element: fixture.nativeElement as HTMLElement };
  }

  function tab(element: HTMLElement, label: string): HTMLElement {
    return [...element.querySelectorAll<HTMLElement>('[data-tab]')].find((t) =>
      t.textContent?.includes(label),
    )!;
  }

  it('shows desired and actual side by side per object type, with state and managed marker', async () => {
    const { fixture, element } = await open('viewer');
    expect(tab(element, 'Virtual IPs').textContent).toContain('(1)');
    expect(tab(element, 'Rules').textContent).toContain('(120)');
    const vip = element.querySelector('tr[data-kind="vip"]')!;
    expect(vip.textContent).toContain('update');
    expect(vip.textContent).toContain('managed');
    expect(vip.textContent).toContain('networking_ams1.yaml:4');
    expect(vip.querySelector('.differs')?.textContent).toContain('descr: web');

    tab(element, '1:1 NAT').click();
    await settle(fixture);
    const nat = element.querySelector('tr[data-kind="nat"]')!;
    expect(nat.textContent).toContain('unmanaged');

    tab(element, 'DHCP').click();
    await settle(fixture);
    expect(element.querySelector('tr[data-kind="dhcp"]')?.textContent).toContain('conflict');
    // Viewers cannot upload a networking file.
    expect(element.textContent).not.toContain('Upload networking file');
  });

  it('pages a long list and filters it by text', async () => {
    const { fixture, element } = await open('viewer');
    tab(element, 'Rules').click();
    await settle(fixture);
    expect(element.querySelectorAll('tr[data-kind="rule"]').length).toBe(50);
    expect(element.textContent).toContain('rule-000');
    expect(element.textContent).not.toContain('rule-050');

    const filter = element.querySelector<HTMLInputElement>('input[aria-label="Filter objects"]')!;
    filter.value = '10.0.0.77';
    filter.dispatchEvent(new Event('input'));
    await settle(fixture);
    const rows = element.querySelectorAll('tr[data-kind="rule"]');
    expect(rows.length).toBe(1);
    expect(rows[0]!.textContent).toContain('rule-077');
    expect(tab(element, 'Rules').textContent).toContain('(1 of 120)');
    expect(tab(element, 'Virtual IPs').textContent).toContain('(0 of 1)');
  });

  it('lets an operator upload a networking file and shows the problems with file:line', async () => {
    const { fixture, element } = await open('operator');
    expect(element.textContent).toContain('Upload networking file');
    const input = element.querySelector<HTMLInputElement>('input[aria-label="Networking YAML file"]')!;
    const content = 'vips:\n  - subnet: nope\n';
    Object.defineProperty(input, 'files', { value: [new File([content], 'networking_ams1.yaml')] });
    input.dispatchEvent(new Event('change'));
    await settle(fixture);
    const put = http.expectOne(`/api/v1/firewalls/${id}/networking`);
    expect(put.request.method).toBe('PUT');
    expect(put.request.body).toEqual({ name: 'networking_ams1.yaml', content });
    put.flush(
      {
        type: 'about:blank',
        title: 'Unprocessable',
        status: 422,
        errors: [
          {
            path: 'content',
            message: 'networking_ams1.yaml:2: error [vip.subnet] not an address. Fix: write an IPv4 address',
          },
        ],
      },
      { status: 422, statusText: 'Unprocessable Entity' },
    );
    await settle(fixture);
    expect(element.querySelector('[role="alert"]')?.textContent).toContain('was not stored: 1 problems');
    expect(element.textContent).toContain('networking_ams1.yaml:2: error [vip.subnet] not an address');
    http.verify();
  });

  it('reloads the plan after a valid upload', async () => {
    const { fixture, element } = await open('operator');
    const input = element.querySelector<HTMLInputElement>('input[aria-label="Networking YAML file"]')!;
    Object.defineProperty(input, 'files', { value: [new File(['vips: []\n'], 'networking_ams1.yaml')] });
    input.dispatchEvent(new Event('change'));
    await settle(fixture);
    http
      .expectOne(`/api/v1/firewalls/${id}/networking`)
      .flush({ name: 'networking_ams1.yaml', content: 'vips: []\n', source: 'api', updatedAt: at });
    await settle(fixture);
    http
      .expectOne(`/api/v1/firewalls/${id}`)
      .flush({ ...firewall, networking: { name: 'networking_ams1.yaml', updatedAt: at } });
    await settle(fixture);
    const plan = aPlan();
    plan.rows.vip = [];
    http.expectOne(`/api/v1/firewalls/${id}/plan`).flush(plan);
    await settle(fixture);
    expect(element.textContent).toContain('Stored networking_ams1.yaml');
    expect(tab(element, 'Virtual IPs').textContent).toContain('(0)');
    http.verify();
  });
});
