import {
  PveError,
  PveHttpError,
  PveNetworkError,
  PveTaskFailedError,
  PveTimeoutError,
} from '../client/errors.ts';
import type { ProxmoxClient } from '../client/proxmox-client.ts';
import { sleep } from '../client/transport.ts';
import { creatingDescription, hasCreatingMarker } from './identity.ts';
import { creationConfig, dataDisks, diffTarget } from './target.ts';
import type { CreateAction, DeleteAction, ReplaceAction, UpdateAction, VmPlan, VmTarget } from './types.ts';

/**
 * Runs one named step and returns its result. The default runs it; the backend plugs in its
 * persisted job steps so that a resumed apply returns stored results instead of running again.
 * Names are stable for a plan: `vm/<name>/<step>`.
 */
export type StepRunner = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export const runStepDirectly: StepRunner = (_name, fn) => fn();

export interface ApplyOptions {
  runStep?: StepRunner;
  /** VMs worked on at once on one node (default 2) and in all (default 8). */
  perNode?: number;
  concurrency?: number;
  /** Restart running VMs whose changes wait for a restart (default: they apply at the next restart). */
  restartWhenNeeded?: boolean;
  /** Tries per step for transient failures: lock timeouts, 5xx, failed tasks (default 4). */
  stepAttempts?: number;
  retryDelayMs?: number;
  log?: (line: string) => void;
  /**
   * Cancels the apply between steps: no step starts once it is aborted, a running step finishes
   * (PVE tasks are not abandoned half-way) but is not retried, and the rest are reported skipped.
   */
  signal?: AbortSignal;
}

export interface StepReport {
  step: string;
  /** skipped: an earlier step of the VM failed, or the apply was cancelled (detail says which). */
  status: 'done' | 'failed' | 'skipped';
  detail?: string;
}

export interface VmApplyReport {
  name: string;
  node: string;
  action: 'create' | 'update' | 'replace' | 'delete';
  /** cancelled: the apply was cancelled before all of this VM's steps ran; none failed. */
  status: 'done' | 'failed' | 'cancelled';
  steps: StepReport[];
}

export interface ApplyResult {
  ok: boolean;
  /** The signal was aborted: some steps were skipped, a new plan shows what is left. */
  cancelled: boolean;
  vms: VmApplyReport[];
}

export const SKIPPED_AFTER_FAILURE = 'an earlier step of this VM failed';
export const SKIPPED_AFTER_CANCEL = 'the apply was cancelled';

/** What a step returns (and a persisting StepRunner stores): a line for the log, and the VMID once known. */
export interface StepResult {
  detail: string;
  vmid?: number;
}

interface JobState {
  vmid: number | undefined;
}

type Step = { name: string; run: (state: JobState) => Promise<StepResult> };

interface Job {
  phase: 1 | 2;
  node: string;
  name: string;
  action: VmApplyReport['action'];
  steps: Step[];
}

/**
 * Applies a plan: deletions and updates first (they may free GPUs), then replacements and
 * creations; VMs in parallel (bounded per node), each VM's steps in order. Every step re-reads
 * the VM and does only what is still missing, so repeating a step or the whole apply is safe.
 * A failed step stops that VM's later steps; the report says what was and was not done.
 */
