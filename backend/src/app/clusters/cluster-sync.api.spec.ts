import type {
  Cluster,
  ClusterGpu,
  ClusterGuest,
  ClusterGuestDetail,
  ClusterNode,
  ClusterStorage,
  ClusterSyncStatus,
  Host,
  Page,
} from '@skyy/contracts';
import { ProxmoxClient } from '@skyy/proxmox';
import type { ProxmoxSimulator } from '@skyy/sim-proxmox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { EventBus, type LiveEvent } from '../../core/events/event-bus.ts';
import { Schedules } from '../../core/queue/index.ts';
import { waitFor } from '../../core/queue/testing/queue-kit.ts';
import {
  addSimulatorCluster,
  jobLog,
  settledJob,
  shortenProxmoxTimings,
  SIM_TOKEN,
  startTlsSimulator,
} from './testing/proxmox-lab.ts';

const hostFile = (hostname: string, ip: string, tailscale?: string) =>
  [
    `hostname: ${hostname}`,
    `ip_address: ${ip}`,
    ...(tailscale
      ? [
          'settings:',
          '  networking:',
          '    tailscale:',
          '      enabled: true',
          `      hostname: ${tailscale}`,
        ]
      : []),
  ].join('\n');

describe.each(testDatabases())('cluster sync against the Proxmox simulator on %s', (dialect) => {
  let t: TestServer;
  let sim: ProxmoxSimulator;
  let fingerprint: string;
  let admin: Record<string, string>;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  let cluster: Cluster;

  const get = async <T>(url: string, headers = viewer) => {
    const res = await t.request({ method: 'GET', url, headers });
    expect(res.status, res.body).toBe(200);
    return res.json<T>();
  };
  const syncNow = async () => {
    const res = await t.request({
      method: 'POST',
      url: `/api/v1/clusters/${cluster.id}/sync`,
      headers: operator,
    });
    expect(res.status, res.body).toBe(202);
    return settledJob(t, operator, res.json<{ jobId: string }>().jobId);
  };

  beforeAll(async () => {
    ({ sim, fingerprint } = await startTlsSimulator());
    t = await startTestServer(dialect);
    shortenProxmoxTimings(t);
    admin = (await signInAs(t, 'admin')).headers;
    operator = (await signInAs(t, 'operator')).headers;
    viewer = (await signInAs(t, 'viewer')).headers;
    const imported = await t.request({
      method: 'POST',
      url: '/api/v1/hosts/import',
      headers: operator,
      body: {
        files: [
          { name: 'PVE1.yaml', content: hostFile('PVE1', '10.0.0.1') },
          { name: 'edge.yaml', content: hostFile('edge-02', '10.0.0.2', 'pve2') },
          { name: 'fqdn.yaml', content: hostFile('pve3.example.com', '10.0.0.3') },
        ],
      },
    });
    expect(imported.status, imported.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('refuses a certificate that does not match the pinned fingerprint, and says so in the status', async () => {
    cluster = await addSimulatorCluster(t, admin, sim, `${'AB:'.repeat(31)}AB`);
    const job = await syncNow();
    expect(job.status).toBe('failed');
    const status = await get<ClusterSyncStatus>(`/api/v1/clusters/${cluster.id}/status`);
    expect(status).toMatchObject({ lastSync: 'failed', counts: { nodes: 0, guests: 0 } });
    expect(status.lastSyncError).toMatch(/fingerprint/i);
  });

  it('reads nodes, guests, storages, GPUs, quorum and Ceph over HTTPS with the pinned fingerprint', async () => {
    const patched = await t.request({
      method: 'PATCH',
      url: `/api/v1/clusters/${cluster.id}`,
      headers: admin,
      body: { tls: { fingerprint } },
    });
    expect(patched.status, patched.body).toBe(200);
    const job = await syncNow();
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect((await jobLog(t, operator, job.id)).join('\n')).toContain('3 nodes, 10 guests');

    const status = await get<ClusterSyncStatus>(`/api/v1/clusters/${cluster.id}/status`);
    expect(status).toMatchObject({
      lastSync: 'ok',
      lastSyncError: null,
      lastSyncJobId: job.id,
      clusterName: 'sim-cluster',
      quorum: { quorate: true, online: 3, total: 3 },
      ceph: { health: 'HEALTH_OK' },
      counts: { nodes: 3, guests: 10, gpus: 6 },
    });

    const nodes = (await get<{ items: ClusterNode[] }>(`/api/v1/clusters/${cluster.id}/nodes`)).items;
    expect(nodes.map((n) => [n.name, n.status, n.maxCpu])).toEqual([
      ['pve1', 'online', 64],
      ['pve2', 'online', 64],
      ['pve3', 'online', 64],
    ]);
    expect(nodes[0]?.memoryTotalBytes).toBe(512 * 1024 ** 3);
    expect(nodes.every((n) => n.uptimeSeconds > 0)).toBe(true);

    const guests = await get<Page<ClusterGuest>>(`/api/v1/clusters/${cluster.id}/guests?limit=100`);
    expect(guests.total).toBe(sim.state.guests.length);
    const vm100 = guests.items.find((g) => g.vmid === 100);
    const simVm100 = sim.state.guests.find((g) => g.vmid === 100);
    expect(vm100).toMatchObject({
      type: 'qemu',
      node: 'pve1',
      status: simVm100?.status,
      cores: Number(simVm100?.config.cores),
      memoryMiB: Number(simVm100?.config.memory),
      gpus: [{ slot: 'hostpci0', pci: '0000:01:00', mapping: null }],
      nics: [{ slot: 'net0', model: 'virtio', bridge: 'vmbr0', vlan: null }],
    });
    expect(vm100?.disks[0]).toMatchObject({ slot: 'scsi0', storage: 'local-lvm' });
    expect(vm100?.disks[0]?.sizeGiB).toBeGreaterThan(0);
    const containers = await get<Page<ClusterGuest>>(
      `/api/v1/clusters/${cluster.id}/guests?type=lxc&node=pve2`,
    );
    expect(containers.items.map((c) => [c.type, c.node, c.disks[0]?.slot])).toEqual([
      ['lxc', 'pve2', 'rootfs'],
    ]);

    const storages = (await get<{ items: ClusterStorage[] }>(`/api/v1/clusters/${cluster.id}/storages`))
      .items;
    expect(storages.find((s) => s.storage === 'ceph-vm' && s.node === 'pve1')).toMatchObject({
      shared: true,
    });
    expect(storages.filter((s) => s.storage === 'local-lvm').map((s) => s.node)).toEqual([
      'pve1',
      'pve2',
      'pve3',
    ]);

    const gpus = (await get<{ items: ClusterGpu[] }>(`/api/v1/clusters/${cluster.id}/gpus`)).items;
    expect(gpus.filter((g) => g.node === 'pve1').map((g) => [g.pciId, g.usedBy?.name ?? null])).toEqual([
      ['0000:01:00', 'vm-100'],
      ['0000:21:00', null],
    ]);
    expect(gpus[0]).toMatchObject({ name: expect.stringContaining('RTX 3090'), mappings: ['rtx3090'] });
  });

  it('pages guests with a cursor and filters by status', async () => {
    const first = await get<Page<ClusterGuest>>(`/api/v1/clusters/${cluster.id}/guests?limit=4`);
    expect(first.items).toHaveLength(4);
    const second = await get<Page<ClusterGuest>>(
      `/api/v1/clusters/${cluster.id}/guests?limit=4&cursor=${first.nextCursor}`,
    );
    expect(second.items[0]?.vmid).toBeGreaterThan(first.items[3]?.vmid ?? Infinity);
    const stopped = await get<Page<ClusterGuest>>(
      `/api/v1/clusters/${cluster.id}/guests?status=stopped&limit=100`,
    );
    expect(stopped.total).toBe(sim.state.guests.filter((g) => g.status === 'stopped').length);
  });

  it('attributes GPUs passed through a PCI mapping: the device when one is free, "one of" when PVE could pick several', async () => {
    const pve = new ProxmoxClient({
      baseUrl: sim.url,
      tokenId: SIM_TOKEN.id,
      tokenSecret: SIM_TOKEN.secret,
      tls: { fingerprint },
      tasks: { pollIntervalMs: 10 },
    });
    const mapped = { memory: '1024', machine: 'q35', hostpci0: 'mapping=rtx3090,pcie=1' };
    const holder = sim.state.guests.find((g) => g.node === 'pve3' && g.config.hostpci0);
    if (!holder) throw new Error('the simulator has no GPU VM on pve3');
    try {
      // pve1: 01:00 is vm-100's by address, so map-1 can only have got 21:00.
      await pve.run(pve.qemu.create('pve1', 901, { name: 'map-1', ...mapped }));
      await pve.run(pve.qemu.start('pve1', 901));
      // pve3: its address holder is stopped, so PVE picks either device for map-2.
      await pve.run(pve.qemu.stop('pve3', holder.vmid));
      await pve.run(pve.qemu.create('pve3', 902, { name: 'map-2', ...mapped }));
      await pve.run(pve.qemu.start('pve3', 902));
      // pve2: a stopped VM with a mapping holds no device until it starts.
      await pve.run(pve.qemu.create('pve2', 903, { name: 'map-3', ...mapped }));
    } finally {
      await pve.close();
    }
    expect((await syncNow()).status).toBe('succeeded');

    const gpus = (await get<{ items: ClusterGpu[] }>(`/api/v1/clusters/${cluster.id}/gpus`)).items;
    const row = (g: ClusterGpu) => [
      `${g.node} ${g.pciId}`,
      g.usedBy ? `${g.usedBy.name} via ${g.usedBy.via}` : null,
      g.maybeUsedBy.map((m) => `${m.name} (${m.mapping}, one of ${m.candidates})`),
    ];
    expect(gpus.map(row)).toEqual([
      ['pve1 0000:01:00', 'vm-100 via pci', []],
      ['pve1 0000:21:00', 'map-1 via mapping', []],
      ['pve2 0000:01:00', expect.stringMatching(/ via pci$/), []],
      ['pve2 0000:21:00', null, []],
      ['pve3 0000:01:00', `${holder.config.name} via pci`, ['map-2 (rtx3090, one of 2)']],
      ['pve3 0000:21:00', null, ['map-2 (rtx3090, one of 2)']],
    ]);
    // What the simulator picked is indeed one of the two.
    const picked = sim.state.guests.find((g) => g.vmid === 902)?.activePci?.[0] ?? '';
    expect(['0000:01:00', '0000:21:00']).toContain(picked.replace(/\.\d$/, ''));
  });

  it('shows one guest by VMID with the GPUs it holds or may hold, for the VM page', async () => {
    const byAddress = await get<ClusterGuestDetail>(`/api/v1/clusters/${cluster.id}/guests/100`);
    expect(byAddress.guest).toMatchObject({ vmid: 100, name: 'vm-100', node: 'pve1', type: 'qemu' });
    expect(byAddress.gpus.map((g) => `${g.node} ${g.pciId} ${g.usedBy?.via ?? '-'}`)).toEqual([
      'pve1 0000:01:00 pci',
    ]);
    // map-2 holds one of two devices of its mapping: both are listed, neither claimed.
    const mapped = await get<ClusterGuestDetail>(`/api/v1/clusters/${cluster.id}/guests/902`);
    expect(mapped.gpus.map((g) => [g.pciId, g.maybeUsedBy.map((m) => m.name)])).toEqual([
      ['0000:01:00', ['map-2']],
      ['0000:21:00', ['map-2']],
    ]);
    // map-3 is stopped: a mapping holds no device until the VM starts.
    const stopped = await get<ClusterGuestDetail>(`/api/v1/clusters/${cluster.id}/guests/903`);
    expect(stopped.gpus).toEqual([]);

    const missing = await t.request({
      method: 'GET',
      url: `/api/v1/clusters/${cluster.id}/guests/99999`,
      headers: viewer,
    });
    expect(missing.status).toBe(404);
    expect(missing.json<{ detail: string }>().detail).toContain('Guest 99999');
    const bad = await t.request({
      method: 'GET',
      url: `/api/v1/clusters/${cluster.id}/guests/web-1`,
      headers: viewer,
    });
    expect(bad.status).toBe(400);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('params.vmid');
    const customer = await signInAs(t, 'customer');
    const refused = await t.request({
      method: 'GET',
      url: `/api/v1/clusters/${cluster.id}/guests/100`,
      headers: customer.headers,
    });
    expect(refused.status).toBe(403);
  });

  it('links hosts to nodes by exact hostname or Tailscale hostname, never by a guess', async () => {
    const nodes = (await get<{ items: ClusterNode[] }>(`/api/v1/clusters/${cluster.id}/nodes`)).items;
    expect(nodes.map((n) => [n.name, n.hostname])).toEqual([
      ['pve1', 'PVE1'],
      ['pve2', 'edge-02'],
      ['pve3', null],
    ]);
    const hosts = await get<Page<Host>>('/api/v1/hosts?limit=10');
    expect(hosts.items.map((h) => [h.hostname, h.clusterId]).sort()).toEqual([
      ['PVE1', cluster.id],
      ['edge-02', cluster.id],
      ['pve3.example.com', null],
    ]);
  });

  it('updates and removes rows when the cluster changes, keeping the ids of what stayed', async () => {
    const before = await get<Page<ClusterGuest>>(`/api/v1/clusters/${cluster.id}/guests?limit=100`);
    const removed = sim.state.guests.findIndex((g) => g.vmid === 104);
    sim.state.guests.splice(removed, 1);
    const vm101 = sim.state.guests.find((g) => g.vmid === 101);
    if (vm101) vm101.config.cores = '12';
    const pve3 = sim.state.nodes.find((n) => n.name === 'pve3');
    if (pve3) pve3.online = false;

    const job = await syncNow();
    expect(job.status, job.error ?? '').toBe('succeeded');
    const after = await get<Page<ClusterGuest>>(`/api/v1/clusters/${cluster.id}/guests?limit=100`);
    expect(after.items.map((g) => g.vmid)).not.toContain(104);
    expect(after.total).toBe(before.total - 1);
    expect(after.items.find((g) => g.vmid === 101)?.cores).toBe(12);
    expect(after.items.find((g) => g.vmid === 100)?.id).toBe(before.items.find((g) => g.vmid === 100)?.id);

    const nodes = (await get<{ items: ClusterNode[] }>(`/api/v1/clusters/${cluster.id}/nodes`)).items;
    expect(nodes.find((n) => n.name === 'pve3')).toMatchObject({ online: false });
    const status = await get<ClusterSyncStatus>(`/api/v1/clusters/${cluster.id}/status`);
    expect(status.quorum).toEqual({ quorate: true, online: 2, total: 3 });
    const gpus = (await get<{ items: ClusterGpu[] }>(`/api/v1/clusters/${cluster.id}/gpus`)).items;
    expect(gpus.some((g) => g.node === 'pve3')).toBe(false);
    if (pve3) pve3.online = true;
  });

  it('syncs every Proxmox cluster on the schedule and tells the console live', async () => {
    const events: LiveEvent[] = [];
    const unsubscribe = t.server.app.get(EventBus).subscribe((e) => events.push(e));
    try {
      const before = await get<ClusterSyncStatus>(`/api/v1/clusters/${cluster.id}/status`);
      const schedules = t.server.app.get(Schedules);
      expect((await schedules.list()).find((s) => s.name === 'cluster.sync')).toMatchObject({
        cron: '*/5 * * * *',
        jobType: 'cluster.sync-all',
      });
      expect(await schedules.tick('cluster.sync', new Date(Date.UTC(2030, 0, 1, 0, 5)))).toBe('enqueued');
      const after = await waitFor('a scheduled sync', async () => {
        const status = await get<ClusterSyncStatus>(`/api/v1/clusters/${cluster.id}/status`);
        return status.lastSyncJobId !== before.lastSyncJobId && status.lastSync === 'ok' && status;
      });
      expect(after.lastSyncAt && before.lastSyncAt && after.lastSyncAt > before.lastSyncAt).toBe(true);
      expect(events).toContainEqual({
        type: 'inventory.changed',
        customerId: null,
        data: { entity: 'cluster-inventory', action: 'updated', id: cluster.id },
      });
    } finally {
      unsubscribe();
    }
  });

  it('says which environment variable is missing when the token secret is an env: reference', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/clusters',
      headers: admin,
      body: {
        name: 'from-env',
        type: 'proxmox',
        apiUrl: `${sim.url}/api2/json`,
        tokenId: 'root@pam!skyy',
        tokenSecret: 'env:SKYY_TEST_UNSET_PVE_SECRET',
        tls: { fingerprint },
      },
    });
    expect(res.status, res.body).toBe(201);
    const envCluster = res.json<Cluster>();
    const started = await t.request({
      method: 'POST',
      url: `/api/v1/clusters/${envCluster.id}/sync`,
      headers: operator,
    });
    const job = await settledJob(t, operator, started.json<{ jobId: string }>().jobId);
    expect(job.status).toBe('failed');
    const status = await get<ClusterSyncStatus>(`/api/v1/clusters/${envCluster.id}/status`);
    expect(status.lastSyncError).toContain(
      "the token secret's variable SKYY_TEST_UNSET_PVE_SECRET is not set",
    );
  });

  it('drops the inventory with the cluster and unlinks its hosts', async () => {
    const removed = await t.request({
      method: 'DELETE',
      url: `/api/v1/clusters/${cluster.id}`,
      headers: admin,
    });
    expect(removed.status, removed.body).toBe(204);
    const rows = await t.server.db.kysely
      .selectFrom('cluster_guests')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cluster_id', '=', cluster.id)
      .executeTakeFirstOrThrow();
    expect(Number(rows.n)).toBe(0);
    const hosts = await get<Page<Host>>('/api/v1/hosts?limit=10');
    expect(hosts.items.every((h) => h.clusterId !== cluster.id)).toBe(true);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/clusters/${cluster.id}/nodes`, headers: viewer }))
        .status,
    ).toBe(404);
  });

  it('lets viewers read but only operators start a sync; unknown clusters are 404', async () => {
    const refused = await t.request({
      method: 'POST',
      url: `/api/v1/clusters/${cluster.id}/sync`,
      headers: viewer,
    });
    expect(refused.status).toBe(403);
    const missing = await t.request({
      method: 'GET',
      url: '/api/v1/clusters/00000000-0000-4000-8000-000000000000/nodes',
      headers: viewer,
    });
    expect(missing.status).toBe(404);
  });
});
