import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  generateSelfSignedCertificate,
  startProxmoxSimulator,
  type ProxmoxSimulator,
  type SimulatorOptions,
} from '@skyy/sim-proxmox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PveAuthError,
  PveHttpError,
  PveNetworkError,
  PvePreconditionError,
  PveResponseError,
  PveTaskFailedError,
  PveTimeoutError,
} from './errors.ts';
import { ProxmoxClient } from './proxmox-client.ts';
import type { ProxmoxClientOptions, RequestEvent } from './transport.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(simOptions: SimulatorOptions = {}, clientOptions: Partial<ProxmoxClientOptions> = {}) {
  const sim = await startProxmoxSimulator({ taskDurationMs: 5, ...simOptions });
  cleanups.push(() => sim.close());
  const events: RequestEvent[] = [];
  const pve = clientFor(sim, { onRequest: (e) => events.push(e), ...clientOptions });
  return { sim, pve, events };
}

function clientFor(sim: ProxmoxSimulator, options: Partial<ProxmoxClientOptions> = {}) {
  const [tokenId = '', tokenSecret = ''] = Object.entries(sim.state.tokens)[0] ?? [];
  const pve = new ProxmoxClient({
    baseUrl: sim.url,
    tokenId,
    tokenSecret,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    tasks: { pollIntervalMs: 5 },
    ...options,
  });
  cleanups.push(() => pve.close());
  return pve;
}

describe('ProxmoxClient over HTTPS', () => {
  const tls = generateSelfSignedCertificate();

  it('trusts a self-signed node certificate given as CA, or pinned by its SHA-256 fingerprint', async () => {
    const { sim } = await setup({ tls });
    expect((await clientFor(sim, { tls: { ca: tls.cert } }).cluster.version()).version).toBe('9.1.3');
    const pinned = clientFor(sim, { tls: { fingerprint: tls.fingerprint256.toLowerCase() } });
    expect((await pinned.cluster.status()).cluster?.name).toBe('sim-cluster');
    expect((await clientFor(sim, { tls: { insecure: true } }).nodes.list()).length).toBe(3);
  });

  it('refuses an untrusted certificate and a fingerprint that does not match', async () => {
    const { sim } = await setup({ tls });
    const untrusted = clientFor(sim, { retry: { attempts: 1 } });
    await expect(untrusted.cluster.version()).rejects.toBeInstanceOf(PveNetworkError);
    const wrongPin = clientFor(sim, {
      tls: { fingerprint: 'AA:'.repeat(31) + 'AA' },
      retry: { attempts: 1 },
    });
    await expect(wrongPin.cluster.version()).rejects.toThrow(/fingerprint mismatch/);
  });
});

