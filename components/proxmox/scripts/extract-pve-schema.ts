/**
 * Extracts the request side of the official PVE API schema (api-viewer data) into
 * src/schema/pve-api-schema.extract.json: every method + path with its parameters, without
 * descriptions and return types. The extract ships with the package so the simulator and the
 * client's conformance test work without the 1.2 MB reference file; a test checks it matches.
 *
 *   npm run extract-schema -w @skyy/proxmox [-- path/to/pve-api-schema.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { extractPveSchema, referenceSchemaPath } from '../src/schema/extract.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.argv[2] ?? referenceSchemaPath;
const target = path.join(here, '../src/schema/pve-api-schema.extract.json');

const extract = extractPveSchema(readFileSync(source, 'utf8'));
const options = (await prettier.resolveConfig(target)) ?? {};
const text = await prettier.format(JSON.stringify(extract), { ...options, parser: 'json' });
writeFileSync(target, text);
console.log(
  `${Object.keys(extract.endpoints).length} endpoints from ${source} → ${path.relative(process.cwd(), target)}`,
);
