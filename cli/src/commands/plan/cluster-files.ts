import path from 'node:path';
import {
  clusterPageSchema,
  clusterPlanSchema,
  formatYamlIssue,
  problemSchema,
  type ClusterPlan,
} from '@skyy/contracts';
import { z } from 'zod';
import type { ApiClient } from '../../api-client.ts';
import { CliError, UsageError } from '../../errors.ts';
import { println, type CliIo } from '../../io.ts';
import { collectYamlFiles } from '../../yaml-files.ts';

/** Host files as the server takes them (base names), with the local path of each for messages. */
export interface DesiredFiles {
  files: { name: string; content: string }[];
  localPath: (name: string) => string;
}

export function readDesiredFiles(paths: string[], cwd: string): DesiredFiles {
  const found = collectYamlFiles(paths, cwd, { recursive: false });
  const local = new Map<string, string>();
  for (const file of found) {
    const name = path.basename(file.path);
    const other = local.get(name);
    if (other)
      throw new UsageError(`${other} and ${file.display} have the same name`, 'plan them separately');
    local.set(name, file.display);
  }
  return {
    files: found.map((f) => ({ name: path.basename(f.path), content: f.content })),
    localPath: (name) => local.get(name) ?? name,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `--cluster` as a name or an id → the id. */
export async function resolveCluster(client: ApiClient, cluster: string): Promise<string> {
  if (UUID.test(cluster)) return cluster;
  const page = await client.get('/api/v1/clusters', {
    query: { q: cluster, limit: 500 },
    schema: clusterPageSchema,
  });
  const match = page.items.find((c) => c.name === cluster);
  if (!match) {
    const all = await client.get('/api/v1/clusters', { query: { limit: 500 }, schema: clusterPageSchema });
    const names = all.items.map((c) => c.name);
    throw new CliError(
      `no cluster named ${cluster}`,
      names.length ? `did you mean ${names.join(', ')}?` : 'add it in the console or in config.yaml',
    );
  }
  return match.id;
}

/** Thrown when the server found invalid files; the errors are printed already. */
export class InvalidFilesError extends CliError {}

/**
 * POST /clusters/:id/plan or /apply with the files. A 422 about the files is printed as
 * `local/path.yaml:line:column: path: message` lines and becomes an InvalidFilesError.
 */
export async function postWithFiles<S extends z.ZodType>(
  io: CliIo,
  client: ApiClient,
  url: string,
  body: Record<string, unknown>,
  desired: DesiredFiles,
  schema: S,
): Promise<z.output<S>> {
  const res = await client.request('POST', url, { body, schema: z.unknown(), answerStatuses: [422] });
  if (res.status !== 422) {
    const parsed = schema.safeParse(res.data);
    if (!parsed.success)
      throw new CliError(`unexpected answer to POST ${url}`, 'is the server the same version?');
    return parsed.data;
  }
  const problem = problemSchema.parse(res.data);
  for (const error of problem.errors ?? []) {
    const where = /^(.+):(\d+):(\d+)$/.exec(error.path);
    if (where) {
      const [, file = '', line = '0', column = '0'] = where;
      println(
        io.stderr,
        formatYamlIssue({
          file: desired.localPath(file),
          line: Number(line),
          column: Number(column),
          path: '',
          message: error.message,
        }),
      );
    } else println(io.stderr, `${error.path ? `${error.path}: ` : ''}${error.message}`);
  }
  throw new InvalidFilesError(problem.detail ?? problem.title, 'fix the files above and try again');
}

export const planUrl = (clusterId: string, action: 'plan' | 'apply') =>
  `/api/v1/clusters/${clusterId}/${action}`;

export async function fetchPlan(
  io: CliIo,
  client: ApiClient,
  clusterId: string,
  desired: DesiredFiles,
  allowDelete: boolean,
): Promise<ClusterPlan> {
  return postWithFiles(
    io,
    client,
    planUrl(clusterId, 'plan'),
    { files: desired.files, allowDelete },
    desired,
    clusterPlanSchema,
  );
}
