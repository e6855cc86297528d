#!/usr/bin/env node
// `npm run dev`: the backend with --watch on :8080 and `ng serve` with live reload on :4200,
// which proxies /api and /metrics to the backend (proxy.conf.json). Ctrl-C stops both.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const children = [
  ['api', 'node', ['--import', 'tsx', '--watch', 'backend/src/main.ts']],
  ['web', 'npm', ['run', 'start', '-w', '@skyy/frontend']],
].map(([name, command, args]) => {
  const child = spawn(command, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
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

console.log('skyy dev: console with live reload at http://localhost:4200 (API on :8080)');

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 500);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
