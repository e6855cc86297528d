#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step): `npx skyy …` from the repo root.
// The repo's tsconfig is named explicitly: tsx would otherwise look for one in the working
// directory, and the backend's decorators (skyy admin create) need its experimentalDecorators.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
const { main, processIo } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2), processIo());
