import { parsePropertyString } from '@skyy/proxmox/schema';
import { int, nowSeconds, onlineNode, str, type HandlerContext, type Routes } from '../context.ts';
import { dataDisks, effectiveConfig, sizeToBytes } from '../qemu-config.ts';
import type { SimGuest, SimNode, SimState } from '../state.ts';
import { SimError } from '../tasks.ts';

const MiB = 1024 ** 2;

/** Memory, CPUs, disk and uptime of a guest, as /cluster/resources and the list endpoints show them. */
export function guestStats(guest: SimGuest) {
  const config = guest.config;
  const memoryMiB = Number(parsePropertyString(config.memory ?? '512', 'current').current ?? 512);
  const cpus =
    guest.type === 'qemu'
      ? Number(config.cores ?? 1) * Number(config.sockets ?? 1)
      : Number(config.cores ?? 1);
  const rootDisk = guest.type === 'lxc' ? config.rootfs : dataDisks(config)[0]?.[1];
  const maxdisk = rootDisk ? sizeToBytes(parsePropertyString(rootDisk, 'file').size ?? '0') : 0;
  const running = guest.status === 'running';
  return {
    maxmem: memoryMiB * MiB,
    mem: running ? Math.round(memoryMiB * MiB * (0.35 + (guest.vmid % 40) / 100)) : 0,
    cpus,
    cpu: running ? ((guest.vmid % 17) + 1) / 100 : 0,
    maxdisk,
    disk: 0,
    uptime: running && guest.startedAt ? Math.max(0, nowSeconds() - guest.startedAt) : 0,
    netin: running ? guest.vmid * 1_000_003 : 0,
    netout: running ? guest.vmid * 700_001 : 0,
    diskread: running ? guest.vmid * 3_000_017 : 0,
    diskwrite: running ? guest.vmid * 2_000_003 : 0,
  };
}

export function nodeStats(state: SimState, node: SimNode) {
  const running = state.guests.filter((g) => g.node === node.name && g.status === 'running');
  const vcpus = running.reduce((sum, g) => sum + guestStats(g).cpus, 0);
  const mem = running.reduce((sum, g) => sum + guestStats(g).mem, 0) + 6 * 1024 ** 3;
  return {
    cpu: node.online ? Math.min(1, 0.02 + vcpus / node.maxcpu / 3) : 0,
    maxcpu: node.maxcpu,
    mem: node.online ? Math.min(mem, node.maxmem) : 0,
    maxmem: node.maxmem,
    uptime: node.online ? nowSeconds() - node.bootedAt : 0,
    disk: 12 * 1024 ** 3,
    maxdisk: 100 * 1024 ** 3,
  };
}

export function quorate(state: SimState): boolean {
  return state.nodes.filter((n) => n.online).length * 2 > state.nodes.length;
}

function tagsOf(guest: SimGuest): string | undefined {
  return effectiveConfig(guest).tags;
}

function resources(ctx: HandlerContext) {
  const { state } = ctx;
  const type = str(ctx, 'type');
  const out: Record<string, unknown>[] = [];
  if (!type || type === 'node') {
    for (const node of state.nodes) {
      out.push({
        id: `node/${node.name}`,
        type: 'node',
        node: node.name,
        status: node.online ? 'online' : 'offline',
        level: '',
        'cgroup-mode': 2,
        ...nodeStats(state, node),
      });
    }
  }
  if (!type || type === 'vm') {
    for (const guest of state.guests) {
      const { cpus, ...stats } = guestStats(guest);
      const tags = tagsOf(guest);
      out.push({
        id: `${guest.type}/${guest.vmid}`,
        type: guest.type,
        vmid: guest.vmid,
        node: guest.node,
        name: guest.type === 'qemu' ? guest.config.name : guest.config.hostname,
        status: guest.status,
        template: guest.config.template === '1' ? 1 : 0,
        maxcpu: cpus,
        ...stats,
        ...(tags ? { tags } : {}),
        ...(guest.config.lock ? { lock: guest.config.lock } : {}),
      });
    }
  }
  if (!type || type === 'storage') {
    for (const node of state.nodes) {
      for (const storage of state.storages) {
        if (storage.nodes && !storage.nodes.includes(node.name)) continue;
        out.push({
          id: `storage/${node.name}/${storage.storage}`,
          type: 'storage',
          storage: storage.storage,
          node: node.name,
          status: node.online ? 'available' : 'unknown',
          plugintype: storage.type,
          content: storage.content,
          shared: storage.shared ? 1 : 0,
          disk: storage.used,
          maxdisk: storage.total,
        });
      }
    }
  }
  return out;
}

