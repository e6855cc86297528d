import { Inject, Injectable } from '@nestjs/common';
import {
  hostFileSchema,
  parseYamlWith,
  type ClusterApply,
  type ClusterApplyRequest,
  type ClusterDrift,
  type ClusterPlan,
  type ClusterPlanRequest,
  type VmPlanJson,
} from '@skyy/contracts';
import {
  planToJson,
  planVms,
  readClusterSnapshot,
  renderPlan,
  type DesiredHostVms,
  type ProxmoxClient,
  type VmPlan,
} from '@skyy/proxmox';
import { z } from 'zod';
import {
  Conflict,
  UnprocessableContent,
  ValidationFailed,
  type FieldError,
} from '../../core/errors/problems.ts';
import type { Caller } from '../../core/http/caller.ts';
import { JobQueue } from '../../core/queue/index.ts';
import { AuditService } from '../audit/audit.service.ts';
import { ClusterInventoryRepository } from './cluster-inventory.repository.ts';
import { ProxmoxConnections } from './proxmox-connection.ts';

export const CLUSTER_APPLY_JOB = 'cluster.apply';

/** What an apply job carries: the files themselves (no secrets), so a resumed job plans the same input. */
export const applyPayloadSchema = z.object({
  clusterId: z.uuid(),
  files: z.array(z.object({ name: z.string(), content: z.string() })).min(1),
  allowDelete: z.boolean(),
  confirmDeletes: z.boolean(),
  restartWhenNeeded: z.boolean(),
});
export type ApplyPayload = z.infer<typeof applyPayloadSchema>;

/**
 * Desired VMs from host files: each file's hostname is a node; a file without `vms:` does not
 * manage VMs (its node is left alone), `vms: []` means "no Skyy VMs here". Invalid files are a
 * 422 whose errors read `file:line:column` → `path: message`.
 */
export function desiredFromFiles(files: { name: string; content: string }[]): DesiredHostVms[] {
  const errors: FieldError[] = [];
  const desired: DesiredHostVms[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const parsed = parseYamlWith(hostFileSchema, file.content, file.name);
    if (!parsed.ok) {
      for (const issue of parsed.issues)
        errors.push({
          path: `${file.name}:${issue.line}:${issue.column}`,
          message: issue.path ? `${issue.path}: ${issue.message}` : issue.message,
        });
      continue;
    }
    const node = parsed.value.hostname;
    const other = seen.get(node.toLowerCase());
    if (other) {
      errors.push({ path: `${file.name}:1:1`, message: `hostname: ${node} is also defined in ${other}` });
      continue;
    }
    seen.set(node.toLowerCase(), file.name);
    if (parsed.value.vms !== undefined) desired.push({ node, file: file.name, vms: parsed.value.vms });
  }
  if (errors.length > 0)
    throw new UnprocessableContent(
      `${new Set(errors.map((e) => e.path.split(':')[0])).size} file(s) are invalid; nothing was planned.`,
      errors,
    );
  return desired;
}

export async function planCluster(
  pve: ProxmoxClient,
  desired: DesiredHostVms[],
  allowDelete: boolean,
): Promise<VmPlan> {
  return planVms(desired, await readClusterSnapshot(pve, desired), { allowDelete });
}

export function describePlan(clusterId: string, plan: VmPlan): ClusterPlan {
  const s = plan.summary;
  return {
    clusterId,
    plan: JSON.parse(planToJson(plan)) as VmPlanJson,
    rendered: renderPlan(plan),
    hasChanges: s.create + s.update + s.replace + s.delete > 0,
    deletes: s.delete + s.replace > 0,
  };
}

/** The VMs a plan destroys (deleted or replaced), for messages. */
export const destroyedVms = (plan: VmPlan) =>
  plan.actions.filter((a) => a.action === 'delete' || a.action === 'replace').map((a) => a.name);

/** Plans declared VMs against a cluster and starts apply jobs. */
@Injectable()
export class VmPlansService {
  constructor(
    @Inject(ProxmoxConnections) private readonly connections: ProxmoxConnections,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(ClusterInventoryRepository) private readonly inventory: ClusterInventoryRepository,
  ) {}

  /**
   * Drift for the console's host and VM pages: the `vms:` of the hosts linked to this cluster
   * (their imported YAML) planned against the cluster, without deletions. Read only.
   */
  async drift(clusterId: string): Promise<ClusterDrift> {
    const stored = await this.inventory.hostFiles(clusterId);
    const desired = stored.length ? desiredFromFiles(stored) : [];
    const plan = await this.connections.with(clusterId, (pve) => planCluster(pve, desired, false));
    return { ...describePlan(clusterId, plan), files: desired.map((d) => d.file ?? d.node) };
  }

  async plan(caller: Caller, clusterId: string, request: ClusterPlanRequest): Promise<ClusterPlan> {
    const desired = desiredFromFiles(request.files);
    const plan = await this.connections.with(clusterId, (pve) =>
      planCluster(pve, desired, request.allowDelete),
    );
    await this.audit.record(
      caller,
      'cluster.plan',
      { type: 'cluster', id: clusterId },
      {
        files: request.files.map((f) => f.name),
        allowDelete: request.allowDelete,
        summary: plan.summary,
        errors: plan.errors.length,
      },
    );
    return describePlan(clusterId, plan);
  }

  /**
   * Plans, refuses what cannot be applied (plan errors: 422; deletions without confirmDeletes:
   * 400), then starts `cluster.apply`. Nothing to change: no job (jobId null). One apply per
   * cluster at a time: a second one while another runs is a 409.
   */
  async apply(caller: Caller, clusterId: string, request: ClusterApplyRequest): Promise<ClusterApply> {
    const desired = desiredFromFiles(request.files);
    const plan = await this.connections.with(clusterId, (pve) =>
      planCluster(pve, desired, request.allowDelete),
    );
    const described = describePlan(clusterId, plan);
    if (plan.errors.length > 0)
      throw new UnprocessableContent(
        'The plan has errors; nothing can be applied until they are fixed.',
        plan.errors.map((e) => ({ path: e.vm ?? e.node ?? '', message: e.message })),
      );
    if (described.deletes && !request.confirmDeletes)
      throw new ValidationFailed(
        [
          {
            path: 'body.confirmDeletes',
            message: `must be true: the plan destroys ${destroyedVms(plan).join(', ')}`,
          },
        ],
        'The plan deletes or replaces VMs; confirm with confirmDeletes: true.',
      );
    await this.audit.record(
      caller,
      'cluster.apply',
      { type: 'cluster', id: clusterId },
      {
        files: request.files.map((f) => f.name),
        allowDelete: request.allowDelete,
        confirmDeletes: request.confirmDeletes,
        summary: plan.summary,
      },
    );
    if (!described.hasChanges) return { jobId: null, plan: described };
    const payload: ApplyPayload = {
      clusterId,
      files: request.files,
      allowDelete: request.allowDelete,
      confirmDeletes: request.confirmDeletes,
      restartWhenNeeded: request.restartWhenNeeded,
    };
    const job = await this.jobs.enqueue(caller, CLUSTER_APPLY_JOB, payload, {
      customerId: null,
      dedupeKey: `cluster.apply:${clusterId}`,
    });
    if (stableJson(job.payload) !== stableJson(payload))
      throw new Conflict(
        `Another apply on this cluster is still running (job ${job.id}); wait for it to end.`,
      );
    return { jobId: job.id, plan: described };
  }
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
