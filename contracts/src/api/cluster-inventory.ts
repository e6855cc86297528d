import * as z from 'zod';
import { idSchema, isoDateTime, pageQueryShape, pageSchema } from './common.ts';

/**
 * What a Proxmox cluster sync stores (nodes, guests, storages, GPUs, quorum and Ceph health)
 * and the plan/apply requests of declared VMs. Read by the console's Clusters and Plan pages.
 */

export const clusterNodeSchema = z.object({
  id: idSchema,
  clusterId: idSchema,
  name: z.string(),
  status: z.string(),
  online: z.boolean(),
  /** Share of the node's CPUs in use, 0–1. */
  cpuUsage: z.number().nullable(),
  maxCpu: z.number().int(),
  memoryUsedBytes: z.number(),
  memoryTotalBytes: z.number(),
  uptimeSeconds: z.number(),
  ip: z.string().nullable(),
  /** The inventory host matched to this node (same hostname, or its Tailscale hostname). */
  hostId: idSchema.nullable(),
  hostname: z.string().nullable(),
  syncedAt: isoDateTime,
});
export type ClusterNode = z.infer<typeof clusterNodeSchema>;
export const clusterNodeListSchema = z.object({ items: z.array(clusterNodeSchema) });

export const guestDiskSchema = z.object({
  slot: z.string(),
  storage: z.string().nullable(),
  volume: z.string(),
  sizeGiB: z.number().nullable(),
});
export const guestNicSchema = z.object({
  slot: z.string(),
  model: z.string().nullable(),
  mac: z.string().nullable(),
  bridge: z.string().nullable(),
  vlan: z.number().int().nullable(),
});
export const guestGpuSchema = z.object({
  slot: z.string(),
  /** Raw PCI address (`0000:01:00`) or null when passed through a mapping. */
  pci: z.string().nullable(),
  mapping: z.string().nullable(),
});

export const clusterGuestSchema = z.object({
  id: idSchema,
  clusterId: idSchema,
  vmid: z.number().int(),
  type: z.enum(['qemu', 'lxc']),
  node: z.string(),
  name: z.string(),
  status: z.string(),
  template: z.boolean(),
  cores: z.number().int().nullable(),
  memoryMiB: z.number().int().nullable(),
  tags: z.array(z.string()),
  disks: z.array(guestDiskSchema),
  nics: z.array(guestNicSchema),
  gpus: z.array(guestGpuSchema),
  cpuUsage: z.number().nullable(),
  uptimeSeconds: z.number(),
  syncedAt: isoDateTime,
});
export type ClusterGuest = z.infer<typeof clusterGuestSchema>;

export const clusterGuestListQuerySchema = z.strictObject({
  ...pageQueryShape,
  sort: z.enum(['vmid', 'name']).default('vmid'),
  node: z.string().max(100).optional(),
  status: z.string().max(50).optional(),
  type: z.enum(['qemu', 'lxc']).optional(),
});
export type ClusterGuestListQuery = z.output<typeof clusterGuestListQuerySchema>;
export const clusterGuestPageSchema = pageSchema(clusterGuestSchema);

export const clusterStorageSchema = z.object({
  id: idSchema,
  clusterId: idSchema,
  storage: z.string(),
  node: z.string(),
  type: z.string().nullable(),
  content: z.array(z.string()),
  shared: z.boolean(),
  status: z.string().nullable(),
  totalBytes: z.number(),
  usedBytes: z.number(),
});
export type ClusterStorage = z.infer<typeof clusterStorageSchema>;
export const clusterStorageListSchema = z.object({ items: z.array(clusterStorageSchema) });

export const clusterGpuSchema = z.object({
  id: idSchema,
  clusterId: idSchema,
  node: z.string(),
  /** The device with all its functions: `0000:01:00`. */
  pciId: z.string(),
  name: z.string(),
  vendorId: z.string(),
  deviceId: z.string(),
  /** PCI mappings (Datacenter → Resource Mappings) that include this device on its node. */
  mappings: z.array(z.string()),
  /**
   * The VM that holds the GPU. `via: 'pci'`: its config names the device (running or not).
   * `via: 'mapping'`: it runs with a PCI mapping that has no other free device on the node.
   */
  usedBy: z.object({ vmid: z.number().int(), name: z.string(), via: z.enum(['pci', 'mapping']) }).nullable(),
  /**
   * Running VMs that pass a PCI mapping holding this device among `candidates` free devices of
   * the mapping on the node: each holds one of them, and PVE does not report which.
   */
  maybeUsedBy: z.array(
    z.object({
      vmid: z.number().int(),
      name: z.string(),
      mapping: z.string(),
      candidates: z.number().int(),
    }),
  ),
});
export type ClusterGpu = z.infer<typeof clusterGpuSchema>;
export const clusterGpuListSchema = z.object({ items: z.array(clusterGpuSchema) });

