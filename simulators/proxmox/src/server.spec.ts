import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startProxmoxSimulator, type ProxmoxSimulator, type SimulatorOptions } from './server.ts';
import { generateSelfSignedCertificate } from './tls.ts';

/** Plain HTTP against the simulator, deliberately not through @skyy/proxmox's client. */
function api(sim: ProxmoxSimulator, authorization = sim.authorization) {
  const call = async (method: string, p: string, params?: Record<string, string>) => {
    const query = method === 'GET' || method === 'DELETE' ? new URLSearchParams(params).toString() : '';
    const res = await fetch(`${sim.url}/api2/json${p}${query ? `?${query}` : ''}`, {
      method,
      headers: { authorization },
      ...(method === 'POST' || method === 'PUT' ? { body: new URLSearchParams(params) } : {}),
    });
    const body = (await res.json()) as { data: unknown; errors?: Record<string, string>; message?: string };
    return { status: res.status, reason: res.statusText, ...body };
  };
  const waitTask = async (node: string, upid: string) => {
    for (;;) {
      const { data } = await call('GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
      const status = data as { status: string; exitstatus?: string };
      if (status.status === 'stopped') {
        const log = await call('GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/log`);
        return { exitstatus: status.exitstatus, log: (log.data as { t: string }[]).map((l) => l.t) };
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    get: (p: string, params?: Record<string, string>) => call('GET', p, params),
    post: (p: string, params?: Record<string, string>) => call('POST', p, params),
    put: (p: string, params?: Record<string, string>) => call('PUT', p, params),
    del: (p: string, params?: Record<string, string>) => call('DELETE', p, params),
    waitTask,
  };
}

let sims: ProxmoxSimulator[] = [];
async function start(options: SimulatorOptions = {}) {
  const sim = await startProxmoxSimulator({ taskDurationMs: 5, ...options });
  sims.push(sim);
  return { sim, pve: api(sim) };
}
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

describe('Proxmox simulator: the API surface', () => {
  it('refuses requests without a valid API token', async () => {
    const { sim } = await start();
    expect(await api(sim, '').get('/nodes')).toMatchObject({ status: 401, reason: 'No ticket' });
    expect(await api(sim, 'PVEAPIToken=root@pam!skyy=wrong').get('/nodes')).toMatchObject({
      status: 401,
      reason: 'authentication failure',
    });
  });

  it('answers 501 for paths and methods the PVE API does not have', async () => {
    const { pve } = await start();
    expect(await pve.get('/nodes/pve1/teleport')).toMatchObject({ status: 501, data: null });
    expect(await pve.del('/cluster/nextid')).toMatchObject({
      status: 501,
      message: "Method 'DELETE /cluster/nextid' not implemented\n",
    });
  });

  it('rejects unknown parameters and wrong types with 400 and one message per parameter', async () => {
    const { pve } = await start();
    const res = await pve.put('/nodes/pve1/qemu/100/config', {
      cores: 'many',
      colour: 'blue',
      net0: 'virtio,bridge=vmbr0,speed=9',
    });
    expect(res.status).toBe(400);
    expect(res.reason).toBe('Parameter verification failed.');
    expect(res.data).toBeNull();
    expect(res.errors).toEqual({
      cores: "type check ('integer') failed - got 'many'",
      colour: 'property is not defined in schema and the schema does not allow additional properties',
      net0: 'invalid format - format error\nnet0.speed: property is not defined in schema and the schema does not allow additional properties',
    });
  });

  it('reports quorum and answers 595 for nodes that are offline', async () => {
    const { sim, pve } = await start({ generate: { nodes: 3 } });
    const cluster = async () =>
      ((await pve.get('/cluster/status')).data as { type: string; quorate?: number }[]).find(
        (e) => e.type === 'cluster',
      );
    expect(await cluster()).toMatchObject({ quorate: 1, nodes: 3 });
    (sim.state.nodes[1] as { online: boolean }).online = false;
    expect(await cluster()).toMatchObject({ quorate: 1 });
    expect(await pve.get('/nodes/pve2/qemu')).toMatchObject({ status: 595 });
    (sim.state.nodes[2] as { online: boolean }).online = false;
    expect(await cluster()).toMatchObject({ quorate: 0 });
  });

  it('hands out the lowest free VMID and refuses a taken one', async () => {
    const { pve } = await start({ generate: { nodes: 1, vmsPerNode: 2, containersPerNode: 1 } });
    expect((await pve.get('/cluster/nextid')).data).toBe('103');
    expect(await pve.get('/cluster/nextid', { vmid: '100' })).toMatchObject({
      status: 400,
      errors: { vmid: 'VM 100 already exists' },
    });
  });
});

describe('Proxmox simulator: VMs, tasks and configs', () => {
  it('clones a template in a task that takes time, with new disks and MACs', async () => {
    const { sim, pve } = await start({ taskDurationMs: 1_000 });
    const res = await pve.post('/nodes/pve1/qemu/9000/clone', {
      newid: '500',
      name: 'web-1',
      full: '1',
      target: 'pve2',
    });
    const upid = res.data as string;
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmclone:9000:root@pam!skyy:$/);
    expect(
      ((await pve.get(`/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)).data as { status: string })
        .status,
    ).toBe('running');
    // The new VMID is reserved (locked) while the clone runs.
    expect((await pve.get('/cluster/nextid', { vmid: '500' })).status).toBe(400);
    expect(await pve.waitTask('pve1', upid)).toMatchObject({ exitstatus: 'OK' });
    const config = (await pve.get('/nodes/pve2/qemu/500/config')).data as Record<string, string>;
    expect(config.name).toBe('web-1');
    expect(config.scsi0).toBe('ceph-vm:vm-500-disk-0,iothread=1,size=4G');
    expect(config.net0).toMatch(/^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr0$/);
    expect(config.net0).not.toBe(sim.state.guests.find((g) => g.vmid === 9000)?.config.net0);
    expect(config.template).toBeUndefined();
  });

  it('guards config updates with the digest', async () => {
    const { pve } = await start();
    const { digest } = (await pve.get('/nodes/pve1/qemu/101/config')).data as { digest: string };
    expect((await pve.put('/nodes/pve1/qemu/101/config', { description: 'first', digest })).status).toBe(200);
    const stale = await pve.put('/nodes/pve1/qemu/101/config', { description: 'second', digest });
    expect(stale).toMatchObject({
      status: 500,
      message: 'detected modified configuration - file changed by other user? Try again.\n',
    });
  });

  it('keeps changes to a running VM pending until it restarts', async () => {
    const { pve } = await start();
    await pve.put('/nodes/pve1/qemu/100/config', { cores: '12', tags: 'web' });
    expect(((await pve.get('/nodes/pve1/qemu/100/config')).data as Record<string, unknown>).cores).toBe(12);
    expect(
      ((await pve.get('/nodes/pve1/qemu/100/config', { current: '1' })).data as Record<string, unknown>)
        .cores,
    ).not.toBe(12);
    const pending = (await pve.get('/nodes/pve1/qemu/100/pending')).data as {
      key: string;
      pending?: unknown;
    }[];
    expect(pending.find((p) => p.key === 'cores')?.pending).toBe(12);
    expect(pending.find((p) => p.key === 'tags')?.pending).toBeUndefined();
    const reboot = await pve.post('/nodes/pve1/qemu/100/status/reboot');
    expect(await pve.waitTask('pve1', reboot.data as string)).toMatchObject({ exitstatus: 'OK' });
    expect(
      ((await pve.get('/nodes/pve1/qemu/100/config', { current: '1' })).data as Record<string, unknown>)
        .cores,
    ).toBe(12);
  });

  it('refuses to start a VM whose GPU another running VM holds, and needs q35 for PCIe', async () => {
    const { pve } = await start();
    await pve.put('/nodes/pve1/qemu/101/config', { hostpci0: '0000:01:00,pcie=1' });
    const noQ35 = await pve.waitTask(
      'pve1',
      (await pve.post('/nodes/pve1/qemu/101/status/start')).data as string,
    );
    expect(noQ35.exitstatus).toBe('q35 machine model is not enabled');
    await pve.put('/nodes/pve1/qemu/101/config', { machine: 'q35' });
    const taken = await pve.waitTask(
      'pve1',
      (await pve.post('/nodes/pve1/qemu/101/status/start')).data as string,
    );
    expect(taken.exitstatus).toBe("PCI device '0000:01:00.0' already in use by VMID '100'");
    expect(taken.log.at(-1)).toBe("TASK ERROR: PCI device '0000:01:00.0' already in use by VMID '100'");
    await pve.put('/nodes/pve1/qemu/101/config', { hostpci0: 'mapping=rtx3090,pcie=1' });
    const mapped = await pve.waitTask(
      'pve1',
      (await pve.post('/nodes/pve1/qemu/101/status/start')).data as string,
    );
    expect(mapped.exitstatus).toBe('OK');
    expect(mapped.log).toContain('  claimed PCI device 0000:21:00.0');
  });

  it('reports migration preconditions and refuses to move a VM with a local GPU', async () => {
    const { pve } = await start();
    const check = (await pve.get('/nodes/pve1/qemu/100/migrate')).data as Record<string, unknown>;
    expect(check).toMatchObject({
      running: 1,
      local_resources: ['hostpci0'],
      allowed_nodes: ['pve2', 'pve3'],
    });
    expect(await pve.post('/nodes/pve1/qemu/100/migrate', { target: 'pve2', online: '1' })).toMatchObject({
      status: 500,
      message: "can't migrate VM which uses local devices: hostpci0\n",
    });
  });

  it('protects VMs from deletion and refuses to delete running ones', async () => {
    const { sim, pve } = await start();
    expect((await pve.del('/nodes/pve1/qemu/100')).message).toBe('VM 100 is running - destroy failed\n');
    await pve.put('/nodes/pve1/qemu/101/config', { protection: '1' });
    expect((await pve.del('/nodes/pve1/qemu/101')).message).toBe(
      "can't remove VM 101 - protection mode enabled\n",
    );
    await pve.put('/nodes/pve1/qemu/101/config', { protection: '0' });
    const upid = (await pve.del('/nodes/pve1/qemu/101', { purge: '1' })).data as string;
    expect(await pve.waitTask('pve1', upid)).toMatchObject({ exitstatus: 'OK' });
    expect(sim.state.guests.some((g) => g.vmid === 101)).toBe(false);
  });

  it('sets Ceph flags and shows them in the health', async () => {
    const { pve } = await start();
    expect(
      ((await pve.get('/cluster/ceph/status')).data as { health: { status: string } }).health.status,
    ).toBe('HEALTH_OK');
    await pve.put('/cluster/ceph/flags/noout', { value: '1' });
    const status = (await pve.get('/cluster/ceph/status')).data as {
      health: { status: string; checks: Record<string, unknown> };
    };
    expect(status.health.status).toBe('HEALTH_WARN');
    expect(status.health.checks).toHaveProperty('OSDMAP_FLAGS');
    const flags = (await pve.get('/cluster/ceph/flags')).data as { name: string; value: number }[];
    expect(flags.find((f) => f.name === 'noout')?.value).toBe(1);
  });
});

describe('Proxmox simulator: faults, persistence and TLS', () => {
  it('injects 5xx answers, lock timeouts and failing tasks', async () => {
    const { sim, pve } = await start();
    sim.setFaults({ http5xxRate: 1 });
    expect(await pve.get('/nodes')).toMatchObject({ status: 503 });
    sim.setFaults({ lockTimeoutRate: 1 });
    expect((await pve.get('/nodes')).status).toBe(200);
    expect(await pve.put('/nodes/pve1/qemu/101/config', { cores: '2' })).toMatchObject({
      status: 500,
      message: "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout\n",
    });
    sim.setFaults({ taskFailureRate: 1 });
    const upid = (await pve.post('/nodes/pve1/qemu/9000/clone', { newid: '600', name: 'x' })).data as string;
    const result = await pve.waitTask('pve1', upid);
    expect(result.exitstatus).toMatch(/simulated task failure/);
    // A failed clone leaves nothing behind.
    expect(sim.state.guests.some((g) => g.vmid === 600)).toBe(false);
  });

  it('saves its state to a file and loads it again', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pve-sim-state-'));
    try {
      const stateFile = path.join(dir, 'cluster.json');
      const first = await start({ stateFile });
      await first.pve.put('/nodes/pve1/qemu/101/config', { description: 'kept across restarts' });
      await first.sim.close();
      sims = [];
      const second = await start({ stateFile });
      const config = (await second.pve.get('/nodes/pve1/qemu/101/config')).data as Record<string, string>;
      expect(config.description).toBe('kept across restarts');
      await second.sim.close();
      sims = [];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves HTTPS with a self-signed certificate', async () => {
    const tls = generateSelfSignedCertificate();
    const { sim } = await start({ tls });
    expect(sim.url).toMatch(/^https:/);
    const dispatcher = new Agent({ connect: { ca: tls.cert } });
    const res = await undiciFetch(`${sim.url}/api2/json/version`, {
      headers: { authorization: sim.authorization },
      dispatcher,
    });
    expect(((await res.json()) as { data: { version: string } }).data.version).toBe('9.1.3');
    await dispatcher.close();
    await expect(fetch(`${sim.url}/api2/json/version`)).rejects.toThrow();
  });
});