export async function applyPlan(
  pve: ProxmoxClient,
  plan: VmPlan,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  if (plan.errors.length > 0) {
    throw new Error(
      `the plan has ${plan.errors.length} error(s); fix them and plan again: ${plan.errors.map((e) => e.message).join('; ')}`,
    );
  }
  const ctx = new ApplyContext(pve, options);
  const signal = options.signal;
  const jobs = plan.actions.flatMap((action): Job[] => {
    switch (action.action) {
      case 'create':
        return [
          {
            phase: 2,
            node: action.node,
            name: action.name,
            action: 'create',
            steps: ctx.createSteps(action),
          },
        ];
      case 'replace':
        return [
          {
            phase: 2,
            node: action.node,
            name: action.name,
            action: 'replace',
            steps: ctx.replaceSteps(action),
          },
        ];
      case 'update':
        return [
          {
            phase: 1,
            node: action.node,
            name: action.name,
            action: 'update',
            steps: ctx.updateSteps(action),
          },
        ];
      case 'delete':
        return [
          {
            phase: 1,
            node: action.node,
            name: action.name,
            action: 'delete',
            steps: ctx.deleteSteps(action),
          },
        ];
      default:
        return [];
    }
  });

  const reports: VmApplyReport[] = [];
  for (const phase of [1, 2] as const) {
    const batch = jobs.filter((job) => job.phase === phase);
    const limiter = new NodeLimiter(options.concurrency ?? 8, options.perNode ?? 2);
    await Promise.all(
      batch.map((job) =>
        limiter.run(job.node, async () => {
          const steps: StepReport[] = [];
          const state: JobState = { vmid: undefined };
          let failed = false;
          let cancelled = false;
          for (const step of job.steps) {
            if (failed || cancelled || signal?.aborted) {
              cancelled ||= !failed;
              steps.push({
                step: step.name,
                status: 'skipped',
                detail: failed ? SKIPPED_AFTER_FAILURE : SKIPPED_AFTER_CANCEL,
              });
              continue;
            }
            try {
              const result = await ctx.runStep(step.name, () =>
                ctx.withRetries(step.name, () => step.run(state)),
              );
              if (result.vmid !== undefined) state.vmid = result.vmid;
              steps.push({ step: step.name, status: 'done', detail: result.detail });
            } catch (error) {
              // A step runner that refuses to start a step once cancelled (the backend's does) throws
              // the signal's reason: the step did not run, so it is skipped, not failed.
              if (signal?.aborted && error === signal.reason) {
                cancelled = true;
                steps.push({ step: step.name, status: 'skipped', detail: SKIPPED_AFTER_CANCEL });
                continue;
              }
              failed = true;
              steps.push({
                step: step.name,
                status: 'failed',
                detail: error instanceof Error ? error.message : String(error),
              });
              ctx.log(`${step.name}: failed: ${error instanceof Error ? error.message : String(error)}`);
            }
          }
          reports.push({
            name: job.name,
            node: job.node,
            action: job.action,
            status: failed ? 'failed' : cancelled ? 'cancelled' : 'done',
            steps,
          });
        }),
      ),
    );
  }
  reports.sort((a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name));
  return {
    ok: reports.every((r) => r.status === 'done'),
    cancelled: signal?.aborted ?? false,
    vms: reports,
  };
}

