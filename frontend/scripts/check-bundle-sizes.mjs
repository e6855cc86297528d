#!/usr/bin/env node
// The two size rules angular.json cannot state exactly (see README "Bundle budgets"):
//   - the initial bundle (everything main-*.js pulls in statically, plus global CSS) ≤ 400 kB gzipped;
//   - every lazy chunk ≤ 150 kB raw.
// Angular's `anyScript` budget would also apply to the initial chunks, and its `initial`
// budget measures raw bytes, so this script measures the real thing after `ng build`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(fileURLToPath(new URL('../dist/console/browser', import.meta.url)));
const initialGzipLimit = 400 * 1000;
const lazyRawLimit = 150 * 1000;

const read = (name) => readFileSync(path.join(dist, name));
const staticImports = (source) =>
  [...source.matchAll(/(?<![\w$.])import\s*(?:[\w${},*\s]+from\s*)?["']\.\/([^"']+\.js)["']/g)].map(
    (m) => m[1],
  );

const index = read('index.html').toString();
const entries = [...index.matchAll(/<script[^>]+src="([^"]+\.js)"/g)].map((m) => m[1]);
const initial = new Set();
const queue = [...entries];
while (queue.length) {
  const name = queue.pop();
  if (initial.has(name)) continue;
  initial.add(name);
  queue.push(...staticImports(read(name).toString()));
}
const styles = [...new Set([...index.matchAll(/<link[^>]+href="(styles-[^"]+\.css)"/g)].map((m) => m[1]))];

let raw = 0;
let gzipped = 0;
for (const name of [...initial, ...styles]) {
  const bytes = read(name);
  raw += bytes.length;
  gzipped += gzipSync(bytes, { level: 9 }).length;
}
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
const failures = [];
console.log(
  `initial: ${initial.size} scripts + ${styles.length} stylesheet, ${kB(raw)} raw, ${kB(gzipped)} gzipped (limit ${kB(initialGzipLimit)} gzipped; raw/gzip ratio ${(raw / gzipped).toFixed(2)})`,
);
if (gzipped > initialGzipLimit)
  failures.push(`initial bundle is ${kB(gzipped)} gzipped, over ${kB(initialGzipLimit)}`);

const lazy = readdirSync(dist).filter((name) => name.endsWith('.js') && !initial.has(name));
let largest = { name: '', size: 0 };
for (const name of lazy) {
  const size = read(name).length;
  if (size > largest.size) largest = { name, size };
  if (size > lazyRawLimit) failures.push(`lazy chunk ${name} is ${kB(size)}, over ${kB(lazyRawLimit)}`);
}
console.log(
  `lazy: ${lazy.length} chunks, largest ${largest.name} ${kB(largest.size)} (limit ${kB(lazyRawLimit)} each)`,
);

if (failures.length) {
  console.error(`bundle budgets exceeded:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
// ng build rewrites only the files that changed; this stamp says when a whole build last passed.
writeFileSync(path.join(dist, '..', 'build-passed'), new Date().toISOString() + '\n');
