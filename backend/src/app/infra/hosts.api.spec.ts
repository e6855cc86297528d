import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Host, HostImportResult, Page } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';

const hostsDir = path.resolve(
  import.meta.dirname,
  '../../../../../shared/reference/original/Skyy-Command/desired_state/hosts_local',
);
const referenceFiles = readdirSync(hostsDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((name) => ({ name, content: readFileSync(path.join(hostsDir, name), 'utf8') }));

describe.each(testDatabases())('hosts API on %s', (dialect) => {
  let t: TestServer;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    operator = (await signInAs(t, 'operator')).headers;
    viewer = (await signInAs(t, 'viewer')).headers;
  });
  afterAll(() => t.close());

  const list = async (query = '') =>
    (await t.request({ method: 'GET', url: `/api/v1/hosts${query}`, headers: viewer })).json<Page<Host>>();

  it("imports the user's host files unchanged, keeping every field and the source YAML", async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/hosts/import',
      headers: operator,
      body: { files: referenceFiles },
    });
    expect(res.status).toBe(200);
    const result = res.json<HostImportResult>();
    expect(result.applied).toBe(true);
    expect(result.files.map((f) => [f.name, f.status])).toEqual(
      referenceFiles.map((f) => [f.name, 'created']),
    );

    const page = await list();
    expect(page.total).toBe(4);
    const host = page.items.find((h) => h.hostname === 'puma-proxmox-005');
    expect(host).toMatchObject({
      ipAddress: '192.168.210.105',
      roles: ['proxmox', 'ceph-osd', 'gpu', 'tailscale'],
      tags: ['ceph', 'gpu', 'nomad', 'edge'],
      os: 'proxmox',
      gpu: true,
      source: 'puma-proxmox-005.yaml',
    });
    expect(host?.settings).toMatchObject({
      networking: {
        tailscale: { hostname: 'puma-c1-server-005', tags: [{ tag: 'proxmox' }, { tag: 'ssh' }] },
      },
      storage: {
        proxmox_vm_storage: {
          thinpools: [{ name: 'thinpool01', devices: ['/dev/nvme0n1'] }, { name: 'thinpool02' }],
        },
        ceph: { managed_by: 'ceph', osd_devices: ['/dev/sda', '/dev/sdb'] },
      },
    });
    expect(host?.sourceYaml).toBe(referenceFiles.find((f) => f.name === 'puma-proxmox-005.yaml')?.content);
  });

  it('reports a re-import of the same files as unchanged and a changed file as updated', async () => {
    const changed = referenceFiles.map((f) =>
      f.name === 'puma-proxmox-006.yaml'
        ? { ...f, content: f.content.replace('192.168.210.106', '192.168.210.206') }
        : f,
    );
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/hosts/import',
      headers: operator,
      body: { files: changed },
    });
    expect(res.json<HostImportResult>().files.map((f) => f.status)).toEqual([
      'unchanged',
      'updated',
      'unchanged',
      'unchanged',
    ]);
    expect((await list('?q=puma-proxmox-006')).items[0]?.ipAddress).toBe('192.168.210.206');
  });

  it('writes nothing when any file is invalid and says where each problem is', async () => {
    const bad = {
      name: 'broken.yaml',
      content: 'hostname: puma-proxmox-099\nip_address: 300.1.1.1\nroles:\n  - proxmox\n',
    };
    const fresh = { name: 'new.yaml', content: 'hostname: puma-proxmox-100\nip_address: 10.0.0.100\n' };
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/hosts/import',
      headers: operator,
      body: { files: [fresh, bad] },
    });
    expect(res.status).toBe(422);
    const result = res.json<HostImportResult>();
    expect(result.applied).toBe(false);
    expect(result.files[0]).toMatchObject({ name: 'new.yaml', status: 'created' });
    expect(result.files[1]).toMatchObject({
      name: 'broken.yaml',
      status: 'invalid',
      errors: [{ line: 2, column: 1, path: 'ip_address' }],
    });
    expect((await list('?q=puma-proxmox-100')).total).toBe(0);
  });

  it('refuses two files describing the same host', async () => {
    const a = { name: 'a.yaml', content: 'hostname: twin\nip_address: 10.0.0.1\n' };
    const b = { name: 'b.yaml', content: 'hostname: twin\nip_address: 10.0.0.2\n' };
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/hosts/import',
      headers: operator,
      body: { files: [a, b] },
    });
    expect(res.status).toBe(422);
    expect(res.json<HostImportResult>().files[1]?.errors[0]?.message).toContain('also defined in a.yaml');
  });

  it('dry-run reports what would change without writing', async () => {
    const file = { name: 'dry.yaml', content: 'hostname: dry-run-host\nip_address: 10.9.9.9\n' };
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/hosts/import',
      headers: operator,
      body: { files: [file], dryRun: true },
    });
    expect(res.json<HostImportResult>()).toMatchObject({ applied: false, files: [{ status: 'created' }] });
    expect((await list('?q=dry-run-host')).total).toBe(0);
  });

  it('creates, reads, updates and deletes a host, with conflicts and bad references explained', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/hosts',
      headers: operator,
      body: {
        hostname: 'gpu-box-01',
        ipAddress: '10.1.2.3',
        roles: ['gpu'],
        tags: ['edge'],
        settings: { gpu: true, os: 'ubuntu' },
      },
    });
    expect(created.status).toBe(201);
    const host = created.json<Host>();
    expect(host).toMatchObject({ hostname: 'gpu-box-01', gpu: true, os: 'ubuntu', source: 'api' });

    const duplicate = await t.request({
      method: 'POST',
      url: '/api/v1/hosts',
      headers: operator,
      body: { hostname: 'gpu-box-01', ipAddress: '10.1.2.4' },
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json()).toMatchObject({ errors: [{ path: 'body.hostname' }] });

    const badRef = await t.request({
      method: 'PATCH',
      url: `/api/v1/hosts/${host.id}`,
      headers: operator,
      body: { clusterId: '11111111-1111-4111-8111-111111111111' },
    });
    expect(badRef.status).toBe(422);
    expect(badRef.json()).toMatchObject({
      errors: [{ path: 'body.clusterId', message: 'no cluster has this id' }],
    });

    const updated = await t.request({
      method: 'PATCH',
      url: `/api/v1/hosts/${host.id}`,
      headers: operator,
      body: { tags: ['edge', 'nomad'] },
    });
    // Fields left out of a PATCH keep their values.
    expect(updated.json<Host>()).toMatchObject({
      tags: ['edge', 'nomad'],
      roles: ['gpu'],
      gpu: true,
      os: 'ubuntu',
    });
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/hosts/${host.id}`, headers: viewer })).json<Host>()
        .tags,
    ).toEqual(['edge', 'nomad']);

    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/hosts/${host.id}`, headers: operator })).status,
    ).toBe(204);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/hosts/${host.id}`, headers: viewer })).status,
    ).toBe(404);

    const audit = await t.request({
      method: 'GET',
      url: `/api/v1/audit?targetId=${host.id}`,
      headers: viewer,
    });
    expect(audit.json<Page<{ action: string }>>().items.map((e) => e.action)).toEqual([
      'host.delete',
      'host.update',
      'host.create',
    ]);
  });

  it('validates fields and names them', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/hosts',
      headers: operator,
      body: { hostname: 'bad host!', ipAddress: 12 },
    });
    expect(res.status).toBe(400);
    expect(
      res
        .json<{ errors: { path: string }[] }>()
        .errors.map((e) => e.path)
        .sort(),
    ).toEqual(['body.hostname', 'body.ipAddress']);
  });

  it('filters by role, tag, text and GPU, and sorts', async () => {
    expect((await list('?role=ceph-osd')).items.map((h) => h.hostname)).toEqual([
      'puma-proxmox-005',
      'puma-proxmox-006',
      'puma-proxmox-007',
      'puma-proxmox-008',
    ]);
    expect((await list('?tag=nomad&q=007')).items.map((h) => h.hostname)).toEqual(['puma-proxmox-007']);
    expect((await list('?gpu=false')).items).toEqual([]);
    expect((await list('?sort=hostname&order=desc&limit=2')).items.map((h) => h.hostname)).toEqual([
      'puma-proxmox-008',
      'puma-proxmox-007',
    ]);
    expect((await list('?q=%27%3B%20drop%20table%20hosts%3B--')).total).toBe(0);
    expect((await list('?q=%25')).total).toBe(0);
    expect((await list()).total).toBe(4);
  });

  it('pages through every host exactly once with the cursor', async () => {
    for (let i = 0; i < 7; i++) {
      await t.request({
        method: 'POST',
        url: '/api/v1/hosts',
        headers: operator,
        body: { hostname: `page-${i}`, ipAddress: `10.5.0.${i}` },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Host> = await list(`?limit=3&sort=ipAddress${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.items.map((h) => h.hostname));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(11);
    expect(new Set(seen).size).toBe(11);
    const bad = await t.request({ method: 'GET', url: '/api/v1/hosts?cursor=not-a-cursor', headers: viewer });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ errors: [{ path: 'query.cursor' }] });
  });

  it('lets a viewer read but not change hosts', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/hosts',
      headers: viewer,
      body: { hostname: 'nope', ipAddress: '10.0.0.9' },
    });
    expect(res.status).toBe(403);
  });
});
