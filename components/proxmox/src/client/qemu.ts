import { z } from 'zod';
import { PvePreconditionError } from './errors.ts';
import { seg, type PveTransport } from './transport.ts';
import { maybeUpidSchema, pveBool, pveConfigValue, upidSchema, type Upid } from './wire-types.ts';

const vmSummarySchema = z.looseObject({
  vmid: z.union([z.number(), z.string()]).transform(Number),
  name: z.string().optional(),
  status: z.string(),
  cpus: z.number().optional(),
  maxmem: z.number().optional(),
  maxdisk: z.number().optional(),
  uptime: z.number().optional(),
  tags: z.string().optional(),
  template: pveBool.optional(),
  lock: z.string().optional(),
});
export type VmSummary = z.output<typeof vmSummarySchema>;

const vmStatusSchema = z.looseObject({
  vmid: z.union([z.number(), z.string()]).transform(Number),
  status: z.enum(['running', 'stopped']),
  qmpstatus: z.string().optional(),
  name: z.string().optional(),
  uptime: z.number().optional(),
  lock: z.string().optional(),
  tags: z.string().optional(),
});
export type VmStatus = z.output<typeof vmStatusSchema>;

const pendingSchema = z.array(
  z.looseObject({
    key: z.string(),
    value: pveConfigValue.optional(),
    pending: pveConfigValue.optional(),
    delete: z.number().optional(),
  }),
);
export type PendingChange = z.output<typeof pendingSchema>[number];

const migrationSchema = z.looseObject({
  running: pveBool,
  allowed_nodes: z.array(z.string()).default([]),
  not_allowed_nodes: z
    .record(z.string(), z.looseObject({ unavailable_storages: z.array(z.string()).optional() }))
    .default({}),
  local_disks: z
    .array(z.looseObject({ volid: z.string(), cdrom: pveBool.optional(), is_unused: pveBool.optional() }))
    .default([]),
  local_resources: z.array(z.string()).default([]),
  'mapped-resources': z.array(z.string()).default([]),
});

export interface MigrationPreconditions {
  running: boolean;
  allowedNodes: string[];
  notAllowedNodes: Record<string, { unavailableStorages: string[] }>;
  localDisks: string[];
  /** Devices that pin the VM to its node (raw `hostpciN`, USB); migration is impossible while set. */
  localResources: string[];
  mappedResources: string[];
}

/** A VM config as PVE stores it (`key → text`) with the digest that guards updates. */
export interface VmConfig {
  config: Record<string, string>;
  digest: string;
}

/** Config keys to set (property strings as PVE writes them) plus keys to remove. */
export type ConfigChanges = Record<string, string>;

export interface CloneOptions {
  newid: number;
  name?: string;
  /** Node the clone lands on (needs shared storage when it differs from the source's node). */
  target?: string;
  full?: boolean;
  storage?: string;
  description?: string;
  pool?: string;
}

export class QemuApi {
  constructor(private readonly t: PveTransport) {}

  list(node: string): Promise<VmSummary[]> {
    return this.t.request(
      z.array(vmSummarySchema),
      'GET',
      `/nodes/${seg(node)}/qemu`,
      {},
      { idempotent: true },
    );
  }

  /** The config (pending values applied, as PVE answers by default; `current` for the running values). */
  async config(node: string, vmid: number, options: { current?: boolean } = {}): Promise<VmConfig> {
    const raw = await this.t.request(
      z.record(z.string(), pveConfigValue),
      'GET',
      `/nodes/${seg(node)}/qemu/${vmid}/config`,
      { current: options.current },
      { idempotent: true },
    );
    const { digest = '', ...config } = raw;
    return { config, digest };
  }

  pending(node: string, vmid: number): Promise<PendingChange[]> {
    return this.t.request(
      pendingSchema,
      'GET',
      `/nodes/${seg(node)}/qemu/${vmid}/pending`,
      {},
      { idempotent: true },
    );
  }

