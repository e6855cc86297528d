import { vmSchema } from '@skyy/contracts';
import { startProxmoxSimulator } from '@skyy/sim-proxmox';
import { describe, expect, it } from 'vitest';
import { PveSchemaIndex } from '../schema/pve-schema-index.ts';
import { applyPlan } from '../vms/apply-plan.ts';
import { planVms } from '../vms/plan-vms.ts';
import { readClusterSnapshot } from '../vms/snapshot.ts';
import type { DesiredHostVms } from '../vms/types.ts';
import { ProxmoxClient } from './proxmox-client.ts';
import type { RequestEvent } from './transport.ts';

/**
 * Walks every request the client can build and checks method, path and parameter names and
 * values against the official PVE schema (the shipped extract, itself checked against
 * ../shared/reference/pve-api-schema.json). A new client method without a case here fails the
 * coverage check below.
 */
type Call = (pve: ProxmoxClient) => Promise<unknown>;

const cases: Record<string, Call[]> = {
  'cluster.status': [(pve) => pve.cluster.status()],
  'cluster.quorum': [(pve) => pve.cluster.quorum()],
  'cluster.resources': [
    (pve) => pve.cluster.resources(),
    (pve) => pve.cluster.resources('vm'),
    (pve) => pve.cluster.resources('storage'),
  ],
  'cluster.guests': [(pve) => pve.cluster.guests()],
  'cluster.nextId': [(pve) => pve.cluster.nextId(), (pve) => pve.cluster.nextId(4321)],
  'cluster.version': [(pve) => pve.cluster.version()],
  'nodes.list': [(pve) => pve.nodes.list()],
  'nodes.status': [(pve) => pve.nodes.status('pve1')],
  'storage.list': [(pve) => pve.storage.list()],
  'storage.onNode': [(pve) => pve.storage.onNode('pve1', { content: 'images', enabled: true })],
  'storage.status': [(pve) => pve.storage.status('pve1', 'local-lvm')],
  'lxc.list': [(pve) => pve.lxc.list('pve1')],
  'lxc.config': [(pve) => pve.lxc.config('pve1', 102)],
  'lxc.status': [(pve) => pve.lxc.status('pve1', 102)],
  'pci.devices': [
    (pve) => pve.pci.devices('pve1'),
    (pve) => pve.pci.devices('pve1', { classBlacklist: '05;06', verbose: false }),
  ],
  'pci.mappings': [(pve) => pve.pci.mappings(), (pve) => pve.pci.mappings({ checkNode: 'pve2' })],
  'pci.mapping': [(pve) => pve.pci.mapping('rtx3090')],
  'pci.createMapping': [
    (pve) =>
      pve.pci.createMapping({
        id: 'conf-gpu',
        description: 'x',
        entries: [{ node: 'pve1', path: '0000:21:00.0', id: '10de:2204', iommugroup: 11 }],
      }),
  ],
  'pci.deleteMapping': [(pve) => pve.pci.deleteMapping('conf-gpu')],
  'ceph.status': [(pve) => pve.ceph.status()],
  'ceph.flags': [(pve) => pve.ceph.flags()],
  'ceph.setFlag': [(pve) => pve.ceph.setFlag('noout', true), (pve) => pve.ceph.setFlag('noout', false)],
  'ceph.setFlags': [(pve) => pve.run(pve.ceph.setFlags({ noscrub: true, 'nodeep-scrub': false }))],
  'qemu.list': [(pve) => pve.qemu.list('pve1')],
  'qemu.clone': [
    (pve) =>
      pve.run(
        pve.qemu.clone('pve1', 9000, {
          newid: 900,
          name: 'conf-vm',
          full: true,
          target: 'pve2',
          storage: 'ceph-vm',
          description: 'd',
        }),
      ),
  ],
  'qemu.create': [
    (pve) =>
      pve.run(
        pve.qemu.create(
          'pve1',
          901,
          {
            name: 'conf-fresh',
            cores: '2',
            sockets: '1',
            memory: '2048',
            cpu: 'host',
            machine: 'q35',
            scsihw: 'virtio-scsi-single',
            scsi0: 'local-lvm:8,iothread=1',
            ide2: 'local-lvm:cloudinit',
            net0: 'virtio=02:00:2E:8C:5E:78,bridge=vmbr1,tag=502',
            ipconfig0: 'ip=10.0.0.5/24,gw=10.0.0.1',
            ciuser: 'skyy',
            sshkeys: encodeURIComponent('ssh-ed25519 AAAA user@host'),
            nameserver: '1.1.1.1',
            tags: 'skyy-managed;skyy-created',
            onboot: '1',
            protection: '0',
            boot: 'order=scsi0',
            agent: '1',
          },
          { start: false },
        ),
      ),
  ],
  'qemu.config': [
    (pve) => pve.qemu.config('pve2', 900),
    (pve) => pve.qemu.config('pve2', 900, { current: true }),
  ],
  'qemu.pending': [(pve) => pve.qemu.pending('pve2', 900)],
  'qemu.status': [(pve) => pve.qemu.status('pve2', 900)],
  'qemu.updateConfig': [
    async (pve) => {
      const { digest } = await pve.qemu.config('pve2', 900);
      await pve.qemu.updateConfig(
        'pve2',
        900,
        { hostpci0: 'mapping=rtx3090,pcie=1', machine: 'q35' },
        { digest, delete: ['serial0', 'vga'] },
      );
    },
  ],
  'qemu.updateConfigAsync': [(pve) => pve.qemu.updateConfigAsync('pve2', 900, { description: 'async' })],
  'qemu.resize': [(pve) => pve.run(pve.qemu.resize('pve2', 900, 'scsi0', '16G'))],
  'qemu.start': [(pve) => pve.run(pve.qemu.start('pve2', 900, { timeout: 60 }))],
  'qemu.reboot': [(pve) => pve.run(pve.qemu.reboot('pve2', 900, { timeout: 60 }))],
  'qemu.shutdown': [(pve) => pve.run(pve.qemu.shutdown('pve2', 900, { timeout: 60, forceStop: true }))],
  'qemu.migrationPreconditions': [
    (pve) => pve.qemu.migrationPreconditions('pve2', 900),
    (pve) => pve.qemu.migrationPreconditions('pve2', 900, 'pve3'),
  ],
  'qemu.migrateChecked': [(pve) => pve.run(pve.qemu.migrateChecked('pve2', 900, { target: 'pve3' }))],
  'qemu.migrate': [
    (pve) =>
      pve.run(
        pve.qemu.migrate('pve3', 900, {
          target: 'pve2',
          online: false,
          withLocalDisks: false,
          targetStorage: 'ceph-vm',
        }),
      ),
  ],
  'qemu.stop': [
    async (pve) => {
      await pve.run(pve.qemu.start('pve2', 900));
      await pve.run(pve.qemu.stop('pve2', 900, { timeout: 10 }));
    },
  ],
  'qemu.delete': [
    (pve) => pve.run(pve.qemu.delete('pve2', 900, { purge: true, destroyUnreferencedDisks: true })),
  ],
  'tasks.list': [(pve) => pve.tasks.list('pve1', { limit: 10, vmid: 901, errors: false })],
  'tasks.status': [
    async (pve) => pve.tasks.status((await pve.tasks.list('pve1', { limit: 1 }))[0]?.upid ?? ''),
  ],
  'tasks.log': [
    async (pve) =>
      pve.tasks.log((await pve.tasks.list('pve1', { limit: 1 }))[0]?.upid ?? '', { start: 0, limit: 10 }),
  ],
  'tasks.wait': [async (pve) => pve.tasks.wait(await pve.qemu.start('pve1', 901))],
};

