import type { Customer, Deployment, Host, Page } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';

/** Customer A must not learn anything of customer B's, even by guessing ids. */
describe.each(testDatabases())('customer isolation on %s', (dialect) => {
  let t: TestServer;
  let a: Customer;
  let b: Customer;
  let asA: Record<string, string>;
  let hostA: Host;
  let hostB: Host;
  let deploymentA: Deployment;
  let deploymentB: Deployment;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    const operator = (await signInAs(t, 'operator')).headers;
    const post = async <T>(url: string, body: unknown) => {
      const res = await t.request({ method: 'POST', url, headers: operator, body });
      if (res.status !== 201) throw new Error(`${url}: ${res.status} ${res.body}`);
      return res.json<T>();
    };
    a = await post<Customer>('/api/v1/customers', { name: 'Acme GPU' });
    b = await post<Customer>('/api/v1/customers', { name: 'Binary Labs' });
    hostA = await post<Host>('/api/v1/hosts', {
      hostname: 'a-node',
      ipAddress: '10.0.1.1',
      customerId: a.id,
    });
    hostB = await post<Host>('/api/v1/hosts', {
      hostname: 'b-node',
      ipAddress: '10.0.2.1',
      customerId: b.id,
    });
    await post<Host>('/api/v1/hosts', { hostname: 'staff-node', ipAddress: '10.0.3.1' });
    deploymentA = await post<Deployment>('/api/v1/deployments', {
      name: 'synaptron-001',
      kind: 'customer',
      customerId: a.id,
      hostId: hostA.id,
    });
    deploymentB = await post<Deployment>('/api/v1/deployments', {
      name: 'synaptron-002',
      kind: 'customer',
      customerId: b.id,
      hostId: hostB.id,
    });
    await post<Deployment>('/api/v1/deployments', { name: 'grafana', kind: 'internal' });
    asA = (await signInAs(t, 'customer', { customerId: a.id })).headers;
  });
  afterAll(() => t.close());

  const get = (url: string) => t.request({ method: 'GET', url, headers: asA });

  it('lists only their own customer, hosts and deployments', async () => {
    expect((await get('/api/v1/customers')).json<Page<Customer>>().items.map((c) => c.name)).toEqual([
      'Acme GPU',
    ]);
    expect((await get('/api/v1/hosts')).json<Page<Host>>().items.map((h) => h.hostname)).toEqual(['a-node']);
    expect((await get('/api/v1/deployments')).json<Page<Deployment>>().items.map((d) => d.name)).toEqual([
      'synaptron-001',
    ]);
  });

  it("cannot widen a list by filtering on the other customer's id", async () => {
    expect((await get(`/api/v1/hosts?customerId=${b.id}`)).json<Page<Host>>().total).toBe(0);
    expect((await get(`/api/v1/deployments?customerId=${b.id}`)).json<Page<Deployment>>().total).toBe(0);
  });

  it("gets 404, not 403, for the other customer's records (existence is not revealed)", async () => {
    for (const url of [
      `/api/v1/customers/${b.id}`,
      `/api/v1/hosts/${hostB.id}`,
      `/api/v1/deployments/${deploymentB.id}`,
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
    }
    expect((await get(`/api/v1/hosts/${hostA.id}`)).status).toBe(200);
    expect((await get(`/api/v1/deployments/${deploymentA.id}`)).status).toBe(200);
  });

  it('cannot change anything, not even its own records', async () => {
    const attempts = [
      { method: 'PATCH' as const, url: `/api/v1/deployments/${deploymentB.id}`, body: { status: 'stopped' } },
      { method: 'PATCH' as const, url: `/api/v1/deployments/${deploymentA.id}`, body: { status: 'stopped' } },
      { method: 'DELETE' as const, url: `/api/v1/hosts/${hostB.id}` },
      { method: 'PATCH' as const, url: `/api/v1/customers/${a.id}`, body: { name: 'Mine now' } },
      {
        method: 'POST' as const,
        url: '/api/v1/hosts',
        body: { hostname: 'sneaky', ipAddress: '10.0.9.9', customerId: a.id },
      },
    ];
    for (const attempt of attempts) {
      const res = await t.request({ ...attempt, headers: asA });
      expect(res.status, `${attempt.method} ${attempt.url}`).toBe(403);
    }
    expect((await get(`/api/v1/deployments/${deploymentA.id}`)).json<Deployment>().status).toBe('planned');
  });

  it('sees neither clusters nor the audit log', async () => {
    expect((await get('/api/v1/clusters')).status).toBe(403);
    expect((await get('/api/v1/audit')).status).toBe(403);
  });
});