  status(node: string, vmid: number): Promise<VmStatus> {
    return this.t.request(
      vmStatusSchema,
      'GET',
      `/nodes/${seg(node)}/qemu/${vmid}/status/current`,
      {},
      { idempotent: true },
    );
  }

  /** A fresh VM with the given config (`scsi0: 'local-lvm:32'` allocates a 32 GiB disk). */
  create(
    node: string,
    vmid: number,
    config: ConfigChanges,
    options: { start?: boolean } = {},
  ): Promise<Upid> {
    return this.t.request(
      upidSchema,
      'POST',
      `/nodes/${seg(node)}/qemu`,
      { vmid, ...config, start: options.start },
      { idempotent: false },
    );
  }

  clone(node: string, vmid: number, options: CloneOptions): Promise<Upid> {
    return this.t.request(
      upidSchema,
      'POST',
      `/nodes/${seg(node)}/qemu/${vmid}/clone`,
      {
        newid: options.newid,
        name: options.name,
        target: options.target,
        full: options.full,
        storage: options.storage,
        description: options.description,
        pool: options.pool,
      },
      { idempotent: false },
    );
  }

  /**
   * Sets and deletes config keys in one synchronous update. With `digest`, PVE refuses the
   * update if the config changed since it was read (PveHttpError.isDigestMismatch).
   */
  async updateConfig(
    node: string,
    vmid: number,
    changes: ConfigChanges,
    options: { digest?: string; delete?: string[] } = {},
  ): Promise<void> {
    await this.t.request(
      z.null(),
      'PUT',
      `/nodes/${seg(node)}/qemu/${vmid}/config`,
      {
        ...changes,
        delete: options.delete?.length ? options.delete.join(',') : undefined,
        digest: options.digest,
      },
      { idempotent: true },
    );
  }

  /** The asynchronous variant; answers with a task when PVE had to start one (e.g. allocating disks). */
  updateConfigAsync(
    node: string,
    vmid: number,
    changes: ConfigChanges,
    options: { digest?: string; delete?: string[] } = {},
  ): Promise<Upid | null> {
    return this.t.request(
      maybeUpidSchema,
      'POST',
      `/nodes/${seg(node)}/qemu/${vmid}/config`,
      {
        ...changes,
        delete: options.delete?.length ? options.delete.join(',') : undefined,
        digest: options.digest,
      },
      { idempotent: false },
    );
  }

  /** Grows a disk to an absolute size (`64G`); PVE cannot shrink disks. */
  resize(
    node: string,
    vmid: number,
    disk: string,
    size: string,
    options: { digest?: string } = {},
  ): Promise<Upid> {
    return this.t.request(
      upidSchema,
      'PUT',
      `/nodes/${seg(node)}/qemu/${vmid}/resize`,
      { disk, size, digest: options.digest },
      { idempotent: !size.startsWith('+') },
    );
  }

  /** Removes the VM and its disks (`purge` also drops it from backup jobs, HA and replication). */
  delete(
    node: string,
    vmid: number,
    options: { purge?: boolean; destroyUnreferencedDisks?: boolean } = {},
  ): Promise<Upid> {
    return this.t.request(
      upidSchema,
      'DELETE',
      `/nodes/${seg(node)}/qemu/${vmid}`,
      { purge: options.purge, 'destroy-unreferenced-disks': options.destroyUnreferencedDisks },
      { idempotent: false },
    );
  }

  start(node: string, vmid: number, options: { timeout?: number } = {}): Promise<Upid> {
    return this.t.request(
      upidSchema,
      'POST',
      `/nodes/${seg(node)}/qemu/${vmid}/status/start`,
      { timeout: options.timeout },
      { idempotent: false },
    );
  }

