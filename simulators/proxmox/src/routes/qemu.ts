import { formatPropertyString, parsePropertyString, PveSchemaIndex } from '@skyy/proxmox/schema';
import {
  bool,
  guestOn,
  nowSeconds,
  onlineNode,
  requireStr,
  str,
  typedValue,
  type HandlerContext,
  type Routes,
} from '../context.ts';
import {
  applyConfigUpdate,
  assertStorageUsable,
  canonicalNet,
  configDigest,
  DISK_KEYS,
  effectiveConfig,
  formatSize,
  sizeToBytes,
  storageOf,
  volumeOf,
} from '../qemu-config.ts';
import type { SimGuest } from '../state.ts';
import { SimError } from '../tasks.ts';
import { guestStats } from './cluster.ts';
import { assertNotBusy, powerRoutes, startGuest } from './qemu-power.ts';

const configEndpoint = PveSchemaIndex.bundledIndex().endpoint('POST', '/nodes/{node}/qemu/{vmid}/config');

function isNumericKey(key: string): boolean {
  if (!configEndpoint) return false;
  const type = PveSchemaIndex.bundledIndex().paramSpec(configEndpoint, key)?.type;
  return type === 'integer' || type === 'number' || type === 'boolean';
}

export function typedConfig(config: Record<string, string>): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, typedValue(value, isNumericKey(key))]),
  );
}

function vmExists(ctx: HandlerContext, vmid: number): SimGuest | undefined {
  return ctx.state.guests.find((g) => g.vmid === vmid);
}

function create(ctx: HandlerContext): string {
  const node = onlineNode(ctx);
  const vmid = Number(requireStr(ctx, 'vmid'));
  const existing = vmExists(ctx, vmid);
  if (existing)
    throw new SimError(
      500,
      `unable to create VM ${vmid} - VM ${vmid} already exists on node '${existing.node}'`,
    );
  for (const [key, value] of Object.entries(ctx.params)) {
    if (typeof value !== 'string' || !DISK_KEYS.test(key)) continue;
    const file = parsePropertyString(value, 'file').file ?? '';
    if (/^[^:]+:(\d+(\.\d+)?|cloudinit)$/.test(file))
      assertStorageUsable(ctx.state, storageOf(file), node.name);
  }
  const guest: SimGuest = {
    vmid,
    node: node.name,
    type: 'qemu',
    status: 'stopped',
    config: { lock: 'create' },
    pending: {},
    pendingDelete: [],
  };
  ctx.state.guests.push(guest);
  ctx.changed();
  const { start, storage: _storage, pool: _pool, unique: _unique, ...configParams } = ctx.params;
  return ctx.tasks.start({
    node: node.name,
    type: 'qmcreate',
    id: String(vmid),
    user: ctx.user,
    work: (log) => {
      delete guest.config.lock;
      applyConfigUpdate(ctx.state, guest, configParams, ctx.random);
      guest.config.meta = `creation-qemu=9.2.0,ctime=${nowSeconds()}`;
      guest.config.vmgenid ??= crypto.randomUUID();
      for (const [key, value] of Object.entries(guest.config)) {
        if (DISK_KEYS.test(key) && /vm-\d+-disk/.test(value))
          log(`  Logical volume "${volumeOf(value).split(':')[1]}" created.`);
      }
      if (start === '1' || start === 'true') startGuest(ctx, guest, log);
    },
    onFailure: () => removeGuest(ctx, guest),
  });
}

function removeGuest(ctx: HandlerContext, guest: SimGuest): void {
  const index = ctx.state.guests.indexOf(guest);
  if (index !== -1) ctx.state.guests.splice(index, 1);
  ctx.changed();
}