class ApplyContext {
  readonly runStep: StepRunner;
  private readonly reserved = new Set<number>();
  private vmidQueue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pve: ProxmoxClient,
    private readonly options: ApplyOptions,
  ) {
    this.runStep = options.runStep ?? runStepDirectly;
  }

  log(line: string): void {
    this.options.log?.(line);
  }

  /** Transient failures are retried; each step checks the VM first, so a retry never doubles work. */
  async withRetries(name: string, run: () => Promise<StepResult>): Promise<StepResult> {
    const attempts = this.options.stepAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await run();
        this.log(`${name}: ${result.detail}`);
        return result;
      } catch (error) {
        if (attempt >= attempts || !isTransient(error)) throw error;
        const message = error instanceof Error ? error.message : String(error);
        const notAgain = () => new Error(`${message} (not tried again: the apply was cancelled)`);
        if (this.options.signal?.aborted) throw notAgain();
        this.log(`${name}: attempt ${attempt} failed (${message}), trying again`);
        await sleep((this.options.retryDelayMs ?? 500) * attempt);
        if (this.options.signal?.aborted) throw notAgain();
      }
    }
  }

  createSteps(action: CreateAction, prefix = `vm/${action.name}`): Step[] {
    const vmidOf = (state: JobState) => {
      if (state.vmid === undefined) throw new Error(`${prefix}: no VMID yet`);
      return state.vmid;
    };
    return [
      {
        name: `${prefix}/vmid`,
        run: async () => {
          const vmid = await this.allocateVmid(action);
          return { detail: `VMID ${vmid}`, vmid };
        },
      },
      {
        name: `${prefix}/create`,
        run: async (state) => {
          const { vmid, found } = await this.createVm(action, vmidOf(state));
          return { detail: found ? `found VMID ${vmid} from an earlier run` : `created VMID ${vmid}`, vmid };
        },
      },
      { name: `${prefix}/configure`, run: (state) => this.configure(action.target, vmidOf(state)) },
      { name: `${prefix}/resize`, run: (state) => this.resize(action.target, vmidOf(state)) },
      { name: `${prefix}/start`, run: (state) => this.ensureRunning(action.target, vmidOf(state)) },
    ];
  }

  updateSteps(action: UpdateAction): Step[] {
    const prefix = `vm/${action.name}`;
    const steps: Step[] = [];
    if (action.migrateFrom) steps.push({ name: `${prefix}/migrate`, run: () => this.migrate(action) });
    steps.push(
      { name: `${prefix}/configure`, run: () => this.configure(action.target, action.vmid) },
      { name: `${prefix}/resize`, run: () => this.resize(action.target, action.vmid) },
    );
    if (this.options.restartWhenNeeded)
      steps.push({ name: `${prefix}/restart`, run: () => this.restartIfPending(action.target, action.vmid) });
    steps.push({ name: `${prefix}/start`, run: () => this.ensureRunning(action.target, action.vmid) });
    return steps;
  }

  deleteSteps(action: DeleteAction | ReplaceAction, prefix = `vm/${action.name}`): Step[] {
    return [
      { name: `${prefix}/stop`, run: () => this.ensureStopped(action.node, action.vmid) },
      { name: `${prefix}/delete`, run: () => this.destroy(action.node, action.vmid) },
    ];
  }

  replaceSteps(action: ReplaceAction): Step[] {
    return [...this.deleteSteps(action, `vm/${action.name}/old`), ...this.createSteps(action.create)];
  }

  /** The declared VMID, or the next free one; calls are serialized so parallel creations never collide. */
  private allocateVmid(action: CreateAction): Promise<number> {
    if (action.vmid !== undefined) return Promise.resolve(action.vmid);
    const next = this.vmidQueue.then(async () => {
      let candidate = await this.pve.cluster.nextId();
      for (;;) {
        while (this.reserved.has(candidate)) candidate++;
        try {
          candidate = await this.pve.cluster.nextId(candidate);
          break;
        } catch (error) {
          if (!(error instanceof PveHttpError && error.status === 400)) throw error;
          candidate++;
        }
      }
      this.reserved.add(candidate);
      return candidate;
    });
    this.vmidQueue = next.catch(() => undefined);
    return next;
  }

  /** Clones or creates the VM unless an earlier run already did (same VMID, or the same name marked by Skyy). */
  private async createVm(action: CreateAction, vmid: number): Promise<{ vmid: number; found: boolean }> {
    const guests = await this.pve.cluster.guests();
    const sameName = guests.filter((g) => g.type === 'qemu' && g.name === action.name && !g.template);
    for (const guest of sameName) {
      const { config } = await this.pve.qemu.config(guest.node, guest.vmid);
      if (
        guest.vmid === vmid ||
        hasCreatingMarker(config.description, action.name) ||
        config.tags?.includes('skyy-created')
      ) {
        await this.waitUnlocked(guest.node, guest.vmid);
        return { vmid: guest.vmid, found: true };
      }
    }
    const holder = guests.find((g) => g.vmid === vmid);
    if (holder)
      throw new PveError(
        'POST',
        `/nodes/${action.node}/qemu`,
        undefined,
        undefined,
        `VMID ${vmid} is already used by ${holder.name || holder.type} on ${holder.node}`,
      );

    if (action.source.kind === 'clone') {
      const { template, full, storage } = action.source;
      await this.pve.run(
        this.pve.qemu.clone(template.node, template.vmid, {
          newid: vmid,
          name: action.name,
          target: action.node !== template.node ? action.node : undefined,
          full,
          storage,
          description: creatingDescription(action.name),
        }),
      );
    } else {
      await this.pve.run(
        this.pve.qemu.create(action.node, vmid, creationConfig(action.target, action.source.iso)),
      );
    }
    return { vmid, found: false };
  }

  /** Waits while a clone or migration of an earlier run still holds the VM's lock. */
  private async waitUnlocked(node: string, vmid: number): Promise<void> {
    for (let i = 0; i < 600; i++) {
      const { config } = await this.pve.qemu.config(node, vmid);
      if (!config.lock || config.lock === 'destroyed') return;
      await sleep(500);
    }
    throw new PveError(
      'GET',
      `/nodes/${node}/qemu/${vmid}/config`,
      undefined,
      undefined,
      `VM ${vmid} stays locked`,
    );
  }

  private async nodeOf(vmid: number, fallback: string): Promise<string> {
    const guest = (await this.pve.cluster.guests()).find((g) => g.vmid === vmid);
    return guest?.node ?? fallback;
  }

  /** Reads, diffs and writes with the digest; a concurrent edit is re-read and re-planned, never overwritten. */
  private async configure(target: VmTarget, vmid: number): Promise<StepResult> {
    for (let round = 1; round <= 5; round++) {
      const { config, digest } = await this.pve.qemu.config(target.node, vmid);
      const status = await this.pve.qemu.status(target.node, vmid);
      const withoutMarker =
        hasCreatingMarker(config.description, target.name) && !('description' in target.config);
      const diff = diffTarget(
        { ...target, absent: [...target.absent, ...(withoutMarker ? ['description'] : [])] },
        config,
        status.status === 'running',
      );
      if (diff.changes.length === 0) return { detail: 'config already as declared' };
      const set = Object.fromEntries(
        diff.changes.filter((c) => c.to !== undefined).map((c) => [c.key, c.to as string]),
      );
      const remove = diff.changes.filter((c) => c.to === undefined).map((c) => c.key);
      try {
        await this.pve.qemu.updateConfig(target.node, vmid, set, { digest, delete: remove });
        return { detail: `set ${diff.changes.map((c) => c.key).join(', ')}` };
      } catch (error) {
        if (error instanceof PveHttpError && error.isDigestMismatch && round < 5) {
          this.log(`vm/${target.name}/configure: the config changed meanwhile; reading it again`);
          continue;
        }
        throw error;
      }
    }
    throw new Error('unreachable');
  }

  private async resize(target: VmTarget, vmid: number): Promise<StepResult> {
    const { config } = await this.pve.qemu.config(target.node, vmid);
    const have = new Map(dataDisks(config).map((d) => [d.slot, d.sizeGiB]));
    const grown: string[] = [];
    for (const disk of target.disks) {
      const size = have.get(disk.slot);
      if (size !== undefined && size < disk.sizeGiB) {
        await this.pve.run(this.pve.qemu.resize(target.node, vmid, disk.slot, `${disk.sizeGiB}G`));
        grown.push(`${disk.slot} to ${disk.sizeGiB}G`);
      }
    }
    return { detail: grown.length > 0 ? `grew ${grown.join(', ')}` : 'disks already large enough' };
  }

  private async ensureRunning(target: VmTarget, vmid: number): Promise<StepResult> {
    if (!target.start) return { detail: 'power state left alone (start: false)' };
    const status = await this.pve.qemu.status(target.node, vmid);
    if (status.status === 'running') return { detail: 'already running' };
    await this.pve.run(this.pve.qemu.start(target.node, vmid));
    return { detail: 'started' };
  }

  private async restartIfPending(target: VmTarget, vmid: number): Promise<StepResult> {
    const status = await this.pve.qemu.status(target.node, vmid);
    if (status.status !== 'running') return { detail: 'not running; changes apply at start' };
    const pending = (await this.pve.qemu.pending(target.node, vmid)).filter(
      (p) => p.pending !== undefined || p.delete,
    );
    if (pending.length === 0) return { detail: 'nothing pending' };
    await this.pve.run(this.pve.qemu.reboot(target.node, vmid));
    return { detail: `restarted to apply ${pending.map((p) => p.key).join(', ')}` };
  }

  private async migrate(action: UpdateAction): Promise<StepResult> {
    const node = await this.nodeOf(action.vmid, action.migrateFrom ?? action.node);
    if (node === action.node) return { detail: `already on ${action.node}` };
    const status = await this.pve.qemu.status(node, action.vmid);
    await this.pve.run(
      this.pve.qemu.migrateChecked(node, action.vmid, {
        target: action.node,
        online: status.status === 'running',
      }),
    );
    return { detail: `migrated from ${node} to ${action.node}` };
  }

  private async ensureStopped(fallbackNode: string, vmid: number): Promise<StepResult> {
    const guest = (await this.pve.cluster.guests()).find((g) => g.vmid === vmid);
    if (!guest) return { detail: 'already gone' };
    if (guest.status !== 'running') return { detail: 'already stopped' };
    await this.pve.run(this.pve.qemu.stop(guest.node ?? fallbackNode, vmid));
    return { detail: 'stopped' };
  }

  private async destroy(fallbackNode: string, vmid: number): Promise<StepResult> {
    const guest = (await this.pve.cluster.guests()).find((g) => g.vmid === vmid);
    if (!guest) return { detail: 'already gone' };
    await this.pve.run(
      this.pve.qemu.delete(guest.node ?? fallbackNode, vmid, { purge: true, destroyUnreferencedDisks: true }),
    );
    return { detail: `deleted VMID ${vmid}` };
  }
}

function isTransient(error: unknown): boolean {
  if (error instanceof PveHttpError) return error.status >= 500 && !error.isDigestMismatch;
  return (
    error instanceof PveTaskFailedError ||
    error instanceof PveNetworkError ||
    error instanceof PveTimeoutError
  );
}

/** At most `total` jobs at once, and at most `perNode` on one node. */
class NodeLimiter {
  private running = 0;
  private readonly perNodeRunning = new Map<string, number>();
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly total: number,
    private readonly perNode: number,
  ) {}

  async run<T>(node: string, fn: () => Promise<T>): Promise<T> {
    while (this.running >= this.total || (this.perNodeRunning.get(node) ?? 0) >= this.perNode) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    this.perNodeRunning.set(node, (this.perNodeRunning.get(node) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      this.running--;
      this.perNodeRunning.set(node, (this.perNodeRunning.get(node) ?? 1) - 1);
      for (const wake of this.waiting.splice(0)) wake();
    }
  }
}
