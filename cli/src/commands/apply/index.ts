import { setTimeout as sleep } from 'node:timers/promises';
import { clusterApplySchema, jobDetailSchema, jobLogPageSchema, type JobDetail } from '@skyy/contracts';
import type { ApiClient } from '../../api-client.ts';
import { connect } from '../../connect.ts';
import { UsageError } from '../../errors.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { isInteractive, promptLine } from '../../prompt.ts';
import {
  fetchPlan,
  planUrl,
  postWithFiles,
  readDesiredFiles,
  resolveCluster,
} from '../plan/cluster-files.ts';

export interface ApplyOptions {
  io: CliIo;
  paths: string[];
  cluster: string;
  allowDelete?: boolean;
  yes?: boolean;
  restart?: boolean;
  output: 'text' | 'json';
  /** How often the job's log is polled (tests make it short). */
  pollMs?: number;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Shows the plan, asks for confirmation on a terminal (unless --yes), starts the server's
 * `cluster.apply` job and prints its log as it grows. Exit 1 when the job fails.
 */
export async function apply(options: ApplyOptions): Promise<number> {
  const { io } = options;
  const json = options.output === 'json';
  const desired = readDesiredFiles(options.paths, io.cwd);
  const client = connect(io);
  const clusterId = await resolveCluster(client, options.cluster);
  const allowDelete = options.allowDelete === true;
  const plan = await fetchPlan(io, client, clusterId, desired, allowDelete);
  if (!json) println(io.stdout, plan.rendered);
  if (plan.plan.errors.length > 0) {
    if (json) printJson(io, { plan, job: null });
    return 1;
  }
  if (!plan.hasChanges) {
    if (json) printJson(io, { plan, job: null });
    return 0;
  }
  if (!options.yes) {
    if (!isInteractive(io))
      throw new UsageError('no terminal to confirm the apply on', 'review the plan, then add --yes');
    const answer = await promptLine(io, '\nApply these changes? Only "yes" is accepted: ');
    if (answer !== 'yes') {
      println(io.stderr, 'Apply cancelled.');
      return 1;
    }
  }

  // The server plans again; the deletions confirmed here are the ones the plan above showed.
  const started = await postWithFiles(
    io,
    client,
    planUrl(clusterId, 'apply'),
    {
      files: desired.files,
      allowDelete,
      confirmDeletes: plan.deletes,
      restartWhenNeeded: options.restart === true,
    },
    desired,
    clusterApplySchema,
  );
  if (!started.jobId) {
    if (json) printJson(io, { plan: started.plan, job: null });
    else println(io.stdout, 'No changes: the cluster already matches.');
    return 0;
  }
  if (!json) println(io.stdout, `\nApplying (job ${started.jobId}):`);
  const job = await followJob(io, client, started.jobId, options.pollMs ?? 500, !json);
  if (json) printJson(io, { plan: started.plan, job });
  else if (job.status === 'succeeded') println(io.stdout, '\nApply complete. The cluster matches the files.');
  else println(io.stdout, `\nApply ${job.status}: ${job.error ?? 'see the log above'}`);
  return job.status === 'succeeded' ? 0 : 1;
}

/** Prints the job's log lines as they come (GET /jobs/:id/logs?after=…) until the job ends. */
async function followJob(
  io: CliIo,
  client: ApiClient,
  jobId: string,
  pollMs: number,
  print: boolean,
): Promise<JobDetail> {
  let after = 0;
  const drain = async () => {
    for (;;) {
      const page = await client.get(`/api/v1/jobs/${jobId}/logs`, {
        query: { after, limit: 1000 },
        schema: jobLogPageSchema,
      });
      for (const line of page.items)
        if (print) println(io.stdout, `  ${line.level === 'info' ? '' : `${line.level}: `}${line.message}`);
      if (page.items.length === 0 || page.nextAfter === after) return;
      after = page.nextAfter;
    }
  };
  for (;;) {
    const job = await client.get(`/api/v1/jobs/${jobId}`, { schema: jobDetailSchema });
    await drain();
    if (TERMINAL.has(job.status)) return job;
    await sleep(pollMs);
  }
}
