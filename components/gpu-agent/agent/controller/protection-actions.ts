import type { Logger } from '../../utils/logger.ts';
import { describeCommand, runChecked, type CommandRunner } from '../../utils/runner.ts';
import type { EngineEvent, ProtectionRequest } from './control-engine.ts';

/**
 * What runs at shutdown_temp after fans and power were set: an alert only, stopping the named
 * containers / Proxmox VMs that load the GPU, or shutting the host down (only ever with
 * enable_auto_shutdown: true; the engine never asks for it otherwise). Each command is logged and
 * becomes an event; in dry-run the commands are only logged.
 */

export interface ProtectionCommands {
  docker: string;
  qm: string;
  shutdown: readonly string[];
}

export const DEFAULT_PROTECTION_COMMANDS: ProtectionCommands = {
  docker: 'docker',
  qm: 'qm',
  shutdown: ['systemctl', 'poweroff'],
};

export function commandsFor(
  request: ProtectionRequest,
  commands: ProtectionCommands = DEFAULT_PROTECTION_COMMANDS,
): string[][] {
  switch (request.action) {
    case 'alert':
      return [];
    case 'stop_workloads':
      return [
        ...request.containers.map((name) => [commands.docker, 'stop', '--time', '30', name]),
        // Graceful shutdown first; forceStop after the timeout so a hung guest cannot keep the GPU hot.
        ...request.vms.map((vmid) => [
          commands.qm,
          'shutdown',
          String(vmid),
          '--timeout',
          '60',
          '--forceStop',
          '1',
        ]),
      ];
    case 'shutdown':
      return [[...commands.shutdown]];
  }
}

export async function runProtection(
  request: ProtectionRequest,
  options: { runner: CommandRunner; log: Logger; dryRun: boolean; commands?: ProtectionCommands },
): Promise<EngineEvent[]> {
  const events: EngineEvent[] = [];
  const what = `GPU ${request.index} (${request.gpu}) at ${request.temperatureC} °C`;
  const commands = commandsFor(request, options.commands);
  if (request.action === 'alert') {
    options.log.error(`${what}: over shutdown_temp; action is alert only`, { gpu: request.gpu });
    return events;
  }
  if (commands.length === 0) {
    events.push({
      level: 'error',
      kind: 'protection_action',
      gpu: request.gpu,
      message: `${what}: ${request.action} configured but nothing to stop (stop_containers / stop_vms are empty)`,
    });
  }
  for (const [file, ...args] of commands) {
    if (!file) continue;
    const line = describeCommand(file, args);
    if (options.dryRun) {
      options.log.warn(`[dry-run] ${what}: would run ${line}`, { gpu: request.gpu });
      events.push({
        level: 'warn',
        kind: 'protection_action',
        gpu: request.gpu,
        message: `${what}: dry-run, not running ${line}`,
      });
      continue;
    }
    options.log.error(`${what}: running ${line}`, { gpu: request.gpu });
    try {
      await runChecked(options.runner, file, args, { timeoutMs: 120_000 });
      events.push({
        level: 'critical',
        kind: 'protection_action',
        gpu: request.gpu,
        message: `${what}: ran ${line}`,
      });
    } catch (error) {
      events.push({
        level: 'critical',
        kind: 'protection_action',
        gpu: request.gpu,
        message: `${what}: ${line} failed: ${(error as Error).message}`,
      });
    }
  }
  return events;
}
