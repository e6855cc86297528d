import { parsePropertyString } from '@skyy/proxmox/schema';
import {
  bool,
  guestOn,
  nowSeconds,
  onlineNode,
  requireStr,
  type HandlerContext,
  type Routes,
} from '../context.ts';
import {
  applyPending,
  DISK_KEYS,
  effectiveConfig,
  storageOf,
  volumeOf,
  sizeToBytes,
} from '../qemu-config.ts';
import type { SimGuest, SimState } from '../state.ts';
import { SimError } from '../tasks.ts';

/** While a task works on a VM it holds the VM's config lock file; others time out on it. */
export function assertNotBusy(ctx: HandlerContext, guest: SimGuest): void {
  if (ctx.tasks.isBusy(String(guest.vmid))) {
    throw new SimError(500, `can't lock file '/var/lock/qemu-server/lock-${guest.vmid}.conf' - got timeout`);
  }
}

/** `0000:41:00` (all functions), `41:00.0` or `0000:41:00.0;0000:42:00.0` → the node's matching functions. */
function hostFunctions(state: SimState, node: string, host: string): string[] {
  const devices = state.nodes.find((n) => n.name === node)?.pci ?? [];
  const out: string[] = [];
  for (const part of host.split(';')) {
    const id = part.includes(':') && part.split(':').length === 2 ? `0000:${part}` : part;
    const matches = devices.filter((d) => (id.includes('.') ? d.id === id : d.id.startsWith(`${id}.`)));
    if (matches.length === 0) throw new SimError(500, `no PCI device found for '${part}'`);
    out.push(...matches.map((d) => d.id));
  }
  return out;
}

function inUse(state: SimState, node: string, except: SimGuest): Map<string, number> {
  const used = new Map<string, number>();
  for (const guest of state.guests) {
    if (guest === except || guest.node !== node || guest.status !== 'running') continue;
    for (const id of guest.activePci ?? []) used.set(id, guest.vmid);
  }
  return used;
}

/**
 * Resolves every hostpciN of the VM to PCI functions on its node, as qemu-server does at start:
 * mapped devices pick a free entry of the mapping for this node, raw addresses must exist, and no
 * function may already belong to another running VM.
 */
export function claimPci(state: SimState, guest: SimGuest, config: Record<string, string>): string[] {
  const used = inUse(state, guest.node, guest);
  const claimed: string[] = [];
  const owner = (id: string) => used.get(id) ?? (claimed.includes(id) ? guest.vmid : undefined);
  for (const [key, value] of Object.entries(config)
    .filter(([k]) => /^hostpci\d+$/.test(k))
    .sort()) {
    const options = parsePropertyString(value, 'host');
    if (options.pcie === '1' && !/q35/.test(config.machine ?? ''))
      throw new SimError(500, 'q35 machine model is not enabled');
    if (options.mapping) {
      const mapping = state.mappings.find((m) => m.id === options.mapping);
      const entries = (mapping?.map ?? [])
        .map((entry) => parsePropertyString(entry, 'node'))
        .filter((entry) => entry.node === guest.node && entry.path);
      if (entries.length === 0)
        throw new SimError(500, `PCI device mapping not found for '${options.mapping}'`);
      const free = entries.find((entry) =>
        hostFunctions(state, guest.node, entry.path as string).every((id) => owner(id) === undefined),
      );
      if (!free)
        throw new SimError(
          500,
          `${key}: all devices of mapping '${options.mapping}' are in use on node '${guest.node}'`,
        );
      claimed.push(...hostFunctions(state, guest.node, free.path as string));
      continue;
    }
    const ids = hostFunctions(state, guest.node, options.host ?? '');
    for (const id of ids) {
      const by = owner(id);
      if (by !== undefined) throw new SimError(500, `PCI device '${id}' already in use by VMID '${by}'`);
    }
    claimed.push(...ids);
  }
  return claimed;
}

export function startGuest(ctx: HandlerContext, guest: SimGuest, log: (line: string) => void): void {
  if (guest.status === 'running') throw new SimError(500, `VM ${guest.vmid} already running`);
  const config = effectiveConfig(guest);
  const pci = claimPci(ctx.state, guest, config);
  applyPending(guest);
  guest.status = 'running';
  guest.startedAt = nowSeconds();
  guest.activePci = pci;
  for (const id of pci) log(`  claimed PCI device ${id}`);
  ctx.changed();
}

function stopGuest(ctx: HandlerContext, guest: SimGuest): void {
  if (guest.status !== 'running') throw new SimError(500, `VM ${guest.vmid} not running`);
  guest.status = 'stopped';
  delete guest.startedAt;
  delete guest.activePci;
  ctx.changed();
}

function powerTask(
  type: string,
  run: (ctx: HandlerContext, guest: SimGuest, log: (line: string) => void) => void,
) {
  return (ctx: HandlerContext): string => {
    const guest = guestOn(ctx, 'qemu');
    assertNotBusy(ctx, guest);
    if (guest.config.lock && !bool(ctx, 'skiplock'))
      throw new SimError(500, `VM is locked (${guest.config.lock})`);
    return ctx.tasks.start({
      node: guest.node,
      type,
      id: String(guest.vmid),
      user: ctx.user,
      work: (log) => run(ctx, guest, log),
    });
  };
}

