import type { Customer } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';

describe.each(testDatabases())('customers API on %s', (dialect) => {
  let t: TestServer;
  let operator: Record<string, string>;
  beforeAll(async () => {
    t = await startTestServer(dialect);
    operator = (await signInAs(t, 'operator')).headers;
  });
  afterAll(() => t.close());

  it('refuses anonymous callers with a problem document', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/customers' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
  });

  it('creates a customer and refuses the same name in another case', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/customers',
      headers: operator,
      body: { name: 'Timpi', email: 'ops@timpi.io' },
    });
    expect(created.status).toBe(201);
    const dup = await t.request({
      method: 'POST',
      url: '/api/v1/customers',
      headers: operator,
      body: { name: 'TIMPI' },
    });
    expect(dup.status).toBe(409);
    expect(dup.json()).toMatchObject({ errors: [{ path: 'body.name', message: 'already taken' }] });
  });

  it('searches names case-insensitively with % and _ taken literally, on every dialect', async () => {
    await t.request({
      method: 'POST',
      url: '/api/v1/customers',
      headers: operator,
      body: { name: 'Snap_Tron Labs' },
    });
    const names = async (q: string) =>
      (
        await t.request({
          method: 'GET',
          url: `/api/v1/customers?q=${encodeURIComponent(q)}`,
          headers: operator,
        })
      )
        .json<{ items: Customer[] }>()
        .items.map((c) => c.name);
    expect(await names('snap_tron')).toEqual(['Snap_Tron Labs']);
    expect(await names('SNAP_T')).toEqual(['Snap_Tron Labs']);
    expect(await names('snap%tron')).toEqual([]);
    expect(await names('snapxtron')).toEqual([]);
  });

  it('refuses to delete a customer that still has users', async () => {
    const { id } = (
      await t.request({
        method: 'POST',
        url: '/api/v1/customers',
        headers: operator,
        body: { name: 'Has Users' },
      })
    ).json<Customer>();
    await signInAs(t, 'customer', { customerId: id });
    const res = await t.request({ method: 'DELETE', url: `/api/v1/customers/${id}`, headers: operator });
    expect(res.status).toBe(409);
    expect(res.json<{ detail: string }>().detail).toContain('1 user(s)');
  });

  it('keeps fields a PATCH leaves out', async () => {
    const { id } = (
      await t.request({
        method: 'POST',
        url: '/api/v1/customers',
        headers: operator,
        body: { name: 'Keep', email: 'k@example.net', notes: 'vip' },
      })
    ).json<Customer>();
    const patched = await t.request({
      method: 'PATCH',
      url: `/api/v1/customers/${id}`,
      headers: operator,
      body: { name: 'Kept' },
    });
    expect(patched.json<Customer>()).toMatchObject({ name: 'Kept', email: 'k@example.net', notes: 'vip' });
  });

  it('refuses to delete a customer that still has hosts or deployments', async () => {
    const { id } = (
      await t.request({ method: 'POST', url: '/api/v1/customers', headers: operator, body: { name: 'Busy' } })
    ).json<Customer>();
    await t.request({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: operator,
      body: { name: 'node-1', kind: 'customer', customerId: id },
    });
    const res = await t.request({ method: 'DELETE', url: `/api/v1/customers/${id}`, headers: operator });
    expect(res.status).toBe(409);
    expect(res.json<{ detail: string }>().detail).toContain('1 deployment(s)');
    const empty = (
      await t.request({ method: 'POST', url: '/api/v1/customers', headers: operator, body: { name: 'Gone' } })
    ).json<Customer>();
    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/customers/${empty.id}`, headers: operator })).status,
    ).toBe(204);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/customers/${empty.id}`, headers: operator })).status,
    ).toBe(404);
  });
});
