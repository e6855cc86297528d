import { writeFileSync } from 'node:fs';
import { gpuAgentCreatedSchema } from '@skyy/contracts';
import { connect } from '../../connect.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { checkNewFile } from '../../named-paths.ts';

export interface GpusTokenOptions {
  io: CliIo;
  host: string;
  /** Write the token to this file (mode 0600) instead of printing it. */
  out?: string;
  output: 'text' | 'json';
}

/**
 * Issues the agent token of a host (admins). The server shows it once: it goes to a file for
 * `install.sh --token-file`, or to stdout when no file is given.
 */
export async function gpusToken(options: GpusTokenOptions): Promise<number> {
  const { io } = options;
  // Checked before asking: the server shows a token once, so a write that fails afterwards loses it.
  const file = options.out ? checkNewFile(options.out, io.cwd, { option: '--out' }) : undefined;
  const created = await connect(io).post('/api/v1/gpu-agents', {
    body: { host: options.host },
    schema: gpuAgentCreatedSchema,
  });
  if (file && options.out) {
    writeFileSync(file, `${created.token}\n`, { mode: 0o600, flag: 'wx' });
    if (options.output === 'json') printJson(io, { agent: created.agent, tokenFile: file });
    else
      println(
        io.stdout,
        `agent token for ${options.host} written to ${options.out}; install with: install.sh --token-file ${options.out}`,
      );
    return 0;
  }
  if (options.output === 'json') printJson(io, created);
  else println(io.stdout, created.token);
  return 0;
}
