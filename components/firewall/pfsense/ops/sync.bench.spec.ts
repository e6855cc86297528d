import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const bench = fileURLToPath(new URL('./sync.bench.ts', import.meta.url));

// Only the flags: a mistyped one must not start the full sync with a meaningless latency.
describe('npm run bench:pfsense: flags', () => {
  it.each([
    [['--latency', 'abc'], 'bench:pfsense: --latency must be a whole number of milliseconds, got abc'],
    [['--latncy', '5'], 'bench:pfsense: unknown option --latncy'],
  ])('%j: one line and the usage, exit 2, nothing run', (args, message) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', bench, ...args], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${message}\nusage: npm run bench:pfsense [-- --latency 20]\n`);
  });
});
