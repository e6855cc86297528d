import { createHash } from 'node:crypto';
import { formatPropertyString, parsePropertyString, splitPropertyString } from '@skyy/proxmox/schema';
import type { SimGuest, SimState } from './state.ts';
import { SimError } from './tasks.ts';

/** Keys whose change on a running VM waits in the pending section until the next start. */
const REBOOT_KEYS =
  /^(cores|sockets|memory|cpu|machine|bios|hostpci\d+|numa|vcpus|balloon|efidisk0|tpmstate0|vga|args|hugepages|scsihw)$/;
export const DISK_KEYS = /^(scsi\d+|virtio\d+|sata\d+|ide\d+|efidisk0|tpmstate0)$/;
const NET_MODELS = [
  'e1000',
  'e1000-82540em',
  'e1000-82544gc',
  'e1000-82545em',
  'e1000e',
  'i82551',
  'i82557b',
  'i82559er',
  'ne2k_isa',
  'ne2k_pci',
  'pcnet',
  'rtl8139',
  'virtio',
  'vmxnet3',
];
/** Request parameters that steer an update but are not config keys. */
const CONTROL_PARAMS = new Set([
  'node',
  'vmid',
  'digest',
  'delete',
  'revert',
  'skiplock',
  'background_delay',
  'force',
]);

export function needsReboot(key: string): boolean {
  return REBOOT_KEYS.test(key);
}

/** The config as PVE returns it by default: pending values applied. */
export function effectiveConfig(guest: SimGuest): Record<string, string> {
  const config = { ...guest.config, ...guest.pending };
  for (const key of guest.pendingDelete) Reflect.deleteProperty(config, key);
  return config;
}

/** SHA-1 over the config file's text, pending section included, like PVE's digest. */
export function configDigest(guest: SimGuest): string {
  const lines = Object.keys(guest.config)
    .sort()
    .map((key) => `${key}: ${guest.config[key]}`);
  const pending = Object.keys(guest.pending)
    .sort()
    .map((key) => `${key}: ${guest.pending[key]}`);
  const text = [...lines, '[PENDING]', ...pending, `delete: ${guest.pendingDelete.join(',')}`].join('\n');
  return createHash('sha1').update(text).digest('hex');
}

