import { connect } from '../../connect.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { fetchPlan, readDesiredFiles, resolveCluster } from './cluster-files.ts';

export interface PlanOptions {
  io: CliIo;
  paths: string[];
  cluster: string;
  allowDelete?: boolean;
  output: 'text' | 'json';
}

/**
 * Compares the VMs declared in host files (`vms:`) with a Proxmox cluster, on the server, and
 * prints the plan like Terraform. Exit 0 when the plan can be applied (with or without
 * changes), 1 when it has errors (GPU conflicts, unknown templates, …) or a file is invalid.
 */
export async function plan(options: PlanOptions): Promise<number> {
  const { io } = options;
  const desired = readDesiredFiles(options.paths, io.cwd);
  const client = connect(io);
  const clusterId = await resolveCluster(client, options.cluster);
  const result = await fetchPlan(io, client, clusterId, desired, options.allowDelete === true);
  if (options.output === 'json') printJson(io, result);
  else {
    println(io.stdout, result.rendered);
    if (result.deletes && !options.allowDelete)
      println(
        io.stdout,
        '\nApply with --allow-delete to let Skyy delete the VMs it created and no file declares.',
      );
  }
  return result.plan.errors.length > 0 ? 1 : 0;
}
