import type { DesiredVm } from '@skyy/contracts';
import { formatPropertyString, parsePropertyString } from '../schema/property-string.ts';
import { formatNet, mergedValue, needsReboot, sameValue } from './config-values.ts';
import { hasTag, isSourceTag, sourceTag, type IdentityOptions, type RecordedSource } from './identity.ts';
import type { DiskResize, FieldChange, VmTarget } from './types.ts';

/**
 * The desired VM in PVE's terms: which config keys must hold which values, which keys must go,
 * which disks must exist. `gpuValues` are the hostpci values chosen by allocateGpus.
 */
export function resolveTarget(
  vm: DesiredVm,
  node: string,
  gpuValues: string[] | undefined,
  identity: IdentityOptions,
  current: { config: Record<string, string> } | undefined,
  options: { created: boolean; source?: RecordedSource },
): VmTarget {
  const config: Record<string, string> = {
    name: vm.name,
    cores: String(vm.cores),
    sockets: String(vm.sockets),
    memory: String(vm.memory),
    onboot: vm.onboot ? '1' : '0',
    protection: vm.protect ? '1' : '0',
  };
  const absent: string[] = [];
  const currentKeys = Object.keys(current?.config ?? {});

  if (vm.cpu_type) config.cpu = vm.cpu_type;
  if (vm.description !== undefined) config.description = vm.description;

  const currentTags = (current?.config.tags ?? '').split(/[;,\s]+/).filter(Boolean);
  // The source is recorded when Skyy creates the VM and kept as it is afterwards.
  const skyyTags = [
    identity.managedTag,
    ...(options.created || hasTag(currentTags, identity.createdTag) ? [identity.createdTag] : []),
    ...(options.source ? [sourceTag(options.source)] : currentTags.filter(isSourceTag)),
  ];
  const otherTags = vm.tags ?? currentTags.filter((t) => !hasTag(skyyTags, t));
  config.tags = [...new Set([...skyyTags, ...otherTags])].sort().join(';');

  if (vm.nics) {
    vm.nics.forEach((nic, i) => {
      config[`net${i}`] = formatNet({
        model: nic.model,
        macaddr: nic.mac,
        options: {
          bridge: nic.bridge,
          ...(nic.vlan !== undefined ? { tag: String(nic.vlan) } : {}),
          ...(nic.firewall !== undefined ? { firewall: nic.firewall ? '1' : '0' } : {}),
        },
      });
      if (nic.ip)
        config[`ipconfig${i}`] =
          nic.ip === 'dhcp'
            ? 'ip=dhcp'
            : formatPropertyString({ ip: nic.ip, gw: nic.gateway }, { leading: ['ip', 'gw'] });
    });
    absent.push(
      ...currentKeys.filter(
        (key) => /^(net|ipconfig)(\d+)$/.test(key) && Number(/\d+$/.exec(key)?.[0]) >= (vm.nics?.length ?? 0),
      ),
    );
  }

  if (vm.gpus) {
    (gpuValues ?? []).forEach((value, i) => {
      config[`hostpci${i}`] = value;
    });
    if (vm.gpus.some((gpu) => gpu.pcie)) config.machine = 'q35';
    absent.push(
      ...currentKeys.filter(
        (key) => /^hostpci\d+$/.test(key) && Number(/\d+$/.exec(key)?.[0]) >= (vm.gpus?.length ?? 0),
      ),
    );
  }

  const ci = vm.cloud_init;
  if (ci?.user) config.ciuser = ci.user;
  if (ci?.ssh_keys) config.sshkeys = encodeSshKeys(ci.ssh_keys);
  if (ci?.nameservers) config.nameserver = ci.nameservers.join(' ');
  if (ci?.search_domain) config.searchdomain = ci.search_domain;
  const wantsCloudInit = ci !== undefined || (vm.nics ?? []).some((nic) => nic.ip !== undefined);

  const disks = (vm.disks ?? []).map((disk, i) => ({
    slot: disk.slot ?? `scsi${i}`,
    storage: disk.storage,
    sizeGiB: disk.size,
  }));
  return {
    name: vm.name,
    node,
    config,
    absent,
    disks,
    cloudInitStorage: wantsCloudInit
      ? (ci?.storage ?? disks[0]?.storage ?? storageOfFirstDisk(current?.config ?? {}))
      : undefined,
    start: vm.start,
    protect: vm.protect,
  };
}

/**
 * PVE expects `sshkeys` URL-encoded (and checks it); encodeURIComponent leaves `!'()*`, which
 * PVE accepts, and encodes spaces as %20 like the web UI.
 */
export function encodeSshKeys(keys: string[]): string {
  return encodeURIComponent(keys.join('\n'));
}

export function storageOfFirstDisk(config: Record<string, string>): string | undefined {
  const disk = dataDisks(config)[0];
  return disk ? disk.volume.split(':')[0] : undefined;
}

