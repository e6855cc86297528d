import { z } from 'zod';

/** PVE sends booleans as 0/1 (sometimes as true/false). */
export const pveBool = z
  .union([z.boolean(), z.number(), z.string()])
  .transform((v) => v === true || v === 1 || v === '1');

/** Numbers that PVE sometimes sends as strings (`/cluster/nextid` answers `"100"`). */
export const pveNumber = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number);

/** A config value: strings, or numbers for integer/boolean keys; kept as PVE's text. */
export const pveConfigValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v)));

export const upidSchema = z.string().regex(/^UPID:[^:]+:/, 'expected a task id (UPID:…)');
export type Upid = z.infer<typeof upidSchema>;

/** An optional UPID: config updates through POST answer with a task only when they started one. */
export const maybeUpidSchema = z.union([upidSchema, z.null()]);
