import { parsePropertyString } from '@skyy/proxmox/schema';
import {
  bool,
  guestOn,
  onlineNode,
  requireStr,
  str,
  typedValue,
  type HandlerContext,
  type Routes,
} from '../context.ts';
import { effectiveConfig } from '../qemu-config.ts';
import { cephFlagNames, type CephFlag, type SimState } from '../state.ts';
import { SimError } from '../tasks.ts';
import { guestStats, quorate } from './cluster.ts';

/** LXC (read only), storage, PCI hardware and mappings, Ceph, and tasks. */

const LXC_NUMERIC =
  /^(cores|memory|swap|cpulimit|cpuunits|onboot|protection|template|unprivileged|console|tty)$/;

const lxcRoutes: Routes = {
  'GET /nodes/{node}/lxc': (ctx) => {
    const node = onlineNode(ctx);
    return ctx.state.guests
      .filter((g) => g.node === node.name && g.type === 'lxc')
      .map((guest) => {
        const { cpus, ...stats } = guestStats(guest);
        return {
          vmid: guest.vmid,
          name: guest.config.hostname,
          status: guest.status,
          type: 'lxc',
          cpus,
          ...stats,
          ...(guest.config.tags ? { tags: guest.config.tags } : {}),
        };
      });
  },
  'GET /nodes/{node}/lxc/{vmid}/config': (ctx) => {
    const guest = guestOn(ctx, 'lxc');
    const config = bool(ctx, 'current') ? guest.config : effectiveConfig(guest);
    return {
      ...Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, typedValue(value, LXC_NUMERIC.test(key))]),
      ),
      digest: 'c'.repeat(40),
    };
  },
  'GET /nodes/{node}/lxc/{vmid}/status/current': (ctx) => {
    const guest = guestOn(ctx, 'lxc');
    const { cpus, ...stats } = guestStats(guest);
    return {
      vmid: guest.vmid,
      name: guest.config.hostname,
      status: guest.status,
      type: 'lxc',
      cpus,
      ...stats,
      ha: { managed: 0 },
    };
  },
};

function storageStatus(state: SimState, node: string) {
  return state.storages
    .filter((s) => !s.nodes || s.nodes.includes(node))
    .map((s) => ({
      storage: s.storage,
      type: s.type,
      content: s.content,
      active: 1,
      enabled: 1,
      shared: s.shared ? 1 : 0,
      total: s.total,
      used: s.used,
      avail: s.total - s.used,
      used_fraction: s.used / s.total,
    }));
}

const storageRoutes: Routes = {
  'GET /storage': (ctx) =>
    ctx.state.storages
      .filter((s) => !str(ctx, 'type') || s.type === str(ctx, 'type'))
      .map((s) => ({
        storage: s.storage,
        type: s.type,
        content: s.content,
        shared: s.shared ? 1 : 0,
        digest: 'd'.repeat(40),
        ...(s.nodes ? { nodes: s.nodes.join(',') } : {}),
      })),
  'GET /nodes/{node}/storage': (ctx) => {
    const node = onlineNode(ctx);
    const content = str(ctx, 'content');
    return storageStatus(ctx.state, node.name).filter(
      (s) => !content || s.content.split(',').includes(content),
    );
  },
  'GET /nodes/{node}/storage/{storage}/status': (ctx) => {
    const node = onlineNode(ctx);
    const found = storageStatus(ctx.state, node.name).find((s) => s.storage === requireStr(ctx, 'storage'));
    if (!found) throw new SimError(500, `storage '${requireStr(ctx, 'storage')}' does not exist`);
    return found;
  },
};

function mappingChecks(state: SimState, mapping: { map: string[] }, node: string) {
  const entries = mapping.map
    .map((entry) => parsePropertyString(entry, 'node'))
    .filter((e) => e.node === node);
  if (entries.length === 0) return [{ severity: 'warning', message: `No mapping for node '${node}'` }];
  const devices = state.nodes.find((n) => n.name === node)?.pci ?? [];
  return entries
    .filter((entry) => !devices.some((d) => d.id === entry.path))
    .map((entry) => ({
      severity: 'error',
      message: `PCI device '${entry.path}' not found on node '${node}'`,
    }));
}

