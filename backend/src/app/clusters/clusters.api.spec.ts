import type { Cluster, Page } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';

const SECRET = 'pve-secret-7f3a9c1e-never-shown';

describe.each(testDatabases())('clusters API on %s', (dialect) => {
  let t: TestServer;
  let admin: Record<string, string>;
  let operator: Record<string, string>;

  beforeAll(async () => {
    t = await startTestServer(dialect, {
      clusters: [
        {
          name: 'from-config',
          type: 'proxmox',
          api_url: 'https://10.0.0.5:8006/api2/json',
          token_id: 'skyy@pve!cmd',
          token_secret: 'env:PVE_TOKEN',
          sync_interval: '*/5 * * * *',
        },
      ],
    });
    admin = (await signInAs(t, 'admin')).headers;
    operator = (await signInAs(t, 'operator')).headers;
  });
  afterAll(() => t.close());

  it('lists clusters declared in config.yaml, with env: secrets shown as references', async () => {
    const page = (await t.request({ method: 'GET', url: '/api/v1/clusters', headers: operator })).json<
      Page<Cluster>
    >();
    expect(page.items).toEqual([
      expect.objectContaining({
        name: 'from-config',
        source: 'config',
        tokenSecret: { set: true, source: 'env', envName: 'PVE_TOKEN' },
      }),
    ]);
  });

  it('stores a token secret sealed and never returns it', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/clusters',
      headers: admin,
      body: {
        name: 'puma',
        type: 'proxmox',
        apiUrl: 'https://10.0.0.6:8006/api2/json',
        tokenId: 'skyy@pve!x',
        tokenSecret: SECRET,
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).not.toContain(SECRET);
    const cluster = created.json<Cluster>();
    expect(cluster.tokenSecret).toEqual({ set: true, source: 'stored', envName: null });

    const row = await t.server.db.kysely
      .selectFrom('clusters')
      .select('token_secret')
      .where('id', '=', cluster.id)
      .executeTakeFirstOrThrow();
    expect(row.token_secret).not.toContain(SECRET);
    expect(row.token_secret).toMatch(/^v1:/);

    for (const url of [
      '/api/v1/clusters',
      `/api/v1/clusters/${cluster.id}`,
      '/api/v1/audit?targetType=cluster',
    ]) {
      expect((await t.request({ method: 'GET', url, headers: admin })).body).not.toContain(SECRET);
    }
  });

  it('clears a secret with null and keeps it when the field is absent', async () => {
    const [cluster] = (
      await t.request({ method: 'GET', url: '/api/v1/clusters?q=puma', headers: admin })
    ).json<Page<Cluster>>().items;
    const kept = await t.request({
      method: 'PATCH',
      url: `/api/v1/clusters/${cluster?.id}`,
      headers: admin,
      body: { site: 'hargett' },
    });
    expect(kept.json<Cluster>()).toMatchObject({ site: 'hargett', tokenSecret: { set: true } });
    const cleared = await t.request({
      method: 'PATCH',
      url: `/api/v1/clusters/${cluster?.id}`,
      headers: admin,
      body: { tokenSecret: null },
    });
    expect(cleared.json<Cluster>().tokenSecret).toEqual({ set: false, source: null, envName: null });
  });

  it('only lets admins change clusters', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/clusters',
      headers: operator,
      body: { name: 'x', type: 'ceph' },
    });
    expect(res.status).toBe(403);
  });

  it('refuses duplicate names and invalid fingerprints with field paths', async () => {
    const dup = await t.request({
      method: 'POST',
      url: '/api/v1/clusters',
      headers: admin,
      body: { name: 'puma', type: 'ceph' },
    });
    expect(dup.status).toBe(409);
    const bad = await t.request({
      method: 'POST',
      url: '/api/v1/clusters',
      headers: admin,
      body: { name: 'fp', type: 'proxmox', tls: { fingerprint: 'AA:BB' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [{ path: 'body.tls.fingerprint' }] });
  });
});