function nextid(ctx: HandlerContext): string {
  const taken = new Set(ctx.state.guests.map((g) => g.vmid));
  const wanted = int(ctx, 'vmid');
  if (wanted !== undefined) {
    if (taken.has(wanted))
      throw new SimError(400, 'Parameter verification failed.', { vmid: `VM ${wanted} already exists` });
    return String(wanted);
  }
  let vmid = 100;
  while (taken.has(vmid)) vmid++;
  // PVE answers with the number as a string.
  return String(vmid);
}

export const clusterRoutes: Routes = {
  'GET /version': () => ({ version: '9.1.3', release: '9.1', repoid: 'a4b6a1c1e2f3d4c5', console: 'html5' }),
  'GET /cluster/status': ({ state }) => {
    return [
      {
        type: 'cluster',
        id: 'cluster',
        name: state.clusterName,
        nodes: state.nodes.length,
        quorate: quorate(state) ? 1 : 0,
        version: state.configVersion,
      },
      ...state.nodes.map((node, i) => ({
        type: 'node',
        id: `node/${node.name}`,
        name: node.name,
        nodeid: node.nodeid,
        ip: node.ip,
        online: node.online ? 1 : 0,
        local: i === 0 ? 1 : 0,
        level: '',
      })),
    ];
  },
  'GET /cluster/resources': resources,
  'GET /cluster/nextid': nextid,
  'GET /nodes': ({ state }) =>
    state.nodes.map((node) => ({
      node: node.name,
      id: `node/${node.name}`,
      type: 'node',
      status: node.online ? 'online' : 'offline',
      level: '',
      ssl_fingerprint: sslFingerprint(node.name),
      ...nodeStats(state, node),
    })),
  'GET /nodes/{node}': (ctx) => {
    onlineNode(ctx);
    return ['apt', 'ceph', 'hardware', 'lxc', 'qemu', 'status', 'storage', 'tasks', 'version'].map(
      (name) => ({ name }),
    );
  },
  'GET /nodes/{node}/status': (ctx) => {
    const node = onlineNode(ctx);
    const stats = nodeStats(ctx.state, node);
    return {
      cpu: stats.cpu,
      uptime: stats.uptime,
      loadavg: [
        (stats.cpu * node.maxcpu).toFixed(2),
        (stats.cpu * node.maxcpu * 0.9).toFixed(2),
        (stats.cpu * node.maxcpu * 0.8).toFixed(2),
      ],
      memory: {
        total: stats.maxmem,
        used: stats.mem,
        free: stats.maxmem - stats.mem,
        available: stats.maxmem - stats.mem,
      },
      swap: { total: 8 * 1024 ** 3, used: 0, free: 8 * 1024 ** 3 },
      rootfs: {
        total: stats.maxdisk,
        used: stats.disk,
        free: stats.maxdisk - stats.disk,
        avail: stats.maxdisk - stats.disk,
      },
      cpuinfo: {
        model: node.cpuModel,
        cpus: node.maxcpu,
        cores: node.maxcpu / 2,
        sockets: 1,
        mhz: '2800.000',
        hvm: '1',
        flags: 'fpu vme de pse',
      },
      kversion: 'Linux 6.17.2-1-pve #1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1',
      pveversion: 'pve-manager/9.1.3/a4b6a1c1e2f3d4c5',
      'boot-info': { mode: 'efi', secureboot: 0 },
      'current-kernel': {
        sysname: 'Linux',
        release: '6.17.2-1-pve',
        version: '#1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1',
        machine: 'x86_64',
      },
      ksm: { shared: 0 },
      wait: 0,
      idle: 0,
    };
  },
};

function sslFingerprint(name: string): string {
  const hex = Buffer.from(name.padEnd(32, '.')).toString('hex').toUpperCase().slice(0, 64);
  return hex.match(/../g)?.join(':') ?? '';
}