function clone(ctx: HandlerContext): string {
  const source = guestOn(ctx, 'qemu');
  const newid = Number(requireStr(ctx, 'newid'));
  const target = onlineNode(ctx, str(ctx, 'target') ?? source.node);
  const taken = vmExists(ctx, newid);
  if (taken) throw new SimError(500, `unable to create VM ${newid}: config file already exists`);
  const isTemplate = source.config.template === '1';
  const full = bool(ctx, 'full', !isTemplate);
  if (!isTemplate && !full)
    throw new SimError(500, "Linked clone feature is not supported for drive 'scsi0'");
  if (source.config.lock) throw new SimError(500, `VM is locked (${source.config.lock})`);
  if (!isTemplate) assertNotBusy(ctx, source);
  const targetStorage = str(ctx, 'storage');
  const disks = Object.entries(source.config).filter(([key]) => DISK_KEYS.test(key));
  for (const [, value] of disks) {
    const storage = targetStorage ?? storageOf(volumeOf(value));
    if (value.includes('media=cdrom') && !value.includes('cloudinit')) continue;
    assertStorageUsable(ctx.state, storage, target.name);
    if (target.name !== source.node && !ctx.state.storages.find((s) => s.storage === storage)?.shared) {
      throw new SimError(500, `can't clone VM to node '${target.name}' (VM uses local storage)`);
    }
  }
  const guest: SimGuest = {
    vmid: newid,
    node: target.name,
    type: 'qemu',
    status: 'stopped',
    config: { lock: 'clone' },
    pending: {},
    pendingDelete: [],
  };
  ctx.state.guests.push(guest);
  ctx.changed();
  const name = str(ctx, 'name') ?? `Copy-of-VM-${source.config.name ?? source.vmid}`;
  return ctx.tasks.start({
    node: source.node,
    type: 'qmclone',
    id: String(source.vmid),
    user: ctx.user,
    // A template is cloned under a shared lock: many clones of it may run at once.
    locks: isTemplate ? [String(newid)] : [String(source.vmid), String(newid)],
    work: (log) => {
      const config: Record<string, string> = {};
      let index = 0;
      for (const [key, value] of Object.entries(source.config)) {
        if (key === 'template' || key === 'lock' || key === 'vmgenid' || /^unused\d+$/.test(key)) continue;
        if (DISK_KEYS.test(key)) {
          const storage = targetStorage ?? storageOf(volumeOf(value));
          const options = parsePropertyString(value, 'file');
          const file = value.includes('cloudinit')
            ? `${storage}:vm-${newid}-cloudinit`
            : `${storage}:vm-${newid}-disk-${index++}`;
          config[key] = formatPropertyString({ ...options, file }, { defaultKey: 'file' });
          log(`create full clone of drive ${key} (${volumeOf(value)})`);
        } else if (/^net\d+$/.test(key)) {
          // A clone gets new MACs.
          config[key] = canonicalNet(value, ctx.random, { newMac: true });
        } else config[key] = value;
      }
      config.name = name;
      if (str(ctx, 'description')) config.description = str(ctx, 'description') as string;
      config.vmgenid = crypto.randomUUID();
      guest.config = config;
    },
    onFailure: () => removeGuest(ctx, guest),
  });
}

function readConfig(ctx: HandlerContext) {
  const guest = guestOn(ctx, 'qemu');
  const config = bool(ctx, 'current') ? guest.config : effectiveConfig(guest);
  return { ...typedConfig(config), digest: configDigest(guest) };
}

function updateConfig(ctx: HandlerContext): null {
  const guest = guestOn(ctx, 'qemu');
  assertNotBusy(ctx, guest);
  applyConfigUpdate(ctx.state, guest, ctx.params, ctx.random);
  ctx.changed();
  return null;
}

function resize(ctx: HandlerContext): string {
  const guest = guestOn(ctx, 'qemu');
  assertNotBusy(ctx, guest);
  if (guest.config.lock) throw new SimError(500, `VM is locked (${guest.config.lock})`);
  const disk = requireStr(ctx, 'disk');
  const digest = str(ctx, 'digest');
  if (digest && digest !== configDigest(guest)) {
    throw new SimError(500, 'detected modified configuration - file changed by other user? Try again.');
  }
  const value = guest.config[disk];
  if (!value) throw new SimError(500, `disk '${disk}' does not exist`);
  const options = parsePropertyString(value, 'file');
  const current = sizeToBytes(options.size ?? '0');
  const requested = requireStr(ctx, 'size');
  const relative = requested.startsWith('+');
  const amount = sizeToBytes(relative ? requested.slice(1) : requested);
  const next = relative ? current + amount : amount;
  if (next < current) throw new SimError(500, `shrinking disks is not supported`);
  return ctx.tasks.start({
    node: guest.node,
    type: 'resize',
    id: String(guest.vmid),
    user: ctx.user,
    work: (log) => {
      const latest = parsePropertyString(guest.config[disk] ?? value, 'file');
      guest.config[disk] = formatPropertyString(
        { ...latest, size: formatSize(next) },
        { defaultKey: 'file' },
      );
      log(`  Size of logical volume changed from ${formatSize(current)} to ${formatSize(next)}.`);
    },
  });
}

