import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Files that ship with the agent (local_config/, package.json), found by walking up from this
 * module: the same code runs from the sources (utils/) and from the single-file bundle (dist/).
 */
export function packageFile(relative: string, from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(from)), '..', relative);
}

export function packageVersion(): string {
  try {
    return (
      (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: string }).version ??
      '0.0.0'
    );
  } catch {
    return '0.0.0';
  }
}