/**
 * One guest for the console's VM page: the stored guest and the node's GPUs it holds (`usedBy`)
 * or may hold (`maybeUsedBy`, through a PCI mapping), attributed as the GPUs list does.
 */
export const clusterGuestDetailSchema = z.object({
  guest: clusterGuestSchema,
  gpus: z.array(clusterGpuSchema),
});
export type ClusterGuestDetail = z.infer<typeof clusterGuestDetailSchema>;

export const clusterSyncStatusSchema = z.object({
  clusterId: idSchema,
  /** `never` until the first sync ends. */
  lastSync: z.enum(['never', 'ok', 'failed']),
  lastSyncAt: isoDateTime.nullable(),
  lastSyncError: z.string().nullable(),
  lastSyncJobId: idSchema.nullable(),
  clusterName: z.string().nullable(),
  quorum: z.object({ quorate: z.boolean(), online: z.number().int(), total: z.number().int() }).nullable(),
  ceph: z
    .object({
      health: z.string(),
      checks: z.array(z.object({ name: z.string(), severity: z.string(), message: z.string() })),
    })
    .nullable(),
  counts: z.object({
    nodes: z.number().int(),
    guests: z.number().int(),
    storages: z.number().int(),
    gpus: z.number().int(),
  }),
});
export type ClusterSyncStatus = z.infer<typeof clusterSyncStatusSchema>;

/** Host YAML files (the user's format, with `vms:`), as `skyy hosts import` sends them. */
const desiredFilesShape = {
  files: z
    .array(z.strictObject({ name: z.string().min(1).max(255), content: z.string().max(1_000_000) }))
    .min(1)
    .max(1000),
  /** Delete Skyy-created VMs no file declares anymore (and allow replacements). */
  allowDelete: z.boolean().default(false),
};

export const clusterPlanRequestSchema = z.strictObject(desiredFilesShape);
export type ClusterPlanRequest = z.output<typeof clusterPlanRequestSchema>;

export const clusterApplyRequestSchema = z.strictObject({
  ...desiredFilesShape,
  /** Required when the plan deletes or replaces VMs: the caller saw the deletions. */
  confirmDeletes: z.boolean().default(false),
  /** Restart running VMs whose changes wait for a restart (default: next restart). */
  restartWhenNeeded: z.boolean().default(false),
});
export type ClusterApplyRequest = z.output<typeof clusterApplyRequestSchema>;

const planIssueSchema = z.object({
  vm: z.string().nullable().optional(),
  node: z.string().nullable().optional(),
  message: z.string(),
});

/** `planToJson` of @skyy/proxmox: actions keep every detail (changes, target config, …). */
export const vmPlanSchema = z.object({
  actions: z.array(
    z.looseObject({
      action: z.enum(['create', 'update', 'replace', 'delete', 'keep', 'unchanged']),
      name: z.string(),
      node: z.string(),
    }),
  ),
  errors: z.array(planIssueSchema),
  warnings: z.array(planIssueSchema),
  summary: z.object({
    create: z.number().int(),
    update: z.number().int(),
    replace: z.number().int(),
    delete: z.number().int(),
    keep: z.number().int(),
    unchanged: z.number().int(),
  }),
});
export type VmPlanJson = z.infer<typeof vmPlanSchema>;

export const clusterPlanSchema = z.object({
  clusterId: idSchema,
  plan: vmPlanSchema,
  /** The plan as Terraform-like text. */
  rendered: z.string(),
  hasChanges: z.boolean(),
  /** Deletions or replacements: apply needs `confirmDeletes: true`. */
  deletes: z.boolean(),
});
export type ClusterPlan = z.infer<typeof clusterPlanSchema>;

/** The declared VMs of the cluster's hosts (their imported YAML) compared with the cluster. */
export const clusterDriftSchema = clusterPlanSchema.extend({
  /** Source files of the hosts linked to the cluster whose YAML declares `vms:`. */
  files: z.array(z.string()),
});
export type ClusterDrift = z.infer<typeof clusterDriftSchema>;

export const clusterApplySchema = z.object({
  /** The `cluster.apply` job to follow (GET /api/v1/jobs/:id/logs); null when nothing changes. */
  jobId: idSchema.nullable(),
  plan: clusterPlanSchema,
});
export type ClusterApply = z.infer<typeof clusterApplySchema>;

export const clusterSyncStartSchema = z.object({ jobId: idSchema });
