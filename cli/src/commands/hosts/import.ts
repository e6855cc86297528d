import path from 'node:path';
import { formatYamlIssue, hostImportResultSchema, type HostImportResult } from '@skyy/contracts';
import { connect } from '../../connect.ts';
import { UsageError } from '../../errors.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { collectYamlFiles } from '../../yaml-files.ts';

export interface HostsImportOptions {
  io: CliIo;
  paths: string[];
  dryRun?: boolean;
  output: 'text' | 'json';
}

type FileResult = HostImportResult['files'][number];

/**
 * Sends the user's host files verbatim to the server, which validates and applies them
 * all-or-nothing. Errors are printed against the local paths so editors can jump to them.
 */
export async function hostsImport(options: HostsImportOptions): Promise<number> {
  const { io } = options;
  const files = collectYamlFiles(options.paths, io.cwd, { recursive: false });
  const localPath = new Map<string, string>();
  for (const file of files) {
    const name = path.basename(file.path);
    const other = localPath.get(name);
    if (other)
      throw new UsageError(`${other} and ${file.display} have the same name`, 'import them separately');
    localPath.set(name, file.display);
  }

  const client = connect(io);
  const result = await client.post('/api/v1/hosts/import', {
    body: {
      files: files.map((f) => ({ name: path.basename(f.path), content: f.content })),
      dryRun: options.dryRun === true,
    },
    schema: hostImportResultSchema,
    // 422 carries the per-file errors: nothing was written because some file is invalid.
    answerStatuses: [422],
  });
  const invalid = result.files.filter((f) => f.status === 'invalid').length;

  if (options.output === 'json') printJson(io, result);
  else printResult(io, result, options.dryRun === true, (name) => localPath.get(name) ?? name);
  return invalid > 0 ? 1 : 0;
}

function printResult(
  io: CliIo,
  result: HostImportResult,
  dryRun: boolean,
  local: (name: string) => string,
): void {
  const width = Math.max(...result.files.map((f) => local(f.name).length));
  for (const file of result.files) {
    println(
      io.stdout,
      `${file.status.padEnd(9)}  ${local(file.name).padEnd(width)}  ${file.hostname ?? ''}`.trimEnd(),
    );
    for (const error of file.errors)
      println(io.stdout, `  ${formatYamlIssue({ file: local(file.name), ...error })}`);
  }
  println(io.stdout, summary(result.files, result.applied, dryRun));
}

function summary(files: FileResult[], applied: boolean, dryRun: boolean): string {
  const counts = new Map<FileResult['status'], number>();
  for (const file of files) counts.set(file.status, (counts.get(file.status) ?? 0) + 1);
  const parts = (['created', 'updated', 'unchanged', 'invalid'] as const)
    .filter((status) => counts.get(status))
    .map((status) => `${counts.get(status)} ${status}`);
  const total = `${files.length} file${files.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
  const invalid = counts.get('invalid') ?? 0;
  if (invalid > 0)
    return `${total}; nothing was written (fix the invalid file${invalid === 1 ? '' : 's'} and import again)`;
  if (dryRun || !applied) return `${total}; dry run, nothing was written`;
  return total;
}