describe('ProxmoxClient errors, retries and timeouts', () => {
  it('raises typed errors carrying method, path, status and PVE message', async () => {
    const { sim, pve } = await setup();
    const badToken = clientFor(sim, { tokenSecret: 'nope' });
    await expect(badToken.nodes.list()).rejects.toMatchObject({
      name: 'PveAuthError',
      status: 401,
      method: 'GET',
      path: '/nodes',
    });
    await expect(badToken.nodes.list()).rejects.toBeInstanceOf(PveAuthError);

    const missing = await pve.qemu.config('pve1', 4242).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PveHttpError);
    expect(missing).toMatchObject({
      status: 500,
      serverMessage: "Configuration file 'nodes/pve1/qemu-server/4242.conf' does not exist",
    });

    const invalid = await pve.qemu.updateConfig('pve1', 101, { cores: 'lots' }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({
      status: 400,
      errors: { cores: "type check ('integer') failed - got 'lots'" },
    });
  });

  it('retries reads on 5xx but never repeats a non-idempotent call', async () => {
    const { sim, pve, events } = await setup(
      { seed: 7 },
      { retry: { attempts: 12, baseDelayMs: 1, maxDelayMs: 2 } },
    );
    sim.setFaults({ http5xxRate: 0.5 });
    const guests = await pve.cluster.guests();
    expect(guests.length).toBeGreaterThan(0);
    expect(events.filter((e) => e.path === '/cluster/resources' && e.status === 503).length).toBeGreaterThan(
      0,
    );

    sim.setFaults({ http5xxRate: 1 });
    events.length = 0;
    await expect(pve.qemu.start('pve1', 101)).rejects.toMatchObject({ status: 503 });
    expect(events.filter((e) => e.method === 'POST')).toHaveLength(1);
  });

  it("retries PVE's lock timeouts even for non-idempotent calls", async () => {
    const { sim, pve, events } = await setup(
      { seed: 3 },
      { retry: { attempts: 15, baseDelayMs: 1, maxDelayMs: 2 } },
    );
    sim.setFaults({ lockTimeoutRate: 0.6 });
    await pve.run(pve.qemu.start('pve1', 101));
    expect(sim.state.guests.find((g) => g.vmid === 101)?.status).toBe('running');
    const starts = events.filter((e) => e.path === '/nodes/pve1/qemu/101/status/start');
    expect(starts.some((e) => e.error instanceof PveHttpError && e.error.isLockTimeout)).toBe(true);
    expect(starts.at(-1)?.status).toBe(200);
  });

  it('times out slow requests and tasks that run too long', async () => {
    const { sim, pve } = await setup({ taskDurationMs: 60_000 });
    const impatient = clientFor(sim, { timeoutMs: 50, retry: { attempts: 1 } });
    sim.setFaults({ latencyMs: 2_000 });
    await expect(impatient.nodes.list()).rejects.toBeInstanceOf(PveTimeoutError);
    sim.setFaults({});
    const upid = await pve.qemu.start('pve1', 101);
    await expect(pve.tasks.wait(upid, { timeoutMs: 30 })).rejects.toThrow(/task wait timed out/);
  });

  it('reports a failed task with its log', async () => {
    const { sim, pve } = await setup();
    sim.setFaults({ taskFailureRate: 1 });
    const error = await pve.run(pve.qemu.start('pve1', 101)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PveTaskFailedError);
    expect((error as PveTaskFailedError).log.at(-1)).toMatch(/^TASK ERROR: .*simulated task failure/);
  });

  it('fails loudly when PVE answers with data it does not expect', async () => {
    const server = http.createServer((_req, res) => res.end(JSON.stringify({ data: { surprise: true } })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const pve = new ProxmoxClient({
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      tokenId: 'a@pam!b',
      tokenSecret: 's',
    });
    cleanups.push(() => pve.close());
    await expect(pve.cluster.nextId()).rejects.toBeInstanceOf(PveResponseError);
  });
});

describe('ProxmoxClient resources against the simulator', () => {
  it('reads cluster, quorum, nodes, storages, containers, PCI devices and mappings', async () => {
    const { sim, pve } = await setup();
    expect(await pve.cluster.quorum()).toEqual({ quorate: true, online: 3, total: 3 });
    (sim.state.nodes[1] as { online: boolean }).online = false;
    (sim.state.nodes[2] as { online: boolean }).online = false;
    expect(await pve.cluster.quorum()).toEqual({ quorate: false, online: 1, total: 3 });

    const guests = await pve.cluster.guests();
    expect(guests.find((g) => g.vmid === 9000)).toMatchObject({
      type: 'qemu',
      node: 'pve1',
      template: true,
      name: 'ubuntu-2404-cloud',
    });
    expect(guests.filter((g) => g.type === 'lxc')).toHaveLength(3);
    expect(await pve.cluster.nextId()).toBe(109);
    expect((await pve.nodes.status('pve1')).cpuinfo.cpus).toBe(64);
    expect((await pve.storage.onNode('pve1', { content: 'images' })).map((s) => s.storage)).toEqual([
      'local-lvm',
      'ceph-vm',
    ]);
    expect((await pve.storage.list()).find((s) => s.storage === 'ceph-vm')?.shared).toBe(true);
    expect((await pve.lxc.config('pve1', 102)).config.hostname).toBe('ct-102');

    const gpus = (await pve.pci.devices('pve1')).filter((d) => d.class.startsWith('0x03'));
    expect(gpus.map((d) => [d.id, d.device_name])).toEqual([
      ['0000:01:00.0', 'GA102 [GeForce RTX 3090]'],
      ['0000:21:00.0', 'GA102 [GeForce RTX 3090]'],
    ]);
    await pve.pci.createMapping({
      id: 'lab-gpu',
      description: 'one GPU',
      entries: [{ node: 'pve1', path: '0000:21:00.0', id: '10de:2204', iommugroup: 11 }],
    });
    const mappings = await pve.pci.mappings({ checkNode: 'pve1' });
    expect(mappings.find((m) => m.id === 'lab-gpu')?.entries).toEqual([
      { node: 'pve1', path: '0000:21:00.0', id: '10de:2204', iommugroup: 11 },
    ]);
    await pve.pci.deleteMapping('lab-gpu');
    expect((await pve.pci.mappings()).map((m) => m.id)).toEqual(['rtx3090']);
  });

  it('reads and sets Ceph flags', async () => {
    const { pve } = await setup();
    expect((await pve.ceph.status()).health.status).toBe('HEALTH_OK');
    await pve.ceph.setFlag('noout', true);
    expect((await pve.ceph.flags()).noout).toBe(true);
    expect((await pve.ceph.status()).health.checks).toHaveProperty('OSDMAP_FLAGS');
    await pve.run(pve.ceph.setFlags({ noout: false, noscrub: true }));
    expect(await pve.ceph.flags()).toMatchObject({ noout: false, noscrub: true });
  });

  it('clones, configures with the digest, resizes, powers and deletes a VM', async () => {
    const { pve } = await setup();
    await pve.run(pve.qemu.clone('pve1', 9000, { newid: 700, name: 'gpu-1', full: true, target: 'pve2' }));
    const { config, digest } = await pve.qemu.config('pve2', 700);
    expect(config.name).toBe('gpu-1');
    await pve.qemu.updateConfig(
      'pve2',
      700,
      { cores: '8', memory: '16384', machine: 'q35', hostpci0: 'mapping=rtx3090,pcie=1' },
      { digest, delete: ['serial0', 'vga'] },
    );
    const stale = await pve.qemu
      .updateConfig('pve2', 700, { cores: '4' }, { digest })
      .catch((e: unknown) => e);
    expect(stale instanceof PveHttpError && stale.isDigestMismatch).toBe(true);
    await pve.run(pve.qemu.resize('pve2', 700, 'scsi0', '32G'));
    const after = (await pve.qemu.config('pve2', 700)).config;
    expect(after).toMatchObject({
      cores: '8',
      memory: '16384',
      scsi0: 'ceph-vm:vm-700-disk-0,iothread=1,size=32G',
    });
    expect(after.serial0).toBeUndefined();

    await pve.run(pve.qemu.start('pve2', 700));
    expect((await pve.qemu.status('pve2', 700)).status).toBe('running');
    await pve.qemu.updateConfig('pve2', 700, { cores: '16' });
    expect((await pve.qemu.pending('pve2', 700)).find((p) => p.key === 'cores')).toMatchObject({
      value: '8',
      pending: '16',
    });
    await pve.run(pve.qemu.reboot('pve2', 700));
    expect((await pve.qemu.config('pve2', 700, { current: true })).config.cores).toBe('16');

    const blocked = await pve.qemu.migrateChecked('pve2', 700, { target: 'pve3' }).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(PvePreconditionError);
    expect((blocked as PvePreconditionError).reasons).toContain(
      'VM 700 is running: pass online: true for a live migration',
    );

    await pve.run(pve.qemu.shutdown('pve2', 700, { timeout: 30, forceStop: true }));
    await pve.run(pve.qemu.migrateChecked('pve2', 700, { target: 'pve3' }));
    expect((await pve.qemu.list('pve3')).map((vm) => vm.vmid)).toContain(700);
    await pve.run(pve.qemu.start('pve3', 700));
    await pve.run(pve.qemu.stop('pve3', 700));
    await pve.run(pve.qemu.delete('pve3', 700, { purge: true, destroyUnreferencedDisks: true }));
    expect((await pve.cluster.guests()).some((g) => g.vmid === 700)).toBe(false);
  });

  it('refuses to migrate a VM pinned to its node by a raw GPU address', async () => {
    const { pve } = await setup();
    const error = await pve.qemu
      .migrateChecked('pve1', 100, { target: 'pve2', online: true })
      .catch((e: unknown) => e);
    expect((error as PvePreconditionError).reasons).toContain('VM 100 uses local devices: hostpci0');
  });

  it('creates a fresh VM with disks allocated on the storage', async () => {
    const { pve } = await setup();
    const upid = await pve.qemu.create('pve3', 800, {
      name: 'fresh',
      cores: '2',
      memory: '4096',
      scsihw: 'virtio-scsi-single',
      scsi0: 'local-lvm:20,iothread=1',
      net0: 'virtio,bridge=vmbr1,tag=502',
      ide2: 'local-lvm:cloudinit',
    });
    await pve.tasks.wait(upid);
    const { config } = await pve.qemu.config('pve3', 800);
    expect(config.scsi0).toBe('local-lvm:vm-800-disk-0,iothread=1,size=20G');
    expect(config.ide2).toBe('local-lvm:vm-800-cloudinit,media=cdrom');
    expect(config.net0).toMatch(/^virtio=BC:24:11:..:..:..,bridge=vmbr1,tag=502$/);
    const tasks = await pve.tasks.list('pve3', { limit: 5 });
    expect(tasks[0]).toMatchObject({ type: 'qmcreate', id: '800', status: 'OK' });
    expect(await pve.tasks.log(upid)).toContain('TASK OK');
  });
});