const pciRoutes: Routes = {
  'GET /nodes/{node}/hardware': (ctx) => {
    onlineNode(ctx);
    return [{ type: 'pci' }, { type: 'usb' }];
  },
  'GET /nodes/{node}/hardware/pci': (ctx) => {
    const node = onlineNode(ctx);
    const blacklist = (str(ctx, 'pci-class-blacklist') ?? '05;06;0b').split(/[;,]/).filter(Boolean);
    const verbose = bool(ctx, 'verbose', true);
    return node.pci
      .filter((d) => !blacklist.some((prefix) => d.class.slice(2).startsWith(prefix)))
      .map((d) =>
        verbose
          ? { ...d, ...(d.mdev ? { mdev: 1 } : {}) }
          : { id: d.id, class: d.class, vendor: d.vendor, device: d.device, iommugroup: d.iommugroup },
      );
  },
  'GET /cluster/mapping/pci': (ctx) => {
    const checkNode = str(ctx, 'check-node');
    return ctx.state.mappings.map((m) => ({
      id: m.id,
      description: m.description,
      map: m.map,
      ...(checkNode ? { checks: mappingChecks(ctx.state, m, checkNode) } : {}),
    }));
  },
  'GET /cluster/mapping/pci/{id}': (ctx) => {
    const mapping = ctx.state.mappings.find((m) => m.id === requireStr(ctx, 'id'));
    if (!mapping) throw new SimError(500, `pci mapping '${requireStr(ctx, 'id')}' does not exist`);
    return { type: 'pci', description: mapping.description, map: mapping.map, digest: 'e'.repeat(40) };
  },
  'POST /cluster/mapping/pci': (ctx) => {
    const id = requireStr(ctx, 'id');
    if (ctx.state.mappings.some((m) => m.id === id))
      throw new SimError(500, `pci mapping '${id}' already defined`);
    const raw = ctx.params.map;
    const map = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    ctx.state.mappings.push({ id, description: str(ctx, 'description') ?? '', map });
    ctx.changed();
    return null;
  },
  'DELETE /cluster/mapping/pci/{id}': (ctx) => {
    const index = ctx.state.mappings.findIndex((m) => m.id === requireStr(ctx, 'id'));
    if (index === -1) throw new SimError(500, `pci mapping '${requireStr(ctx, 'id')}' does not exist`);
    ctx.state.mappings.splice(index, 1);
    ctx.changed();
    return null;
  },
};

const FLAG_DESCRIPTIONS: Record<CephFlag, string> = {
  nobackfill: 'Backfilling of PGs is suspended.',
  'nodeep-scrub': 'Deep Scrubbing is disabled.',
  nodown: 'OSD failure reports are being ignored, such that the monitors will not mark OSDs down.',
  noin: 'OSDs that were previously marked out will not be marked back in when they start.',
  noout: 'OSDs will not automatically be marked out after the configured interval.',
  norebalance: 'Rebalancing of PGs is suspended.',
  norecover: 'Recovery of PGs is suspended.',
  noscrub: 'Scrubbing is disabled.',
  notieragent: 'Cache tiering activity is suspended.',
  noup: 'OSDs are not allowed to start.',
  pause: 'Pauses read and writes.',
};

function ceph(ctx: HandlerContext) {
  if (!ctx.state.ceph) throw new SimError(500, 'binary not installed: /usr/bin/ceph-mon');
  return ctx.state.ceph;
}

