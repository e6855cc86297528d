import * as z from 'zod';
import { hostFileSchema } from './host.schema.ts';

/**
 * The JSON Schema editors use to validate host files (`# yaml-language-server: $schema=…`),
 * generated from the zod schema so the two cannot disagree. It describes what may be written
 * (the input side: sizes as `64G` or numbers, defaults optional).
 */
export function hostFileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(hostFileSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }),
    $id: 'https://skyy.command/schemas/host.schema.json',
    title: 'Skyy Command host file (desired_state/hosts/<host>.yaml)',
  };
}