export function randomMac(random: () => number): string {
  const bytes = [0xbc, 0x24, 0x11, ...Array.from({ length: 3 }, () => Math.floor(random() * 256))];
  return bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

/**
 * `virtio,bridge=vmbr0` → `virtio=BC:24:11:…,bridge=vmbr0`: PVE always stores the model with its
 * MAC and generates a new random MAC when none is given, even on updates.
 */
export function canonicalNet(
  value: string,
  random: () => number,
  options: { newMac?: boolean } = {},
): string {
  let model = 'virtio';
  let mac: string | undefined;
  const rest: Record<string, string> = {};
  for (const part of splitPropertyString(value)) {
    if (part.key === undefined || part.key === 'model') model = part.value;
    else if (NET_MODELS.includes(part.key)) {
      model = part.key;
      mac = part.value;
    } else if (part.key === 'macaddr') mac = part.value;
    else rest[part.key] = part.value;
  }
  return formatPropertyString(
    { [model]: (options.newMac || !mac ? randomMac(random) : mac).toUpperCase(), ...rest },
    { leading: [model, 'bridge'] },
  );
}

export function volumeOf(diskValue: string): string {
  return parsePropertyString(diskValue, 'file').file ?? '';
}

export function storageOf(volume: string): string {
  return volume.split(':')[0] ?? '';
}

export function sizeToBytes(size: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec(size);
  if (!match) return 0;
  const unit = { K: 1, M: 2, G: 3, T: 4 }[match[2] as 'K' | 'M' | 'G' | 'T'] ?? 0;
  return Math.round(Number(match[1]) * 1024 ** unit);
}

export function formatSize(bytes: number): string {
  for (const [unit, power] of [
    ['T', 4],
    ['G', 3],
    ['M', 2],
    ['K', 1],
  ] as const) {
    const value = bytes / 1024 ** power;
    if (value >= 1 && Number.isInteger(value)) return `${value}${unit}`;
  }
  return String(bytes);
}

export function assertStorageUsable(state: SimState, storage: string, node: string): void {
  const found = state.storages.find((s) => s.storage === storage);
  if (!found || (found.nodes && !found.nodes.includes(node))) {
    throw new SimError(500, `storage '${storage}' does not exist`);
  }
  if (!found.content.split(',').includes('images')) {
    throw new SimError(500, `storage '${storage}' does not support vm images`);
  }
}

function nextDiskIndex(guest: SimGuest): number {
  const used = Object.values({ ...guest.config, ...guest.pending })
    .map((value) => /vm-\d+-disk-(\d+)/.exec(value)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  return used.length === 0 ? 0 : Math.max(...used) + 1;
}

/**
 * `local-lvm:32,iothread=1` allocates a new 32 GiB volume; `local-lvm:cloudinit` a cloud-init
 * drive; anything else is an existing volume and kept as given.
 */
export function allocateDisk(state: SimState, guest: SimGuest, key: string, value: string): string {
  const parts = parsePropertyString(value, 'file');
  const file = parts.file ?? '';
  const [storage, spec] = file.split(':') as [string, string | undefined];
  if (spec === 'cloudinit') {
    assertStorageUsable(state, storage, guest.node);
    return formatPropertyString(
      { ...parts, file: `${storage}:vm-${guest.vmid}-cloudinit`, media: 'cdrom' },
      { defaultKey: 'file' },
    );
  }
  if (spec !== undefined && /^\d+(\.\d+)?$/.test(spec)) {
    assertStorageUsable(state, storage, guest.node);
    const index = nextDiskIndex(guest);
    const { file: _file, ...options } = parts;
    return formatPropertyString(
      { file: `${storage}:vm-${guest.vmid}-disk-${index}`, ...options, size: `${spec}G` },
      { defaultKey: 'file' },
    );
  }
  return value;
}

/**
 * Applies a config update (POST/PUT …/config or the config part of a create) the way
 * qemu-server does: digest check, deletions, new disks, MACs, pending for a running VM.
 */
export function applyConfigUpdate(
  state: SimState,
  guest: SimGuest,
  params: Record<string, string | string[]>,
  random: () => number,
): void {
  const digest = typeof params.digest === 'string' ? params.digest : undefined;
  if (digest && digest !== configDigest(guest)) {
    throw new SimError(500, 'detected modified configuration - file changed by other user? Try again.');
  }
  const lock = guest.config.lock;
  if (lock && params.skiplock !== '1') throw new SimError(500, `VM is locked (${lock})`);

  const running = guest.status === 'running';
  const deletions = typeof params.delete === 'string' ? params.delete.split(/[,;\s]+/).filter(Boolean) : [];
  for (const key of deletions) {
    if (key in params)
      throw new SimError(400, 'Parameter verification failed.', {
        delete: `cannot set and delete '${key}' at the same time`,
      });
    if (running && needsReboot(key)) {
      if (!guest.pendingDelete.includes(key)) guest.pendingDelete.push(key);
      continue;
    }
    const old = guest.config[key];
    Reflect.deleteProperty(guest.config, key);
    Reflect.deleteProperty(guest.pending, key);
    if (old !== undefined && DISK_KEYS.test(key) && !/cloudinit|media=cdrom/.test(old)) {
      guest.config[nextUnused(guest)] = volumeOf(old);
    }
  }

  for (const [key, raw] of Object.entries(params)) {
    if (CONTROL_PARAMS.has(key) || typeof raw !== 'string') continue;
    let value = raw;
    if (/^net\d+$/.test(key)) value = canonicalNet(value, random);
    else if (DISK_KEYS.test(key)) {
      const current = guest.config[key];
      if (current !== undefined && volumeOf(current) === volumeOf(value)) {
        // Same volume, new options: the size stays what the volume really has.
        const size = parsePropertyString(current, 'file').size;
        value = formatPropertyString({ ...parsePropertyString(value, 'file'), size }, { defaultKey: 'file' });
      } else value = allocateDisk(state, guest, key, value);
    } else if (key === 'onboot' || key === 'protection' || key === 'template')
      value = /^(1|true|yes|on)$/i.test(value) ? '1' : '0';
    if (running && needsReboot(key)) {
      if (guest.config[key] === value) Reflect.deleteProperty(guest.pending, key);
      else guest.pending[key] = value;
    } else {
      guest.config[key] = value;
    }
    guest.pendingDelete = guest.pendingDelete.filter((k) => k !== key);
  }
}

function nextUnused(guest: SimGuest): string {
  let i = 0;
  while (`unused${i}` in guest.config) i++;
  return `unused${i}`;
}

/** At start, pending changes become the config (`vmconfig_apply_pending`). */
export function applyPending(guest: SimGuest): void {
  Object.assign(guest.config, guest.pending);
  for (const key of guest.pendingDelete) Reflect.deleteProperty(guest.config, key);
  guest.pending = {};
  guest.pendingDelete = [];
}

/** Disks that hold data (not cloud-init or CD-ROM drives). */
export function dataDisks(config: Record<string, string>): [string, string][] {
  return Object.entries(config).filter(
    ([key, value]) => DISK_KEYS.test(key) && !/media=cdrom/.test(value) && !value.startsWith('none'),
  );
}
