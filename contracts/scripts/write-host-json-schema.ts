/**
 * Writes desired_state/schemas/host.schema.json from the zod host-file schema.
 *   npm run schema:host
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { hostFileJsonSchema } from '../src/desired-state/host-json-schema.ts';

const target = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../desired_state/schemas/host.schema.json',
);
mkdirSync(path.dirname(target), { recursive: true });
const options = (await prettier.resolveConfig(target)) ?? {};
writeFileSync(
  target,
  await prettier.format(JSON.stringify(hostFileJsonSchema()), { ...options, parser: 'json' }),
);
console.log(`wrote ${path.relative(process.cwd(), target)}`);
