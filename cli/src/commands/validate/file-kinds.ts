import path from 'node:path';
import { hostFileSchema, networkingFileSchema, skyyConfigSchema, type YamlIssue } from '@skyy/contracts';
import type { z } from 'zod';
import { locateKey } from './locate.ts';

/** A file that parsed and passed its schema, for checks that span several files. */
export interface ValidFile {
  display: string;
  content: string;
  value: unknown;
}

/**
 * A kind of desired-state file, recognised by where it lives. Adding a kind is one entry in
 * `fileKinds`; `schema: undefined` means "known, but no schema yet" (reported as skipped).
 */
export interface FileKind {
  name: string;
  matches(file: string): boolean;
  schema: z.ZodType | undefined;
  /** Rules across all valid files of this kind (uniqueness), reported with both locations. */
  crossCheck?(files: ValidFile[]): YamlIssue[];
}

const named =
  (...names: string[]) =>
  (file: string) =>
    names.includes(path.basename(file));

/** True when any directory above the file matches, e.g. desired_state/hosts_local/x.yaml. */
const under = (pattern: RegExp) => (file: string) =>
  path
    .dirname(file)
    .split(path.sep)
    .some((dir) => pattern.test(dir));

export const fileKinds: FileKind[] = [
  { name: 'config', matches: named('config.yaml', 'config.example.yaml'), schema: skyyConfigSchema },
  {
    name: 'host',
    matches: under(/^hosts(_[\w-]+)?$/),
    schema: hostFileSchema,
    crossCheck: (files) => [...uniqueAcross(files, 'hostname'), ...uniqueAcross(files, 'ip_address')],
  },
  { name: 'networking', matches: under(/^networking$/), schema: networkingFileSchema },
];

export function kindOf(file: string): FileKind | undefined {
  return fileKinds.find((kind) => kind.matches(file));
}

/** Each later file that repeats a value of `key` gets an issue naming the first file that has it. */
function uniqueAcross(files: ValidFile[], key: string): YamlIssue[] {
  const first = new Map<string, { display: string; line: number; column: number }>();
  const issues: YamlIssue[] = [];
  for (const file of files) {
    const value = (file.value as Record<string, unknown>)[key];
    if (typeof value !== 'string') continue;
    const at = locateKey(file.content, key);
    const seen = first.get(value);
    if (seen) {
      issues.push({
        file: file.display,
        ...at,
        path: key,
        message: `duplicate ${key} "${value}": also in ${seen.display}:${seen.line}:${seen.column}`,
      });
    } else {
      first.set(value, { display: file.display, ...at });
    }
  }
  return issues;
}