function schemaProblems(events: RequestEvent[]): { problems: string[]; templates: Set<string> } {
  const schema = PveSchemaIndex.bundledIndex();
  const problems: string[] = [];
  const templates = new Set<string>();
  for (const event of events) {
    const resolved = schema.resolve(event.method, event.path);
    if (!resolved.ok) {
      problems.push(`${event.method} ${event.path}: not in the schema`);
      continue;
    }
    templates.add(`${event.method} ${resolved.route.template}`);
    for (const [param, message] of Object.entries(schema.validate(resolved.route, event.params))) {
      problems.push(`${event.method} ${resolved.route.template} ${param}: ${message}`);
    }
  }
  return { problems, templates };
}

function publicMethods(instance: object): string[] {
  return Object.getOwnPropertyNames(Object.getPrototypeOf(instance)).filter((name) => name !== 'constructor');
}

describe('client conformance with the PVE API schema', () => {
  it('has a case for every public method of every resource', () => {
    const pve = new ProxmoxClient({ baseUrl: 'http://127.0.0.1:1', tokenId: 'a@pam!b', tokenSecret: 's' });
    const resources = {
      cluster: pve.cluster,
      nodes: pve.nodes,
      qemu: pve.qemu,
      lxc: pve.lxc,
      storage: pve.storage,
      pci: pve.pci,
      ceph: pve.ceph,
      tasks: pve.tasks,
    };
    const methods = Object.entries(resources).flatMap(([name, api]) =>
      publicMethods(api).map((m) => `${name}.${m}`),
    );
    expect(Object.keys(cases).sort()).toEqual(methods.sort());
  });

  it('sends only methods, paths and parameters the schema declares', async () => {
    const sim = await startProxmoxSimulator({ taskDurationMs: 2 });
    const events: RequestEvent[] = [];
    const [tokenId = '', tokenSecret = ''] = Object.entries(sim.state.tokens)[0] ?? [];
    const pve = new ProxmoxClient({
      baseUrl: sim.url,
      tokenId,
      tokenSecret,
      tasks: { pollIntervalMs: 2 },
      onRequest: (e) => events.push(e),
    });
    try {
      for (const [name, calls] of Object.entries(cases)) {
        for (const call of calls)
          await call(pve).catch((error: unknown) => expect.fail(`${name}: ${String(error)}`));
      }
    } finally {
      await pve.close();
      await sim.close();
    }
    const { problems, templates } = schemaProblems(events);
    expect(problems).toEqual([]);
    // The endpoints the client uses, all exercised (and all served by the simulator).
    expect([...templates].sort()).toEqual([
      'DELETE /cluster/mapping/pci/{id}',
      'DELETE /nodes/{node}/qemu/{vmid}',
      'GET /cluster/ceph/flags',
      'GET /cluster/ceph/status',
      'GET /cluster/mapping/pci',
      'GET /cluster/mapping/pci/{id}',
      'GET /cluster/nextid',
      'GET /cluster/resources',
      'GET /cluster/status',
      'GET /nodes',
      'GET /nodes/{node}/hardware/pci',
      'GET /nodes/{node}/lxc',
      'GET /nodes/{node}/lxc/{vmid}/config',
      'GET /nodes/{node}/lxc/{vmid}/status/current',
      'GET /nodes/{node}/qemu',
      'GET /nodes/{node}/qemu/{vmid}/config',
      'GET /nodes/{node}/qemu/{vmid}/migrate',
      'GET /nodes/{node}/qemu/{vmid}/pending',
      'GET /nodes/{node}/qemu/{vmid}/status/current',
      'GET /nodes/{node}/status',
      'GET /nodes/{node}/storage',
      'GET /nodes/{node}/storage/{storage}/status',
      'GET /nodes/{node}/tasks',
      'GET /nodes/{node}/tasks/{upid}/log',
      'GET /nodes/{node}/tasks/{upid}/status',
      'GET /storage',
      'GET /version',
      'POST /cluster/mapping/pci',
      'POST /nodes/{node}/qemu',
      'POST /nodes/{node}/qemu/{vmid}/clone',
      'POST /nodes/{node}/qemu/{vmid}/config',
      'POST /nodes/{node}/qemu/{vmid}/migrate',
      'POST /nodes/{node}/qemu/{vmid}/status/reboot',
      'POST /nodes/{node}/qemu/{vmid}/status/shutdown',
      'POST /nodes/{node}/qemu/{vmid}/status/start',
      'POST /nodes/{node}/qemu/{vmid}/status/stop',
      'PUT /cluster/ceph/flags',
      'PUT /cluster/ceph/flags/{flag}',
      'PUT /nodes/{node}/qemu/{vmid}/config',
      'PUT /nodes/{node}/qemu/{vmid}/resize',
    ]);
  });

  it('plans and applies with requests the schema accepts: config keys, cloud-init, GPUs, restarts, deletion', async () => {
    const sim = await startProxmoxSimulator({ taskDurationMs: 2, generate: { gpusPerNode: 3 } });
    const events: RequestEvent[] = [];
    const [tokenId = '', tokenSecret = ''] = Object.entries(sim.state.tokens)[0] ?? [];
    const pve = new ProxmoxClient({
      baseUrl: sim.url,
      tokenId,
      tokenSecret,
      tasks: { pollIntervalMs: 2 },
      onRequest: (e) => events.push(e),
    });
    const hosts = (vms: Record<string, unknown[]>): DesiredHostVms[] =>
      Object.entries(vms).map(([node, list]) => ({ node, vms: list.map((vm) => vmSchema.parse(vm)) }));
    const gpuVm = {
      name: 'conf-gpu',
      template: 'ubuntu-2404-cloud',
      cores: 4,
      memory: '8G',
      cpu_type: 'host',
      disks: [
        { storage: 'ceph-vm', size: 40 },
        { storage: 'local-lvm', size: 10 },
      ],
      nics: [
        {
          bridge: 'vmbr1',
          vlan: 502,
          mac: '02:00:2e:8c:5e:78',
          ip: '69.1.1.2/24',
          gateway: '69.1.1.1',
          firewall: true,
        },
      ],
      gpus: [{ model: 'RTX 3090', primary: true }, { mapping: 'rtx3090' }],
      cloud_init: {
        user: 'skyy',
        ssh_keys: ['ssh-ed25519 AAAAC3Nza ops@example.com'],
        nameservers: ['1.1.1.1', '9.9.9.9'],
        search_domain: 'example.com',
      },
      tags: ['gpu'],
      description: 'GPU worker',
      onboot: true,
      protect: true,
    };
    const freshVm = {
      name: 'conf-fresh',
      cores: 1,
      memory: 1024,
      iso: 'local:iso/debian-13.iso',
      disks: [{ storage: 'local-lvm', size: 8 }],
      nics: [{ bridge: 'vmbr0' }],
      start: false,
    };
    const run = async (desired: DesiredHostVms[], allowDelete = false) => {
      const plan = planVms(desired, await readClusterSnapshot(pve, desired), { allowDelete });
      expect(plan.errors).toEqual([]);
      const result = await applyPlan(pve, plan, { retryDelayMs: 1, restartWhenNeeded: true });
      expect(result.vms.filter((vm) => vm.status !== 'done')).toEqual([]);
    };
    try {
      await run(hosts({ pve1: [gpuVm], pve2: [freshVm] }));
      await run(hosts({ pve1: [{ ...gpuVm, cores: 6, nics: [] }], pve3: [freshVm] }));
      await run(hosts({ pve1: [{ ...gpuVm, cores: 6, nics: [] }], pve3: [] }), true);
    } finally {
      await pve.close();
      await sim.close();
    }
    const { problems, templates } = schemaProblems(events);
    expect(problems).toEqual([]);
    expect([...templates].filter((t) => /^(POST|PUT|DELETE)/.test(t)).sort()).toEqual([
      'DELETE /nodes/{node}/qemu/{vmid}',
      'POST /nodes/{node}/qemu',
      'POST /nodes/{node}/qemu/{vmid}/clone',
      'POST /nodes/{node}/qemu/{vmid}/migrate',
      'POST /nodes/{node}/qemu/{vmid}/status/reboot',
      'POST /nodes/{node}/qemu/{vmid}/status/start',
      'PUT /nodes/{node}/qemu/{vmid}/config',
      'PUT /nodes/{node}/qemu/{vmid}/resize',
    ]);
  });
});