function destroy(ctx: HandlerContext): string {
  const guest = guestOn(ctx, 'qemu');
  assertNotBusy(ctx, guest);
  if (guest.config.lock && !bool(ctx, 'skiplock'))
    throw new SimError(500, `VM is locked (${guest.config.lock})`);
  if (guest.config.protection === '1')
    throw new SimError(500, `can't remove VM ${guest.vmid} - protection mode enabled`);
  if (guest.status === 'running') throw new SimError(500, `VM ${guest.vmid} is running - destroy failed`);
  guest.config.lock = 'destroyed';
  return ctx.tasks.start({
    node: guest.node,
    type: 'qmdestroy',
    id: String(guest.vmid),
    user: ctx.user,
    work: (log) => {
      for (const [key, value] of Object.entries(guest.config)) {
        if (DISK_KEYS.test(key) || /^unused\d+$/.test(key))
          log(`  Logical volume "${volumeOf(value).split(':')[1]}" successfully removed.`);
      }
      removeGuest(ctx, guest);
    },
    onFailure: () => {
      delete guest.config.lock;
    },
  });
}

function list(ctx: HandlerContext) {
  const node = onlineNode(ctx);
  return ctx.state.guests
    .filter((g) => g.node === node.name && g.type === 'qemu')
    .map((guest) => {
      const stats = guestStats(guest);
      const tags = effectiveConfig(guest).tags;
      return {
        vmid: guest.vmid,
        name: guest.config.name,
        status: guest.status,
        ...stats,
        ...(tags ? { tags } : {}),
        ...(guest.config.template === '1' ? { template: 1 } : {}),
        ...(guest.config.lock ? { lock: guest.config.lock } : {}),
        ...(guest.status === 'running' ? { pid: 10_000 + guest.vmid } : {}),
      };
    });
}

function pending(ctx: HandlerContext) {
  const guest = guestOn(ctx, 'qemu');
  const keys = new Set([...Object.keys(guest.config), ...Object.keys(guest.pending), ...guest.pendingDelete]);
  return [...keys].sort().map((key) => {
    const numeric = isNumericKey(key);
    return {
      key,
      ...(guest.config[key] !== undefined ? { value: typedValue(guest.config[key], numeric) } : {}),
      ...(guest.pending[key] !== undefined ? { pending: typedValue(guest.pending[key], numeric) } : {}),
      ...(guest.pendingDelete.includes(key) ? { delete: 1 } : {}),
    };
  });
}

export const qemuRoutes: Routes = {
  'GET /nodes/{node}/qemu': list,
  'POST /nodes/{node}/qemu': create,
  'GET /nodes/{node}/qemu/{vmid}': (ctx) => {
    guestOn(ctx, 'qemu');
    return ['config', 'pending', 'status', 'migrate', 'resize', 'clone'].map((subdir) => ({ subdir }));
  },
  'DELETE /nodes/{node}/qemu/{vmid}': destroy,
  'GET /nodes/{node}/qemu/{vmid}/config': readConfig,
  'PUT /nodes/{node}/qemu/{vmid}/config': updateConfig,
  // The asynchronous variant: PVE answers with a task only when it had to allocate disks.
  'POST /nodes/{node}/qemu/{vmid}/config': (ctx) => {
    updateConfig(ctx);
    return null;
  },
  'GET /nodes/{node}/qemu/{vmid}/pending': pending,
  'POST /nodes/{node}/qemu/{vmid}/clone': clone,
  'PUT /nodes/{node}/qemu/{vmid}/resize': resize,
  'GET /nodes/{node}/qemu/{vmid}/status/current': (ctx) => {
    const guest = guestOn(ctx, 'qemu');
    const config = effectiveConfig(guest);
    return {
      vmid: guest.vmid,
      name: config.name,
      status: guest.status,
      qmpstatus: guest.status,
      ...guestStats(guest),
      ha: { managed: 0 },
      ...(config.tags ? { tags: config.tags } : {}),
      ...(config.lock ? { lock: config.lock } : {}),
      ...(guest.status === 'running'
        ? { pid: 10_000 + guest.vmid, 'running-machine': 'pc-q35-9.2+pve1', 'running-qemu': '9.2.0' }
        : {}),
      agent: config.agent ? 1 : 0,
    };
  },
  ...powerRoutes,
};
