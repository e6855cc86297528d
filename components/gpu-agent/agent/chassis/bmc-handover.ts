import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * While the agent holds the BMC in Full Speed mode it keeps a small file in its state directory
 * saying how to give it back. A clean stop restores the mode and removes the file; after a crash,
 * SIGKILL or OOM kill the file is still there and `gpu-agent restore` (systemd ExecStopPost)
 * restores the mode from it. No file: the agent never took the BMC, and restore sends nothing —
 * raw Supermicro commands must never reach a board that is not one.
 */

export const HANDOVER_FILE = 'chassis-bmc-handover.json';

const handoverSchema = z.object({
  ipmitool: z.string().min(1),
  /** Mode byte to set, e.g. 4 for Heavy I/O. */
  restoreMode: z.number().int().min(0).max(0xff),
  restoreModeName: z.string(),
  timeoutMs: z.number().positive(),
  since: z.iso.datetime(),
});

export type BmcHandover = z.infer<typeof handoverSchema>;

export function handoverPath(stateDir: string): string {
  return join(stateDir, HANDOVER_FILE);
}

export function writeHandover(stateDir: string, handover: BmcHandover): void {
  mkdirSync(stateDir, { recursive: true });
  const path = handoverPath(stateDir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(handover, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export function clearHandover(stateDir: string): void {
  rmSync(handoverPath(stateDir), { force: true });
}

/** The handover left behind, undefined when there is none, an Error when it cannot be read. */
export function readHandover(stateDir: string): BmcHandover | Error | undefined {
  const path = handoverPath(stateDir);
  if (!existsSync(path)) return undefined;
  try {
    return handoverSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    return new Error(`${path}: unreadable (${(error as Error).message.split('\n')[0]})`);
  }
}
