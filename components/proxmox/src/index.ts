export { ProxmoxClient } from './client/proxmox-client.ts';
export {
  PveAuthError,
  PveError,
  PveHttpError,
  PveNetworkError,
  PvePreconditionError,
  PveResponseError,
  PveTaskFailedError,
  PveTimeoutError,
} from './client/errors.ts';
export {
  normalizeFingerprint,
  type ProxmoxClientOptions,
  type PveTlsOptions,
  type RequestEvent,
} from './client/transport.ts';
export {
  splitTags,
  type ClusterResource,
  type ClusterStatus,
  type GuestResource,
  type Quorum,
} from './client/cluster.ts';
export type { NodeStatus, NodeSummary } from './client/nodes.ts';
export type {
  CloneOptions,
  ConfigChanges,
  MigrationPreconditions,
  PendingChange,
  VmConfig,
  VmStatus,
  VmSummary,
} from './client/qemu.ts';
export type { ContainerSummary } from './client/lxc.ts';
export type { StorageConfig, StorageStatus } from './client/storage.ts';
export { isGpu, type PciDevice, type PciMapping, type PciMappingEntry } from './client/pci.ts';
export { cephFlags, type CephFlag, type CephStatus } from './client/ceph.ts';
export { nodeOfUpid, taskSucceeded, type TaskStatus, type TaskSummary } from './client/tasks.ts';
export type { Upid } from './client/wire-types.ts';

// Desired VMs: read the cluster, plan, render, apply.
export { readClusterSnapshot, type SnapshotOptions } from './vms/snapshot.ts';
export { planVms } from './vms/plan-vms.ts';
export { renderPlan, renderPlanSummary, planToJson } from './vms/render-plan.ts';
export {
  applyPlan,
  runStepDirectly,
  type ApplyOptions,
  type ApplyResult,
  type StepReport,
  type StepResult,
  type StepRunner,
  type VmApplyReport,
} from './vms/apply-plan.ts';
export { defaultIdentity, CREATING_MARKER, type IdentityOptions } from './vms/identity.ts';
export type {
  ClusterSnapshot,
  CreateAction,
  DeleteAction,
  DesiredHostVms,
  DiskResize,
  FieldChange,
  KeepAction,
  PlanIssue,
  PlanOptions,
  ReplaceAction,
  UnchangedAction,
  UpdateAction,
  VmAction,
  VmPlan,
  VmTarget,
} from './vms/types.ts';