const cephRoutes: Routes = {
  'GET /cluster/ceph/status': (ctx) => {
    const c = ceph(ctx);
    const set = cephFlagNames.filter((flag) => c.flags[flag]);
    const checks: Record<string, unknown> = {};
    if (set.length > 0)
      checks.OSDMAP_FLAGS = { severity: 'HEALTH_WARN', summary: { message: `${set.join(',')} flag(s) set` } };
    if (c.osdsUp < c.osds)
      checks.OSD_DOWN = { severity: 'HEALTH_WARN', summary: { message: `${c.osds - c.osdsUp} osds down` } };
    if (!quorate(ctx.state))
      checks.MON_DOWN = { severity: 'HEALTH_WARN', summary: { message: '1/3 mons down' } };
    const online = ctx.state.nodes.filter((n) => n.online).map((n) => n.name);
    return {
      fsid: c.fsid,
      health: { status: Object.keys(checks).length > 0 ? 'HEALTH_WARN' : 'HEALTH_OK', checks, mutes: [] },
      election_epoch: 42,
      quorum: online.map((_, i) => i),
      quorum_names: online,
      monmap: { epoch: 3, fsid: c.fsid, num_mons: ctx.state.nodes.length },
      osdmap: {
        epoch: 1234,
        num_osds: c.osds,
        num_up_osds: c.osdsUp,
        num_in_osds: c.osds,
        num_remapped_pgs: 0,
      },
      pgmap: {
        num_pgs: 512,
        num_pools: 3,
        data_bytes: c.bytesUsed / 3,
        bytes_used: c.bytesUsed,
        bytes_avail: c.bytesTotal - c.bytesUsed,
        bytes_total: c.bytesTotal,
      },
      mgrmap: { available: true, num_standbys: ctx.state.nodes.length - 1 },
    };
  },
  'GET /cluster/ceph/flags': (ctx) => {
    const c = ceph(ctx);
    return cephFlagNames.map((name) => ({
      name,
      description: FLAG_DESCRIPTIONS[name],
      value: c.flags[name] ? 1 : 0,
    }));
  },
  'GET /cluster/ceph/flags/{flag}': (ctx) => (ceph(ctx).flags[requireStr(ctx, 'flag')] ? 1 : 0),
  'PUT /cluster/ceph/flags/{flag}': (ctx) => {
    ceph(ctx).flags[requireStr(ctx, 'flag')] = bool(ctx, 'value');
    ctx.changed();
    return null;
  },
  'PUT /cluster/ceph/flags': (ctx) => {
    const c = ceph(ctx);
    const changes = cephFlagNames.filter((flag) => str(ctx, flag) !== undefined);
    return ctx.tasks.start({
      node: ctx.state.nodes[0]?.name ?? 'localhost',
      type: 'setflags',
      id: '',
      user: ctx.user,
      locks: [],
      work: (log) => {
        for (const flag of changes) {
          c.flags[flag] = bool(ctx, flag);
          log(`${c.flags[flag] ? 'set' : 'unset'} ${flag}`);
        }
        ctx.changed();
      },
    });
  },
};

const taskRoutes: Routes = {
  'GET /nodes/{node}/tasks': (ctx) => {
    const node = onlineNode(ctx);
    const limit = Number(str(ctx, 'limit') ?? 50);
    return ctx.tasks
      .list(node.name)
      .slice(0, limit)
      .map((t) => ({
        upid: t.upid,
        node: t.node,
        pid: t.pid,
        pstart: t.pstart,
        starttime: t.starttime,
        type: t.type,
        id: t.id,
        user: t.user,
        ...(t.status === 'stopped' ? { status: t.exitstatus, endtime: t.endtime } : {}),
      }));
  },
  'GET /nodes/{node}/tasks/{upid}/status': (ctx) => {
    const task = taskFor(ctx);
    return {
      upid: task.upid,
      node: task.node,
      pid: task.pid,
      pstart: task.pstart,
      starttime: task.starttime,
      type: task.type,
      id: task.id,
      user: task.user,
      status: task.status,
      ...(task.status === 'stopped' ? { exitstatus: task.exitstatus } : {}),
    };
  },
  'GET /nodes/{node}/tasks/{upid}/log': (ctx) => {
    const task = taskFor(ctx);
    const start = Number(str(ctx, 'start') ?? 0);
    const limit = Number(str(ctx, 'limit') ?? 50);
    const lines = task.log.length === 0 ? ['no content'] : task.log;
    return lines.slice(start, start + limit).map((t, i) => ({ n: start + i + 1, t }));
  },
};

function taskFor(ctx: HandlerContext) {
  onlineNode(ctx);
  const upid = requireStr(ctx, 'upid');
  const task = ctx.tasks.get(upid);
  if (!task) {
    if (!/^UPID:[^:]+:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:[^:]*:[^:]*:[^:]+:$/.test(upid)) {
      throw new SimError(400, 'Parameter verification failed.', { upid: 'unable to parse worker upid' });
    }
    throw new SimError(500, `task '${upid}' does not exist`);
  }
  return task;
}

export const resourceRoutes: Routes = {
  ...lxcRoutes,
  ...storageRoutes,
  ...pciRoutes,
  ...cephRoutes,
  ...taskRoutes,
};
