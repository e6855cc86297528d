import type { Logger } from '../../utils/logger.ts';
import type { CommandRunner } from '../../utils/runner.ts';
import { clearHandover, readHandover } from './bmc-handover.ts';
import { IpmitoolWriter } from './ipmi-writer.ts';
import { hexByte } from './level-rule.ts';

/**
 * `gpu-agent restore` (systemd ExecStopPost): after a crash the BMC would stay in Full Speed mode
 * at the last duty written. When the agent left its handover file, the BMC gets the configured
 * automatic mode back; without one nothing is sent (a clean stop already restored it, or this
 * host's chassis is not controlled).
 */

export type ChassisRestoreOutcome = 'none' | 'restored' | 'failed';

export async function restoreChassisFromHandover(
  runner: CommandRunner,
  stateDir: string,
  log: Logger,
  env?: NodeJS.ProcessEnv,
): Promise<ChassisRestoreOutcome> {
  const handover = readHandover(stateDir);
  if (handover === undefined) return 'none';
  if (handover instanceof Error) {
    log.error(`chassis: ${handover.message}`);
    return 'failed';
  }
  const mode = `${handover.restoreModeName} (${hexByte(handover.restoreMode)})`;
  try {
    await new IpmitoolWriter(runner, handover.ipmitool, handover.timeoutMs, env).setMode(
      handover.restoreMode,
    );
    clearHandover(stateDir);
    log.info(`chassis: BMC fan mode back to ${mode}`);
    return 'restored';
  } catch (error) {
    log.error(`chassis: restoring the BMC fan mode ${mode} failed: ${(error as Error).message}`);
    return 'failed';
  }
}
