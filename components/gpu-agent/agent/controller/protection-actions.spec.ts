import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../utils/logger.ts';
import type { CommandRunner, RunResult } from '../../utils/runner.ts';
import type { ProtectionRequest } from './control-engine.ts';
import { commandsFor, runProtection } from './protection-actions.ts';

const request = (action: ProtectionRequest['action']): ProtectionRequest => ({
  action,
  gpu: 'GPU-1',
  index: 0,
  temperatureC: 93,
  containers: ['synaptron-001', 'flux-edge'],
  vms: [101],
});

function recordingRunner(fail: string[] = []): CommandRunner & { commands: string[] } {
  const commands: string[] = [];
  return {
    commands,
    async run(file, args): Promise<RunResult> {
      const command = [file, ...args].join(' ');
      commands.push(command);
      const failed = fail.some((f) => command.includes(f));
      return {
        command,
        code: failed ? 1 : 0,
        signal: null,
        stdout: '',
        stderr: failed ? 'No such container' : '',
        timedOut: false,
      };
    },
  };
}

describe('protection actions at shutdown_temp', () => {
  it('stops the named containers and Proxmox VMs', () => {
    expect(commandsFor(request('stop_workloads'))).toEqual([
      ['docker', 'stop', '--time', '30', 'synaptron-001'],
      ['docker', 'stop', '--time', '30', 'flux-edge'],
      ['qm', 'shutdown', '101', '--timeout', '60', '--forceStop', '1'],
    ]);
    expect(commandsFor(request('shutdown'))).toEqual([['systemctl', 'poweroff']]);
    expect(commandsFor(request('alert'))).toEqual([]);
  });

  it('runs each command and reports each result as an event', async () => {
    const runner = recordingRunner(['flux-edge']);
    const events = await runProtection(request('stop_workloads'), {
      runner,
      log: silentLogger,
      dryRun: false,
    });
    expect(runner.commands).toHaveLength(3);
    expect(events.map((e) => e.message)).toEqual([
      'GPU 0 (GPU-1) at 93 °C: ran docker stop --time 30 synaptron-001',
      'GPU 0 (GPU-1) at 93 °C: docker stop --time 30 flux-edge failed: docker stop --time 30 flux-edge: exit code 1: No such container',
      'GPU 0 (GPU-1) at 93 °C: ran qm shutdown 101 --timeout 60 --forceStop 1',
    ]);
  });

  it('runs nothing in dry-run, and says what it would have run', async () => {
    const runner = recordingRunner();
    const events = await runProtection(request('shutdown'), { runner, log: silentLogger, dryRun: true });
    expect(runner.commands).toEqual([]);
    expect(events.map((e) => e.message)).toEqual([
      'GPU 0 (GPU-1) at 93 °C: dry-run, not running systemctl poweroff',
    ]);
  });
});
