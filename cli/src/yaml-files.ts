import { readdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.ts';
import { readNamedFile, statNamedPath } from './named-paths.ts';

export interface YamlFile {
  /** Absolute path. */
  path: string;
  /** How to show it: relative to the working directory when inside it. */
  display: string;
  content: string;
}

const isYaml = (name: string) => /\.ya?ml$/i.test(name);

/**
 * The YAML files named on the command line: files as given (whatever their extension),
 * directories expanded to their *.yaml / *.yml files in name order, recursively when asked.
 * Dot-directories and node_modules are never entered.
 */
export function collectYamlFiles(inputs: string[], cwd: string, options: { recursive: boolean }): YamlFile[] {
  const found: string[] = [];
  for (const input of inputs) {
    const absolute = path.resolve(cwd, input);
    const stat = statNamedPath(input, cwd);
    if (stat.isDirectory()) {
      const before = found.length;
      walk(absolute, options.recursive, found);
      if (found.length === before) throw new UsageError(`${input}: no .yaml or .yml files in this directory`);
    } else {
      found.push(absolute);
    }
  }
  const unique = [...new Set(found)];
  return unique.map((file) => ({
    path: file,
    display: displayPath(file, cwd),
    content: readNamedFile(file, cwd),
  }));
}

function walk(dir: string, recursive: boolean, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive && !entry.name.startsWith('.') && entry.name !== 'node_modules')
        walk(full, recursive, out);
    } else if (entry.isFile() && isYaml(entry.name)) {
      out.push(full);
    }
  }
}

export function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
