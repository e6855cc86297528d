#!/usr/bin/env node
// `npm run dev`: the backend with --watch (on PORT / config.yaml's server.port, default :8080) and
// `ng serve` with live reload on :4200, which proxies /api and /metrics to wherever that backend
// listens (proxy.conf.mjs reads SKYY_DEV_API, set here). Arguments go to ng serve, e.g.
// `npm run dev -- --port 4300`. Ctrl-C stops both.
import { spawn } from 'node:child_process';
import { devApiTarget, repo } from './api-target.mjs';

let api;
try {
  api = await devApiTarget();
} catch (error) {
  // The backend would refuse the same configuration; say it once, before starting anything.
  // One line: `invalid configuration: file:line:column: key: message; …`.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`skyy dev: ${message.replace(/:\n\s+/, ': ').replace(/\n\s*/g, '; ')}`);
  process.exit(2);
}
if (new URL(api).port === '0') {
  console.error(
    'skyy dev: PORT=0 lets the API pick a random port, which the console proxy cannot know; set a port',
  );
  process.exit(2);
}

const ngArgs = process.argv.slice(2);
const env = { ...process.env, SKYY_DEV_API: api };
const children = [
  ['api', 'node', ['--import', 'tsx', '--watch', 'backend/src/main.ts']],
  ['web', 'npm', ['run', 'start', '-w', '@skyy/frontend', ...(ngArgs.length ? ['--', ...ngArgs] : [])]],
].map(([name, command, args]) => {
  // Each in its own process group, stopped as a group: SIGTERM to `npm run start` alone leaves
  // ng serve running when the signal comes from a supervisor or a test rather than a terminal.
  const child = spawn(command, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
  const prefix = (stream, out) =>
    stream.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line) out.write(`[${name}] ${line}\n`);
    });
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on('exit', (code) => {
    console.log(`[${name}] exited with ${code}`);
    stop(code ?? 1);
  });
  return child;
});

console.log(
  `skyy dev: console with live reload from ng serve (default http://localhost:4200), API at ${api}`,
);

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // The group is gone already.
    }
  }
  setTimeout(() => process.exit(code), 500);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
