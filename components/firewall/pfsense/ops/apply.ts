import { setTimeout as sleep } from 'node:timers/promises';
import { applyChanges, getApplyStatus, type ApplySubsystem } from '../api/apply.ts';
import type { PfSenseClient } from '../api/client.ts';
import { isIndeterminate, PfSenseError, PfSenseHttpError, PfSenseValidationError } from '../api/errors.ts';
import { isManagedDescription } from '../lib/descriptions.ts';
import { interfaceResolver, readFirewallState } from './firewall-state.ts';
import type { DesiredState } from './generate-config.ts';
import { withFirewallLock } from './lock.ts';
import { objectOps, locatorValueOf, type FoundObject, type ObjectOps } from './object-ops.ts';
import { diffFields, isEmptyPlan, planFirewall, type Plan, type PlannedChange } from './plan.ts';

/**
 * Makes a firewall match the desired state, safely on a real pfSense:
 * - all writes to one firewall are serialized (the client queues them; this lock keeps two syncs
 *   from interleaving);
 * - an update or delete first re-reads the object by its stable key (ids shift) and writes only if
 *   it is still there, still managed and still different;
 * - deletes go from the highest index down; a write whose outcome is unknown (5xx, timeout) is
 *   re-read before it is tried again, so nothing is applied twice;
 * - after the writes the firewall is planned again: objects lost to a concurrent write, or left
 *   over from a crash, are fixed in another round, until a plan is empty;
 * - one apply call per touched subsystem at the very end.
 * Every step runs through a `StepRunner`, so a job system can persist each step's result and a
 * crashed sync resumes where it stopped instead of starting over.
 */

/** Runs a named, idempotent step; a persisting runner returns the stored result of a finished step. */
export type StepRunner = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export const runStepsDirectly: StepRunner = (_name, fn) => fn();

export interface SyncLogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  step?: string;
}

export interface SyncOptions {
  client: PfSenseClient;
  desired: DesiredState;
  runner?: StepRunner;
  log?: (entry: SyncLogEntry) => void;
  /** Plan-and-write rounds before giving up on convergence. Default 4. */
  maxRounds?: number;
  /** Attempts per write when its outcome is unknown. Default 4. */
  writeAttempts?: number;
  /** Pause before re-reading after an unknown outcome, times the attempt. Default 250 ms. */
  retryDelayMs?: number;
}

export type StepOutcome =
  | { outcome: 'created' | 'updated' | 'deleted'; id: number }
  | { outcome: 'unchanged' | 'gone' | 'skipped'; reason: string }
  | { outcome: 'failed'; message: string; responseId?: string };

export interface StepRecord {
  step: string;
  action: PlannedChange['action'];
  kind: PlannedChange['kind'];
  key: string;
  result: StepOutcome;
}

export interface SyncReport {
  site: string;
  firstPlan: Plan;
  finalPlan: Plan;
  converged: boolean;
  rounds: number;
  steps: StepRecord[];
  applied: ApplySubsystem[];
}

const SUBSYSTEM_ORDER: readonly ApplySubsystem[] = ['virtual_ip', 'firewall', 'dhcp'];

export async function syncFirewall(options: SyncOptions): Promise<SyncReport> {
  return withFirewallLock(options.client.firewallKey, () => sync(options));
}

