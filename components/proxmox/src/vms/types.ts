import type { DesiredVm } from '@skyy/contracts';
import type { GuestResource } from '../client/cluster.ts';
import type { PciDevice, PciMapping } from '../client/pci.ts';
import type { VmConfig } from '../client/qemu.ts';

/** The desired VMs of one host file: the file's hostname is the Proxmox node. */
export interface DesiredHostVms {
  node: string;
  /** For messages: `desired_state/hosts/pve1.yaml`. */
  file?: string;
  vms: DesiredVm[];
}

/** What the planner knows about the cluster; read by readClusterSnapshot, plain data (JSON-safe). */
export interface ClusterSnapshot {
  nodes: { name: string; online: boolean }[];
  guests: GuestResource[];
  /** VM configs by VMID, for the VMs the plan needs to look into. */
  configs: Record<string, VmConfig>;
  /** PCI devices by node, for nodes where desired VMs ask for GPUs. */
  pciDevices: Record<string, PciDevice[]>;
  mappings: PciMapping[];
  storages: { storage: string; node: string; shared: boolean }[];
}

export interface PlanOptions {
  /** Delete Skyy-created VMs that are no longer declared (and allow replacements). */
  allowDelete?: boolean;
  managedTag?: string;
  createdTag?: string;
}

/** One config key that changes: `from` undefined = added, `to` undefined = removed. */
export interface FieldChange {
  key: string;
  from: string | undefined;
  to: string | undefined;
  /** The VM runs and the change waits for a restart. */
  rebootRequired: boolean;
}

export interface DiskResize {
  disk: string;
  fromGiB: number;
  toGiB: number;
}

/** Everything Skyy manages on one VM, resolved (GPUs chosen) and in PVE's terms. */
export interface VmTarget {
  name: string;
  node: string;
  /** Managed keys → the value they must have. */
  config: Record<string, string>;
  /** Keys that must not exist (NICs, GPUs and cloud-init lines beyond the declared ones). */
  absent: string[];
  /** Declared disks: created when missing, grown when smaller. */
  disks: { slot: string; storage: string; sizeGiB: number }[];
  /** Storage for a cloud-init drive, when one is needed and missing. */
  cloudInitStorage: string | undefined;
  start: boolean;
  protect: boolean;
}

export type CreateSource =
  | {
      kind: 'clone';
      template: { vmid: number; node: string; name: string };
      full: boolean;
      storage: string | undefined;
    }
  | { kind: 'fresh'; iso: string | undefined };

export interface CreateAction {
  action: 'create';
  name: string;
  node: string;
  /** Fixed VMID, else assigned at apply from /cluster/nextid. */
  vmid: number | undefined;
  source: CreateSource;
  target: VmTarget;
}

export interface UpdateAction {
  action: 'update';
  name: string;
  node: string;
  vmid: number;
  /** The VM is on another node and is migrated first. */
  migrateFrom: string | undefined;
  running: boolean;
  changes: FieldChange[];
  resizes: DiskResize[];
  /** Start a stopped VM that should run. */
  powerOn: boolean;
  rebootRequired: boolean;
  target: VmTarget;
}

export interface ReplaceAction {
  action: 'replace';
  name: string;
  node: string;
  vmid: number;
  running: boolean;
  reasons: string[];
  create: CreateAction;
}

export interface DeleteAction {
  action: 'delete';
  name: string;
  node: string;
  vmid: number;
  running: boolean;
}

/** A Skyy VM that is no longer declared but stays: deletion not allowed, adopted, or protected. */
export interface KeepAction {
  action: 'keep';
  name: string;
  node: string;
  vmid: number;
  reason: string;
}

export interface UnchangedAction {
  action: 'unchanged';
  name: string;
  node: string;
  vmid: number;
}

export type VmAction =
  CreateAction | UpdateAction | ReplaceAction | DeleteAction | KeepAction | UnchangedAction;

export interface PlanIssue {
  vm: string | undefined;
  node: string | undefined;
  message: string;
}

export interface VmPlan {
  actions: VmAction[];
  /** Problems that make the plan unsafe to apply (GPU conflicts, ambiguous names, …). */
  errors: PlanIssue[];
  warnings: PlanIssue[];
  summary: {
    create: number;
    update: number;
    replace: number;
    delete: number;
    keep: number;
    unchanged: number;
  };
}
