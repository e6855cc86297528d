import { formatYamlIssue, parseYamlWith, type YamlIssue } from '@skyy/contracts';
import { printJson, println, type CliIo } from '../../io.ts';
import { collectYamlFiles } from '../../yaml-files.ts';
import { fileKinds, kindOf, type ValidFile } from './file-kinds.ts';

export interface ValidateOptions {
  io: CliIo;
  paths: string[];
  output: 'text' | 'json';
}

type Status = 'valid' | 'invalid' | 'skipped';

interface FileReport {
  file: string;
  kind: string | null;
  status: Status;
  /** Why a file was skipped. */
  reason?: string;
  issues: YamlIssue[];
}

/**
 * Checks desired-state YAML locally (no server) with the same zod schemas the server uses:
 * each file against the schema of its kind, then rules across files (unique hostnames and IPs).
 */
export async function validate(options: ValidateOptions): Promise<number> {
  const { io } = options;
  const files = collectYamlFiles(options.paths, io.cwd, { recursive: true });
  const reports: FileReport[] = [];
  const validByKind = new Map<string, ValidFile[]>();

  for (const file of files) {
    const kind = kindOf(file.path);
    if (!kind) {
      reports.push({ file: file.display, kind: null, status: 'skipped', reason: 'unknown kind', issues: [] });
      continue;
    }
    if (!kind.schema) {
      const reason = `no schema for ${kind.name} files yet`;
      reports.push({ file: file.display, kind: kind.name, status: 'skipped', reason, issues: [] });
      continue;
    }
    const parsed = parseYamlWith(kind.schema, file.content, file.display);
    if (parsed.ok) {
      const valid = validByKind.get(kind.name) ?? [];
      valid.push({ display: file.display, content: file.content, value: parsed.value });
      validByKind.set(kind.name, valid);
    }
    reports.push({
      file: file.display,
      kind: kind.name,
      status: parsed.ok ? 'valid' : 'invalid',
      issues: parsed.ok ? [] : parsed.issues,
    });
  }

  for (const kind of fileKinds) {
    const valid = validByKind.get(kind.name);
    if (!valid || !kind.crossCheck) continue;
    for (const issue of kind.crossCheck(valid)) {
      const report = reports.find((r) => r.file === issue.file);
      if (!report) continue;
      report.status = 'invalid';
      report.issues.push(issue);
    }
  }

  const invalid = reports.filter((r) => r.status === 'invalid').length;
  if (options.output === 'json') {
    printJson(io, { ok: invalid === 0, files: reports });
  } else {
    printReports(io, reports);
  }
  return invalid > 0 ? 1 : 0;
}

function printReports(io: CliIo, reports: FileReport[]): void {
  for (const report of reports) {
    for (const issue of report.issues) println(io.stdout, formatYamlIssue(issue));
    if (report.status === 'skipped') println(io.stdout, `${report.file}: skipped (${report.reason})`);
  }
  const count = (status: Status) => reports.filter((r) => r.status === status).length;
  const issues = reports.reduce((sum, r) => sum + r.issues.length, 0);
  const parts = [`${count('valid')} valid`];
  if (count('invalid'))
    parts.push(`${count('invalid')} invalid (${issues} problem${issues === 1 ? '' : 's'})`);
  if (count('skipped')) parts.push(`${count('skipped')} skipped`);
  const noun = reports.length === 1 ? 'file' : 'files';
  println(io.stdout, `${reports.length} ${noun} checked: ${parts.join(', ')}`);
}
