import { gpuConfigSchema } from '@skyy/contracts';
import { ApiHttpError } from '../../api-client.ts';
import { connect } from '../../connect.ts';
import { CliError } from '../../errors.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { readNamedFile } from '../../named-paths.ts';

export interface GpusConfigGetOptions {
  io: CliIo;
  /** A host; the fleet default when absent. */
  host?: string;
  output: 'text' | 'json';
}

export interface GpusConfigSetOptions {
  io: CliIo;
  file: string;
  host?: string;
  output: 'text' | 'json';
}

const configPath = (host: string | undefined) =>
  host === undefined ? '/api/v1/gpus/config' : `/api/v1/gpus/config/${encodeURIComponent(host)}`;

/** Prints the gpu_config.yaml a host gets (its own, else the fleet default), as stored. */
export async function gpusConfigGet(options: GpusConfigGetOptions): Promise<number> {
  const { io } = options;
  const config = await connect(io)
    .get(configPath(options.host), { schema: gpuConfigSchema })
    .catch((error: unknown) => {
      // 404 here means nothing is stored yet, not a wrong name: say what to do about it.
      if (!(error instanceof ApiHttpError && error.status === 404)) throw error;
      throw new CliError(
        options.host === undefined
          ? 'no fleet default GPU config is stored yet'
          : `no GPU config is stored for ${options.host} and no fleet default either`,
        `store one with \`skyy gpus config set <gpu_config.yaml>${options.host === undefined ? '' : ` --host ${options.host}`}\``,
      );
    });
  if (options.output === 'json') printJson(io, config);
  else io.stdout.write(config.yaml.endsWith('\n') ? config.yaml : `${config.yaml}\n`);
  return 0;
}

/**
 * Stores a gpu_config.yaml for a host (or the fleet default); its agent applies it at the next
 * poll. An invalid file is refused by the server and every problem printed as `file:line:column`.
 */
export async function gpusConfigSet(options: GpusConfigSetOptions): Promise<number> {
  const { io } = options;
  const yaml = readNamedFile(options.file, io.cwd);
  try {
    const saved = await connect(io).request('PUT', configPath(options.host), {
      body: { yaml },
      schema: gpuConfigSchema,
    });
    if (options.output === 'json') printJson(io, saved.data);
    else
      println(
        io.stdout,
        `saved ${options.file} as the GPU config of ${options.host ?? 'the fleet (default)'}; agents apply it within a minute`,
      );
    return 0;
  } catch (error) {
    if (!(error instanceof ApiHttpError) || error.status !== 422 || !error.problem?.errors) throw error;
    for (const issue of error.problem.errors) println(io.stderr, located(options.file, issue));
    println(io.stderr, `skyy: ${options.file} is not a valid gpu_config.yaml; nothing was saved`);
    return 1;
  }
}

/** `body.yaml.protection.shutdown_temp` + `line 4, column 3: …` → `file:4:3: protection.shutdown_temp: …`. */
function located(file: string, issue: { path: string; message: string }): string {
  const key = issue.path.replace(/^body\.yaml\.?/, '');
  const match = /^line (\d+), column (\d+): (.*)$/.exec(issue.message);
  if (!match) return `${file}: ${key ? `${key}: ` : ''}${issue.message}`;
  return `${file}:${match[1]}:${match[2]}: ${key ? `${key}: ` : ''}${match[3]}`;
}
