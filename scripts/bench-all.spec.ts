import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./bench-all.ts', import.meta.url));

/** `npm run bench -- <args>` without npm: the same script, its exit code and both streams. */
function bench(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

// Only the argument handling: the benchmarks themselves take minutes and are not run here.
describe('npm run bench: usage', () => {
  it('--help lists every benchmark and exits 0 without running any', () => {
    const { code, stdout } = bench('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('usage: npm run bench [-- --only hosts,proxmox,pfsense,gpu-agent]');
    for (const name of ['hosts', 'proxmox', 'pfsense', 'gpu-agent'])
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(stdout).not.toContain('== Summary');
  });

  it('refuses an unknown benchmark or option with exit 2, naming the known ones, and no stack trace', () => {
    const unknown = bench('--only', 'hosts,nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '--only: unknown benchmark "nope"; known: hosts, proxmox, pfsense, gpu-agent',
    );
    const option = bench('--fast');
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--fast'");
    expect(`${unknown.stderr}${option.stderr}`).not.toMatch(/\n\s+at /);
  });
});