async function sync(options: SyncOptions): Promise<SyncReport> {
  const { client, desired } = options;
  const site = desired.site;
  const run = options.runner ?? runStepsDirectly;
  const log = options.log ?? (() => undefined);
  const maxRounds = options.maxRounds ?? 4;
  const steps: StepRecord[] = [];
  const touched = new Set<ApplySubsystem>();

  let firstPlan: Plan | undefined;
  let plan: Plan | undefined;
  let round = 0;
  while (round < maxRounds) {
    round += 1;
    const name = `round-${round}:plan`;
    const planned = await run(name, async () => {
      const actual = await readFirewallState(client, site);
      return { plan: planFirewall(desired, actual), interfaces: actual.interfaces };
    });
    plan = planned.plan;
    firstPlan ??= plan;
    log({ level: 'info', step: name, message: summarizePlan(plan) });
    if (isEmptyPlan(plan)) break;

    const ops = objectOps(client, site, interfaceResolver(planned.interfaces));
    for (const change of plan.changes) {
      const step = `round-${round}:${change.kind}:${change.action}:${change.key}@${change.action === 'create' ? 'new' : change.id}`;
      const result = await run(step, () => executeChange(change, ops[change.kind], options));
      steps.push({ step, action: change.action, kind: change.kind, key: change.key, result });
      if (result.outcome === 'created' || result.outcome === 'updated' || result.outcome === 'deleted') {
        touched.add(ops[change.kind].subsystem);
      }
      log({
        level: result.outcome === 'failed' ? 'error' : 'info',
        step,
        message: describeOutcome(change, result),
      });
    }
  }

  // The loop ends on an empty plan or after maxRounds; in the latter case look once more.
  if (plan && !isEmptyPlan(plan) && round === maxRounds) {
    const name = `round-${round + 1}:plan`;
    plan = (
      await run(name, async () => {
        const actual = await readFirewallState(client, site);
        return { plan: planFirewall(desired, actual), interfaces: actual.interfaces };
      })
    ).plan;
    log({ level: isEmptyPlan(plan) ? 'info' : 'warn', step: name, message: summarizePlan(plan) });
  }
  if (!firstPlan || !plan) throw new Error('sync made no plan');

  const applied = await applyTouched(client, run, log, touched);
  return {
    site: site.name,
    firstPlan,
    finalPlan: plan,
    converged: isEmptyPlan(plan),
    rounds: round,
    steps,
    applied,
  };
}

/** One apply per subsystem written to; when this run wrote nothing, whatever an earlier run left pending. */
async function applyTouched(
  client: PfSenseClient,
  run: StepRunner,
  log: (entry: SyncLogEntry) => void,
  touched: Set<ApplySubsystem>,
): Promise<ApplySubsystem[]> {
  let subsystems = SUBSYSTEM_ORDER.filter((s) => touched.has(s));
  if (subsystems.length === 0) {
    subsystems = await run('apply:pending', async () => {
      const pending: ApplySubsystem[] = [];
      for (const subsystem of SUBSYSTEM_ORDER) {
        if (!(await getApplyStatus(client, subsystem)).applied) pending.push(subsystem);
      }
      return pending;
    });
  }
  for (const subsystem of subsystems) {
    const step = `apply:${subsystem}`;
    await run(step, () => applyWithRetry(client, subsystem));
    log({ level: 'info', step, message: `applied ${subsystem} changes` });
  }
  return subsystems;
}

/** Applying is idempotent, so an apply that failed is checked and sent again. */
async function applyWithRetry(client: PfSenseClient, subsystem: ApplySubsystem): Promise<{ applied: true }> {
  for (let attempt = 1; ; attempt++) {
    try {
      await applyChanges(client, subsystem);
      return { applied: true };
    } catch (error) {
      if (!isIndeterminate(error) || attempt >= 4) throw error;
      if ((await getApplyStatus(client, subsystem)).applied) return { applied: true };
    }
  }
}

