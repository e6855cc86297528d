/**
 * `npm run bench`: every benchmark, one after another, each under a header, then a summary.
 * Each runs as its own `npm run bench:<name>` so its flags, defaults and environment variables
 * (BENCH_SECONDS, DATABASE_URL, …) behave exactly as when it is run alone.
 *
 *   npm run bench                              all of them
 *   npm run bench -- --only gpu-agent,proxmox  some of them, in the order given
 *   npm run bench -- --help                    what each one measures
 *
 * Exit code: 0 when all passed, 1 when any failed, 2 on bad usage.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const BENCHES: Record<string, string> = {
  hosts: 'host list API under load: p50/p95/p99 and req/s (SQLite; PostgreSQL with DATABASE_URL)',
  proxmox: 'VM plan against a 50-node simulated Proxmox cluster',
  pfsense: 'firewall sync of the 508-entry networking map to the pfSense simulator',
  'gpu-agent': 'GPU agent at 1 Hz with 8 simulated GPUs: CPU, RSS, control quality on a load step',
};

const USAGE = `usage: npm run bench [-- --only ${Object.keys(BENCHES).join(',')}]`;

function usage(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let only: string | undefined;
let help: boolean | undefined;
try {
  ({
    values: { only, help },
  } = parseArgs({ options: { only: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (error) {
  usage(`npm run bench: ${error instanceof Error ? error.message : String(error)}`);
}
if (help) {
  // Each benchmark's own flags and variables are in its README; `npm run bench:<name>` runs one alone.
  console.log(`${USAGE}\n\nbenchmarks (each also runs alone as npm run bench:<name>):`);
  for (const [name, what] of Object.entries(BENCHES)) console.log(`  ${name.padEnd(10)} ${what}`);
  process.exit(0);
}
const chosen =
  only === undefined
    ? Object.keys(BENCHES)
    : only
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean);
const unknown = chosen.filter((name) => !(name in BENCHES));
if (unknown.length > 0 || chosen.length === 0) {
  usage(
    `--only: unknown benchmark ${unknown.map((name) => `"${name}"`).join(', ') || '(none given)'}; known: ${Object.keys(BENCHES).join(', ')}`,
  );
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const results: { name: string; code: number; seconds: number }[] = [];
for (const name of chosen) {
  console.log(`\n${'='.repeat(100)}\n== npm run bench:${name} — ${BENCHES[name]}\n${'='.repeat(100)}`);
  const started = performance.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(npm, ['run', '--silent', `bench:${name}`], { stdio: 'inherit' });
    child.on('error', (error) => {
      console.error(`bench:${name}: could not start npm: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  results.push({ name, code, seconds: (performance.now() - started) / 1000 });
}

console.log(`\n${'='.repeat(100)}\n== Summary`);
for (const { name, code, seconds } of results) {
  console.log(
    `${`bench:${name}`.padEnd(18)} ${(code === 0 ? 'ok' : `FAILED (exit ${code})`).padEnd(16)} ${seconds.toFixed(0).padStart(5)} s`,
  );
}
process.exitCode = results.some((result) => result.code !== 0) ? 1 : 0;
