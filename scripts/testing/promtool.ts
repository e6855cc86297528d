import { spawnSync } from 'node:child_process';

/**
 * Runs Prometheus' own linter (`promtool check metrics`, Debian package `prometheus`) over an
 * exposition. Returns its complaints (empty when clean), or null when promtool is not installed
 * on a developer machine; CI installs it, so there a missing promtool is an error.
 */
export function promtoolProblems(exposition: string): string[] | null {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    if (process.env.CI) throw new Error('promtool is missing: apt-get install prometheus (as .ci/run does)');
    return null;
  }
  if (result.status === 0) return [];
  return `${result.stdout}${result.stderr}`
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}
