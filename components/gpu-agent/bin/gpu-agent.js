#!/usr/bin/env node
// Runs the TypeScript sources directly (no build step), like the skyy CLI.
import { register } from 'tsx/esm/api';

register();
const { main, processIo } = await import('../main.ts');
process.exitCode = await main(process.argv.slice(2), processIo());
