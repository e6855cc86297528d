#!/usr/bin/env node
// `npm start` runs this first (root "prestart"): it builds the web console when there is no
// build yet or when a source is newer than the build, so a fresh clone shows the console after
// `npm ci && npm start`. SKYY_SKIP_CONSOLE_BUILD=1 skips it (e.g. an image with a prebuilt dist).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const frontend = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const repo = path.dirname(frontend);
const builtIndex = path.join(frontend, 'dist/console/browser/index.html');
/** Written by scripts/check-bundle-sizes.mjs at the end of every build that passed. */
const buildStamp = path.join(frontend, 'dist/console/build-passed');

/** The newest modification time of what goes into the bundle (tests and test helpers do not). */
function newest(paths) {
  let latest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p))
        if (entry !== 'node_modules' && entry !== 'testing') visit(path.join(p, entry));
    } else if (!p.endsWith('.spec.ts')) {
      latest = Math.max(latest, stat.mtimeMs);
    }
  };
  paths.forEach(visit);
  return latest;
}

export function consoleBuildIsCurrent() {
  if (!existsSync(builtIndex) || !existsSync(buildStamp)) return false;
  const sources = newest([
    path.join(frontend, 'src'),
    path.join(frontend, 'public'),
    path.join(frontend, 'angular.json'),
    path.join(frontend, 'package.json'),
    path.join(frontend, 'tsconfig.json'),
    path.join(frontend, 'tsconfig.app.json'),
    path.join(repo, 'contracts/src'),
  ]);
  return statSync(buildStamp).mtimeMs >= sources;
}

export function buildConsole() {
  const result = spawnSync('npm', ['run', 'build', '-w', '@skyy/frontend'], { cwd: repo, stdio: 'inherit' });
  return result.status === 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.env.SKYY_SKIP_CONSOLE_BUILD === '1') {
    process.exit(0);
  } else if (consoleBuildIsCurrent()) {
    console.log('skyy: the web console build is up to date');
  } else {
    console.log('skyy: building the web console (once; about a minute)…');
    if (!buildConsole()) {
      // The API still starts; its start page says how to build the console.
      console.error('skyy: the web console did not build; the server starts without it');
    }
  }
}