  /** ACPI shutdown; `forceStop` stops the VM if it has not shut down after `timeout` seconds. */
  shutdown(
    node: string,
    vmid: number,
    options: { timeout?: number; forceStop?: boolean } = {},
  ): Promise<Upid> {
    return this.t.request(
      upidSchema,
      'POST',
      `/nodes/${seg(node)}/qemu/${vmid}/status/shutdown`,
      { timeout: options.timeout, forceStop: options.forceStop },
      { idempotent: false },
    );
  }

  /** Hard stop (pulls the plug). */
  stop(node: string, vmid: number, options: { timeout?: number } = {}): Promise<Upid> {
    return this.t.request(
      upidSchema,
      'POST',
      `/nodes/${seg(node)}/qemu/${vmid}/status/stop`,
      { timeout: options.timeout },
      { idempotent: false },
    );
  }

  /** Reboot, applying pending changes. */
  reboot(node: string, vmid: number, options: { timeout?: number } = {}): Promise<Upid> {
    return this.t.request(
      upidSchema,
      'POST',
      `/nodes/${seg(node)}/qemu/${vmid}/status/reboot`,
      { timeout: options.timeout },
      { idempotent: false },
    );
  }

  /** What PVE says about migrating: allowed targets and what blocks the others. */
  async migrationPreconditions(node: string, vmid: number, target?: string): Promise<MigrationPreconditions> {
    const raw = await this.t.request(
      migrationSchema,
      'GET',
      `/nodes/${seg(node)}/qemu/${vmid}/migrate`,
      { target },
      { idempotent: true },
    );
    return {
      running: raw.running,
      allowedNodes: raw.allowed_nodes,
      notAllowedNodes: Object.fromEntries(
        Object.entries(raw.not_allowed_nodes).map(([name, info]) => [
          name,
          { unavailableStorages: info.unavailable_storages ?? [] },
        ]),
      ),
      localDisks: raw.local_disks.filter((d) => !d.cdrom).map((d) => d.volid),
      localResources: raw.local_resources,
      mappedResources: raw['mapped-resources'],
    };
  }

  migrate(
    node: string,
    vmid: number,
    options: { target: string; online?: boolean; withLocalDisks?: boolean; targetStorage?: string },
  ): Promise<Upid> {
    return this.t.request(
      upidSchema,
      'POST',
      `/nodes/${seg(node)}/qemu/${vmid}/migrate`,
      {
        target: options.target,
        online: options.online,
        'with-local-disks': options.withLocalDisks,
        targetstorage: options.targetStorage,
      },
      { idempotent: false },
    );
  }

  /**
   * Migrates after checking PVE's preconditions, so an impossible migration fails with the
   * reasons (PvePreconditionError) instead of a failed task: local devices, target not allowed,
   * a running VM without `online`.
   */
  async migrateChecked(
    node: string,
    vmid: number,
    options: { target: string; online?: boolean; withLocalDisks?: boolean },
  ): Promise<Upid> {
    const pre = await this.migrationPreconditions(node, vmid, options.target);
    const reasons: string[] = [];
    if (pre.localResources.length > 0)
      reasons.push(`VM ${vmid} uses local devices: ${pre.localResources.join(', ')}`);
    if (!pre.allowedNodes.includes(options.target)) {
      const storages = pre.notAllowedNodes[options.target]?.unavailableStorages ?? [];
      reasons.push(
        storages.length > 0
          ? `storages not available on ${options.target}: ${storages.join(', ')}`
          : `${options.target} is not an allowed target (offline, same node, or mapped devices missing there)`,
      );
    }
    if (pre.running && !options.online)
      reasons.push(`VM ${vmid} is running: pass online: true for a live migration`);
    if (pre.running && pre.mappedResources.length > 0)
      reasons.push(`mapped devices cannot be live-migrated: ${pre.mappedResources.join(', ')}`);
    if (reasons.length > 0)
      throw new PvePreconditionError('POST', `/nodes/${node}/qemu/${vmid}/migrate`, reasons);
    return this.migrate(node, vmid, {
      ...options,
      withLocalDisks: options.withLocalDisks ?? (pre.running && pre.localDisks.length > 0),
    });
  }
}