async function executeChange(
  change: PlannedChange,
  ops: ObjectOps,
  options: SyncOptions,
): Promise<StepOutcome> {
  const site = options.desired.site;
  const managed = (objects: FoundObject[]) => objects.filter((o) => isManagedDescription(site, o.descr));
  try {
    switch (change.action) {
      case 'create': {
        // A create whose answer was lost (or that a crashed run made) may exist: look for it by key.
        const verify = async (): Promise<StepOutcome | undefined> => {
          const [found] = managed(await ops.find(ops.keyField, change.key));
          return found ? { outcome: 'created', id: found.id } : undefined;
        };
        return await withVerification(options, {
          write: async () => {
            try {
              return { outcome: 'created', id: (await ops.create(change.fields)).id };
            } catch (error) {
              // "Must be unique" after a crash or lost answer means our own earlier attempt landed.
              if (error instanceof PfSenseValidationError && error.responseId === 'FIELD_MUST_BE_UNIQUE') {
                const found = await verify();
                if (found) return found;
              }
              throw error;
            }
          },
          verify,
        });
      }
      case 'update':
        return await withVerification(options, {
          write: async () => {
            const [current] = managed(await ops.find(change.locator.field, change.locator.value));
            if (!current)
              return { outcome: 'gone', reason: 'no longer on the firewall (or no longer managed)' };
            const diff = diffFields(change.fields, current);
            if (diff.length === 0) return { outcome: 'unchanged', reason: 'already as desired' };
            const updated = await ops.update(
              current.id,
              Object.fromEntries(diff.map((d) => [d.field, d.desired])),
            );
            return { outcome: 'updated', id: updated.id };
          },
          verify: async () => {
            const [current] = managed(await ops.find(change.locator.field, change.locator.value));
            return current && diffFields(change.fields, current).length === 0
              ? { outcome: 'updated', id: current.id }
              : undefined;
          },
        });
      case 'delete':
        return await withVerification(options, {
          write: async () => {
            const matches = managed(await ops.find(change.locator.field, change.locator.value));
            const target = matches.sort((a, b) => b.id - a.id)[0];
            if (!target) return { outcome: 'gone', reason: 'already deleted' };
            const removed = await ops.remove(target.id);
            if (locatorValueOf(removed, change.locator.field) !== change.locator.value) {
              return {
                outcome: 'failed',
                message: `deleted #${target.id} but it held ${locatorValueOf(removed, change.locator.field)}, not ${change.locator.value}: the firewall changed under us`,
              };
            }
            return { outcome: 'deleted', id: target.id };
          },
          verify: async () =>
            managed(await ops.find(change.locator.field, change.locator.value)).length === 0
              ? { outcome: 'deleted', id: change.id }
              : undefined,
        });
    }
  } catch (error) {
    if (error instanceof PfSenseError) {
      return {
        outcome: 'failed',
        message: error.message,
        ...(error instanceof PfSenseHttpError && error.responseId ? { responseId: error.responseId } : {}),
      };
    }
    throw error;
  }
}

/** Runs a write; after an unknown outcome, re-reads to learn whether it happened before trying again. */
async function withVerification(
  options: SyncOptions,
  attempt: { write: () => Promise<StepOutcome>; verify: () => Promise<StepOutcome | undefined> },
): Promise<StepOutcome> {
  const attempts = options.writeAttempts ?? 4;
  const delay = options.retryDelayMs ?? 250;
  for (let n = 1; ; n++) {
    try {
      return await attempt.write();
    } catch (error) {
      if (!isIndeterminate(error) || n >= attempts) throw error;
      await sleep(delay * n);
      const verified = await attempt.verify();
      if (verified) return verified;
    }
  }
}

export function summarizePlan(plan: Plan): string {
  const parts = (['vip', 'nat', 'rule', 'dhcp'] as const).map((kind) => {
    const c = plan.counts[kind];
    return `${kind}: +${c.create} ~${c.update} -${c.delete} (=${c.unchanged}, unmanaged ${c.unmanaged}${c.conflicts ? `, conflicts ${c.conflicts}` : ''})`;
  });
  return `${plan.changes.length} change(s) — ${parts.join('; ')}`;
}

function describeOutcome(change: PlannedChange, result: StepOutcome): string {
  const what = `${change.action} ${change.kind} ${change.key}`;
  switch (result.outcome) {
    case 'created':
    case 'updated':
    case 'deleted':
      return `${what}: ${result.outcome} (#${result.id})`;
    case 'failed':
      return `${what}: failed: ${result.message}`;
    default:
      return `${what}: ${result.outcome} (${result.reason})`;
  }
}