/** Data disks of a config (not CD-ROMs or cloud-init drives), with their volume and size. */
export function dataDisks(
  config: Record<string, string>,
): { slot: string; volume: string; sizeGiB: number }[] {
  return Object.entries(config)
    .filter(
      ([key, value]) =>
        /^(scsi|virtio|sata|ide)\d+$/.test(key) && !/media=cdrom|cloudinit/.test(value) && value !== 'none',
    )
    .map(([slot, value]) => {
      const parts = parsePropertyString(value, 'file');
      return { slot, volume: parts.file ?? '', sizeGiB: sizeToGiB(parts.size) };
    });
}

export function hasCloudInitDrive(config: Record<string, string>): boolean {
  return Object.entries(config).some(
    ([key, value]) => /^(ide|scsi|sata)\d+$/.test(key) && value.includes('cloudinit'),
  );
}

/** `32G` → 32, `512M` → 0.5; absent → 0. */
export function sizeToGiB(size: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec(size ?? '');
  if (!match) return 0;
  const power = { K: -2, M: -1, G: 0, T: 1 }[(match[2] ?? 'G') as 'K' | 'M' | 'G' | 'T'];
  return Number(match[1]) * 1024 ** power;
}

export function formatGiB(gib: number): string {
  return Number.isInteger(gib) ? `${gib}G` : `${Math.round(gib * 1024)}M`;
}

function freeIdeSlot(config: Record<string, string>): string {
  for (const slot of ['ide2', 'ide0', 'ide1', 'ide3']) if (!(slot in config)) return slot;
  return 'ide3';
}

export interface TargetDiff {
  changes: FieldChange[];
  resizes: DiskResize[];
  /** Differences that only a new VM can fix (disk on another storage, smaller disk). */
  replaceReasons: string[];
  warnings: string[];
}

/** What must change on an existing VM to reach the target; empty when it already matches. */
export function diffTarget(target: VmTarget, config: Record<string, string>, running: boolean): TargetDiff {
  const changes: FieldChange[] = [];
  const resizes: DiskResize[] = [];
  const replaceReasons: string[] = [];
  const warnings: string[] = [];
  const change = (key: string, to: string | undefined) =>
    changes.push({ key, from: config[key], to, rebootRequired: running && needsReboot(key) });

  for (const [key, want] of Object.entries(target.config)) {
    if (!sameValue(key, want, config[key])) change(key, mergedValue(key, want, config[key]));
  }
  for (const key of target.absent) if (config[key] !== undefined) change(key, undefined);

  const existing = new Map(dataDisks(config).map((d) => [d.slot, d]));
  for (const disk of target.disks) {
    const have = existing.get(disk.slot);
    if (!have) {
      change(disk.slot, `${disk.storage}:${disk.sizeGiB},iothread=1`);
      continue;
    }
    const storage = have.volume.split(':')[0];
    if (storage !== disk.storage) {
      replaceReasons.push(`disk ${disk.slot} is on ${storage}, declared on ${disk.storage}`);
    } else if (have.sizeGiB < disk.sizeGiB) {
      resizes.push({ disk: disk.slot, fromGiB: have.sizeGiB, toGiB: disk.sizeGiB });
    } else if (have.sizeGiB > disk.sizeGiB) {
      replaceReasons.push(
        `disk ${disk.slot} is ${formatGiB(have.sizeGiB)}, declared ${formatGiB(disk.sizeGiB)} (disks cannot shrink)`,
      );
    }
  }
  if (target.disks.length > 0) {
    const declared = new Set(target.disks.map((d) => d.slot));
    for (const slot of existing.keys()) {
      if (!declared.has(slot)) warnings.push(`disk ${slot} is not declared; Skyy never detaches disks`);
    }
  }
  if (target.cloudInitStorage && !hasCloudInitDrive(config)) {
    change(freeIdeSlot(config), `${target.cloudInitStorage}:cloudinit`);
  }
  return { changes, resizes, replaceReasons, warnings };
}

/** The config of a fresh VM (POST /nodes/{node}/qemu): the target plus what a new VM needs to boot. */
export function creationConfig(target: VmTarget, iso: string | undefined): Record<string, string> {
  const config: Record<string, string> = {
    ...target.config,
    scsihw: 'virtio-scsi-single',
    ostype: 'l26',
    agent: '1',
  };
  for (const disk of target.disks)
    config[disk.slot] =
      `${disk.storage}:${disk.sizeGiB}${/^(scsi|virtio)/.test(disk.slot) ? ',iothread=1' : ''}`;
  const boot = target.disks.map((d) => d.slot);
  if (iso) {
    config.ide2 = `${iso},media=cdrom`;
    boot.push('ide2');
  }
  if (target.cloudInitStorage) config[iso ? 'ide3' : 'ide2'] = `${target.cloudInitStorage}:cloudinit`;
  if (boot.length > 0) config.boot = `order=${boot.join(';')}`;
  return config;
}
