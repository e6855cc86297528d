import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = fileURLToPath(new URL('./plan.bench.ts', import.meta.url));

// Only the flags: a mistyped one must not start a benchmark that runs for minutes.
describe('npm run bench:proxmox: flags', () => {
  it.each([
    [['--nodse', '3'], "bench:proxmox: Unknown option '--nodse'"],
    [['--nodes', 'abc'], 'bench:proxmox: --nodes must be a whole number of at least 1, got abc'],
    [['--latency-ms=-5'], 'bench:proxmox: --latency-ms must be a whole number of at least 0, got -5'],
  ])('%j: one line and the usage, exit 2, nothing run', (args, message) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', bench, ...args], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `${message}\nusage: npm run bench:proxmox -- [--nodes 50] [--vms 1000] [--latency-ms 20] [--changes 100] [--concurrency 16] [--skip-per-vm]\n`,
    );
  });
});
