import { setTimeout as sleep } from 'node:timers/promises';
import {
  firewallPlanSchema,
  firewallPreviewSchema,
  jobLogPageSchema,
  jobSchema,
  type Job,
} from '@skyy/contracts';
import type { ApiClient } from '../../api-client.ts';
import { connect } from '../../connect.ts';
import { CliError, UsageError } from '../../errors.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { isInteractive, promptLine } from '../../prompt.ts';
import { findFirewall } from './find-firewall.ts';
import { formatFindingLine, printPlan } from './plan.ts';

export interface FirewallApplyOptions {
  io: CliIo;
  firewall: string;
  /** Apply without asking (required without a terminal). */
  yes?: boolean;
  /** Let the firewall check every write with dry_run; write nothing. */
  preview?: boolean;
  show?: number;
  output: 'text' | 'json';
  /** How often the job is polled; tests make it short. */
  pollMs?: number;
}

/**
 * `skyy firewall apply`: shows the plan, asks (on a terminal) or takes --yes, starts the
 * `firewall.sync` job on the server and follows its log. Exit 0 when it converged, 1 otherwise.
 */
export async function firewallApply(options: FirewallApplyOptions): Promise<number> {
  const { io } = options;
  const json = options.output === 'json';
  const client = connect(io);
  const firewall = await findFirewall(client, options.firewall);
  if (!options.yes && !options.preview && !isInteractive(io)) {
    throw new UsageError('no terminal to confirm the plan on', 'add --yes to apply without asking');
  }
  const plan = await client.get(`/api/v1/firewalls/${firewall.id}/plan`, { schema: firewallPlanSchema });
  if (!json) printPlan(io, firewall.name, plan, options.show ?? 20);
  if (plan.blocked) {
    if (json) printJson(io, { plan, job: null });
    throw new CliError(
      `validation errors block applying to ${firewall.name}`,
      'fix the networking file and try again',
    );
  }

  if (options.preview) {
    const preview = await client.post(`/api/v1/firewalls/${firewall.id}/apply`, {
      query: { preview: true },
      body: {},
      schema: firewallPreviewSchema,
    });
    const refused = preview.checks.filter((c) => !c.accepted);
    if (json) printJson(io, preview);
    else {
      for (const finding of preview.findings) println(io.stdout, formatFindingLine(finding));
      for (const check of refused) {
        println(
          io.stdout,
          `refused: ${check.change.action} ${check.change.kind} ${check.change.key}: ${check.message ?? ''}`,
        );
      }
      println(
        io.stdout,
        preview.supported
          ? `dry run: ${preview.checks.length - refused.length} of ${preview.checks.length} write(s) accepted by the firewall`
          : 'dry run: this firewall (REST API before v2.8.0) cannot check writes; the plan above is all there is',
      );
    }
    return refused.length ? 1 : 0;
  }

  if (plan.plan.changes.length === 0) {
    if (json) printJson(io, { plan, job: null });
    return 0;
  }
  const deletes = plan.plan.changes.filter((c) => c.action === 'delete').length;
  if (!options.yes) {
    const answer = await promptLine(
      io,
      `Apply ${plan.plan.changes.length} change(s)${deletes ? `, ${deletes} of them deletes,` : ''} to ${firewall.name}? [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer)) {
      println(io.stderr, 'nothing applied');
      return 1;
    }
  }
  // The plan shown was confirmed, deletes included.
  const started = await client.post(`/api/v1/firewalls/${firewall.id}/apply`, {
    body: { confirmDeletes: true },
    schema: jobSchema,
  });
  if (!json) println(io.stdout, `job ${started.id} started; following its log`);
  const job = await follow(client, started, json ? null : io.stdout, options.pollMs ?? 500);
  if (json) printJson(io, { plan, job });
  if (job.status !== 'succeeded') {
    throw new CliError(
      `applying to ${firewall.name} ${job.status}: ${job.error ?? 'no reason given'}`,
      `see the job log: GET /api/v1/jobs/${job.id}/logs`,
    );
  }
  if (!json) println(io.stdout, `${firewall.name}: applied`);
  return 0;
}

/** Prints the job's log as it grows until the job ends. */
async function follow(
  client: ApiClient,
  started: Job,
  out: CliIo['stdout'] | null,
  pollMs: number,
): Promise<Job> {
  let after = 0;
  for (;;) {
    const job = await client.get(`/api/v1/jobs/${started.id}`, { schema: jobSchema });
    // Read the log after the status, so the last lines are in once the job is seen finished.
    for (;;) {
      const page = await client.get(`/api/v1/jobs/${started.id}/logs`, {
        query: { after, limit: 1000 },
        schema: jobLogPageSchema,
      });
      if (out) for (const line of page.items) println(out, `${line.level.padEnd(5)} ${line.message}`);
      if (page.items.length === 0 || page.nextAfter === after) break;
      after = page.nextAfter;
    }
    if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
    await sleep(pollMs);
  }
}