interface MigrationCheck {
  running: boolean;
  localDisks: { volid: string; size: number; cdrom: number; is_unused: number }[];
  localResources: string[];
  mapped: string[];
  allowed: string[];
  notAllowed: Record<string, { unavailable_storages: string[] }>;
}

function checkMigration(ctx: HandlerContext, guest: SimGuest): MigrationCheck {
  const { state } = ctx;
  const config = effectiveConfig(guest);
  const storages = new Set<string>();
  const localDisks: MigrationCheck['localDisks'] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!DISK_KEYS.test(key) && !/^unused\d+$/.test(key)) continue;
    const volid = volumeOf(value);
    const storage = state.storages.find((s) => s.storage === storageOf(volid));
    if (!storage) continue;
    storages.add(storage.storage);
    if (!storage.shared) {
      localDisks.push({
        volid,
        size: sizeToBytes(parsePropertyString(value, 'file').size ?? '0'),
        cdrom: value.includes('media=cdrom') ? 1 : 0,
        is_unused: key.startsWith('unused') ? 1 : 0,
      });
    }
  }
  const localResources: string[] = [];
  const mapped: string[] = [];
  for (const [key, value] of Object.entries(config).filter(([k]) => /^hostpci\d+$/.test(k))) {
    if (parsePropertyString(value, 'host').mapping) mapped.push(key);
    else localResources.push(key);
  }
  const allowed: string[] = [];
  const notAllowed: MigrationCheck['notAllowed'] = {};
  for (const node of state.nodes) {
    if (node.name === guest.node || !node.online) continue;
    const unavailable = [...storages].filter((name) => {
      const storage = state.storages.find((s) => s.storage === name);
      return !storage || (storage.nodes !== undefined && !storage.nodes.includes(node.name));
    });
    const missingMapping = mapped.some((key) => {
      const id = parsePropertyString(config[key] as string, 'host').mapping;
      const mapping = state.mappings.find((m) => m.id === id);
      return !mapping?.map.some((entry) => parsePropertyString(entry, 'node').node === node.name);
    });
    if (unavailable.length > 0 || missingMapping)
      notAllowed[node.name] = { unavailable_storages: unavailable };
    else allowed.push(node.name);
  }
  return { running: guest.status === 'running', localDisks, localResources, mapped, allowed, notAllowed };
}

function migrate(ctx: HandlerContext): string {
  const guest = guestOn(ctx, 'qemu');
  assertNotBusy(ctx, guest);
  const target = requireStr(ctx, 'target');
  if (target === guest.node)
    throw new SimError(400, 'Parameter verification failed.', { target: 'target is local node.' });
  onlineNode(ctx, target);
  if (guest.config.lock) throw new SimError(500, `VM is locked (${guest.config.lock})`);
  const check = checkMigration(ctx, guest);
  if (check.running && !bool(ctx, 'online'))
    throw new SimError(500, `can't migrate running VM without --online`);
  if (check.localResources.length > 0) {
    throw new SimError(500, `can't migrate VM which uses local devices: ${check.localResources.join(', ')}`);
  }
  if (!check.allowed.includes(target)) {
    throw new SimError(
      500,
      `can't migrate VM to node '${target}': storages or mapped devices not available there`,
    );
  }
  if (check.running && check.mapped.length > 0)
    throw new SimError(500, `can't live migrate VM with mapped devices: ${check.mapped.join(', ')}`);
  if (check.running && check.localDisks.length > 0 && !bool(ctx, 'with-local-disks')) {
    throw new SimError(500, `can't live migrate attached local disks without with-local-disks option`);
  }
  guest.config.lock = 'migrate';
  ctx.changed();
  return ctx.tasks.start({
    node: guest.node,
    type: 'qmigrate',
    id: String(guest.vmid),
    user: ctx.user,
    work: (log) => {
      log(`starting migration of VM ${guest.vmid} to node '${target}'`);
      delete guest.config.lock;
      guest.node = target;
      log('migration finished successfully');
      ctx.changed();
    },
    onFailure: () => {
      delete guest.config.lock;
    },
  });
}

export const powerRoutes: Routes = {
  'POST /nodes/{node}/qemu/{vmid}/status/start': powerTask('qmstart', (ctx, guest, log) =>
    startGuest(ctx, guest, log),
  ),
  'POST /nodes/{node}/qemu/{vmid}/status/shutdown': powerTask('qmshutdown', (ctx, guest) =>
    stopGuest(ctx, guest),
  ),
  'POST /nodes/{node}/qemu/{vmid}/status/stop': powerTask('qmstop', (ctx, guest) => stopGuest(ctx, guest)),
  'POST /nodes/{node}/qemu/{vmid}/status/reboot': powerTask('qmreboot', (ctx, guest, log) => {
    stopGuest(ctx, guest);
    startGuest(ctx, guest, log);
  }),
  'GET /nodes/{node}/qemu/{vmid}/migrate': (ctx) => {
    const guest = guestOn(ctx, 'qemu');
    const check = checkMigration(ctx, guest);
    return {
      running: check.running ? 1 : 0,
      allowed_nodes: check.allowed,
      not_allowed_nodes: check.notAllowed,
      local_disks: check.localDisks,
      local_resources: check.localResources,
      'mapped-resources': check.mapped,
      'mapped-resource-info': Object.fromEntries(check.mapped.map((key) => [key, { 'live-migration': 0 }])),
      'has-dbus-vmstate': 1,
    };
  },
  'POST /nodes/{node}/qemu/{vmid}/migrate': migrate,
};
