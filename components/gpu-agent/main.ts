import { mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatYamlIssue } from '@skyy/contracts';
import { Command, Option } from 'commander';
import { defaultConfigPath, readToken, runAgent } from './agent/bootstrap/run-agent.ts';
import { xorgConfig } from './agent/bootstrap/xorg-coolbits.ts';
import { noGpuReason } from './agent/bootstrap/no-gpus.ts';
import { restoreChassisFromHandover } from './agent/chassis/chassis-restore.ts';
import { ConfigError, parseGpuConfig } from './agent/config/load-config.ts';
import { LegacyWriter, NvmlWriter, restoreDefaults, type GpuWriter } from './agent/controller/gpu-writers.ts';
import { detectGpus, formatDetectReport } from './utils/gpu-detect.ts';
import { createLogger, type LogLevel } from './utils/logger.ts';
import { packageVersion } from './utils/package-files.ts';
import { ProcessRunner } from './utils/runner.ts';

/**
 * gpu-agent: keeps NVIDIA GPUs on headless servers cool.
 *
 *   gpu-agent [run]        the daemon (dry-run unless root or --no-dry-run)
 *   gpu-agent restore      fans back to automatic, power limits to default, chassis BMC mode back (systemd ExecStopPost)
 *   gpu-agent detect       GPUs, fans, driver, which control path works
 *   gpu-agent validate F   check a gpu_config.yaml, errors with key and line
 *   gpu-agent xorg-config  xorg.conf with Coolbits for the legacy nvidia-settings fan path
 *
 * Exit codes: 0 ok, 1 failed, 2 bad usage or invalid config.
 */

const VERSION = packageVersion();

export interface MainIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  isRoot: boolean;
  onSignal(handler: (signal: NodeJS.Signals) => void): void;
  /** Ends the process as the signal would have, once the agent has stopped (see `run`). */
  endBySignal(signal: NodeJS.Signals): void;
}

export const processIo = (): MainIo => ({
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  isRoot: process.getuid?.() === 0,
  onSignal: (handler) => {
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  },
  // Re-raised with the default action: the process ends at once. process.exit() would first join
  // libuv's worker threads, and one stuck in a hung NVML call never returns. systemd counts death by
  // SIGTERM as a clean stop, and its ExecStopPost restore runs only once the process is gone.
  endBySignal: (signal) => {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  },
});

/** How long SIGTERM waits for the restore before exiting anyway (systemd's TimeoutStopSec is 30 s). */
const STOP_GRACE_MS = 10_000;

/** Where the config cache and the chassis handover file live. */
function defaultStateDir(io: MainIo): string {
  return io.isRoot ? '/var/lib/skyy-gpu-agent' : join('data', 'gpu-agent');
}

interface CommonOptions {
  source: 'auto' | 'nvml' | 'nvidia-smi';
  nvidiaSmi?: string;
  nvidiaSettings: string;
  display: string;
  nvmlLibrary?: string;
  logLevel: LogLevel;
  logFormat: 'text' | 'json';
}

function addCommon(command: Command): Command {
  return command
    .addOption(
      new Option('--source <source>', 'where readings come from')
        .choices(['auto', 'nvml', 'nvidia-smi'])
        .default('auto'),
    )
    .option('--nvidia-smi <path>', 'nvidia-smi binary (implies --source nvidia-smi unless --source is given)')
    .option(
      '--nvidia-settings <path>',
      'nvidia-settings binary, for fans on drivers before R520',
      'nvidia-settings',
    )
    .option('--display <display>', 'X display for nvidia-settings (Coolbits)', ':0')
    .option('--nvml-library <path>', 'path of libnvidia-ml.so.1')
    .addOption(new Option('--log-level <level>').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .addOption(new Option('--log-format <format>').choices(['text', 'json']).default('text'));
}

/** An explicit --nvidia-smi means "read through this binary" unless --source says otherwise. */
function resolveSource(
  options: CommonOptions,
  command: Command,
): { source: CommonOptions['source']; nvidiaSmi: string } {
  const sourceGiven = command.getOptionValueSource('source') === 'cli';
  const source = options.nvidiaSmi && !sourceGiven ? 'nvidia-smi' : options.source;
  return { source, nvidiaSmi: options.nvidiaSmi ?? 'nvidia-smi' };
}

/** A config file named on the command line that cannot be read: bad usage, said in words (not errno). */
class UnreadableFileError extends Error {}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'no such file (a part of the path is not a directory)',
};

function readConfigArgument(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new UnreadableFileError(`${file}: ${READ_ERRORS[code] ?? (error as Error).message}`);
  }
}

/**
 * The first word that is not an option (nor an option's value) when it names no command. `run` is
 * the default command, so commander would hand `gpu-agent frob` to it and complain about too many
 * arguments for 'run'; the user mistyped a command.
 */
function unknownCommand(program: Command, argv: readonly string[]): string | undefined {
  const run = program.commands.find((c) => c.name() === 'run');
  const takesValue = new Set(
    (run?.options ?? []).filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      if (!arg.includes('=') && takesValue.has(arg)) i++;
      continue;
    }
    const known = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
    return known.includes(arg) || arg === 'help' ? undefined : arg;
  }
  return undefined;
}

export async function main(argv: readonly string[], io: MainIo): Promise<number> {
  const program = new Command('gpu-agent')
    .description('Keeps NVIDIA GPUs cool on headless servers: fan and power control, fail-safes, metrics')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
  let exitCode = 0;

  addCommon(
    program
      .command('run', { isDefault: true })
      .description('run the agent')
      .option('--config <path>', `local gpu_config.yaml (default ${defaultConfigPath()})`)
      .option(
        '--state-dir <dir>',
        'cache directory (default /var/lib/skyy-gpu-agent as root, else ./data/gpu-agent)',
      )
      .option('--dry-run', 'compute and log decisions, write nothing (default unless root)')
      .option('--no-dry-run', 'write fan speeds and power limits')
      .option('--listen <host:port>', 'HTTP API address, or "off"', '127.0.0.1:9841')
      .option('--server <url>', 'Skyy Command URL for central config and heartbeats (env SKYY_SERVER_URL)')
      .option('--token-file <path>', 'file holding the agent token (else env SKYY_GPU_AGENT_TOKEN)')
      .option('--host <name>', 'this host as Skyy Command knows it', hostname()),
  ).action(
    async (options: CommonOptions & Record<string, string | boolean | undefined>, command: Command) => {
      // A mistyped --config must not look like a broken config (`/x.yaml:0:0: ENOENT…`).
      if (options['config']) readConfigArgument(String(options['config']));
      const log = createLogger({
        level: options.logLevel,
        format: options.logFormat,
        write: (line) => io.out(`${line}\n`),
      });
      const { source, nvidiaSmi } = resolveSource(options, command);
      const dryRunSource = command.getOptionValueSource('dryRun');
      const dryRun = dryRunSource === 'cli' ? options['dryRun'] !== false : !io.isRoot;
      if (!dryRun && !io.isRoot)
        log.warn('writing without root: NVML and nvidia-smi will most likely refuse');
      const stateDir = String(options['stateDir'] ?? defaultStateDir(io));
      mkdirSync(stateDir, { recursive: true });
      const listen = String(options['listen']);
      const server = (options['server'] as string | undefined) ?? io.env['SKYY_SERVER_URL'];
      let running;
      try {
        running = await runAgent({
          ...(options['config'] ? { configPath: String(options['config']) } : {}),
          stateDir,
          dryRun,
          source,
          nvidiaSmi,
          nvidiaSettings: options.nvidiaSettings,
          display: options.display,
          ...(options.nvmlLibrary ? { nvmlLibrary: options.nvmlLibrary } : {}),
          ...(listen !== 'off' ? { listen } : {}),
          ...(server ? { server } : {}),
          ...((t) => (t ? { token: t } : {}))(readToken(io.env, options['tokenFile'] as string | undefined)),
          host: String(options['host']),
          version: VERSION,
          log,
          env: io.env,
        });
      } catch (error) {
        if (error instanceof ConfigError) {
          io.err(`invalid config:\n${error.message}\n`);
          exitCode = 2;
          return;
        }
        throw error;
      }
      const stopping = new Promise<NodeJS.Signals>((resolve) => {
        let signalled = false;
        io.onSignal((signal) => {
          if (signalled) process.exit(1);
          signalled = true;
          log.info(
            dryRun
              ? `${signal}: would restore automatic fans and default power limits (dry-run: nothing is written), then exiting`
              : `${signal}: restoring automatic fans and default power limits, then exiting`,
          );
          // A driver call that never returns must not hold the exit: systemd's ExecStopPost restore
          // runs only once this process is gone, and tries again.
          const grace = setTimeout(() => {
            log.error(
              `stop did not finish within ${STOP_GRACE_MS / 1000} s (a driver call is hung); exiting`,
            );
            resolve(signal);
          }, STOP_GRACE_MS);
          void running.stop({ restore: true }).then(() => {
            clearTimeout(grace);
            resolve(signal);
          });
        });
      });
      io.endBySignal(await stopping);
    },
  );

  addCommon(
    program
      .command('restore')
      .description(
        'fans back to automatic, power limits to default, for every GPU; the chassis BMC fan mode back if the agent held it',
      )
      .option('--state-dir <dir>', 'where the agent left its chassis handover file (default as for run)'),
  ).action(async (options: CommonOptions & { stateDir?: string }, command: Command) => {
    const log = createLogger({
      level: options.logLevel,
      format: options.logFormat,
      write: (line) => io.out(`${line}\n`),
    });
    const runner = new ProcessRunner({ env: io.env });
    // First, and whatever happens to the GPUs: a crashed agent may have left the BMC in Full Speed mode.
    const chassis = await restoreChassisFromHandover(
      runner,
      options.stateDir ?? defaultStateDir(io),
      log,
      io.env,
    );
    if (chassis === 'failed') exitCode = 1;
    const { source, nvidiaSmi } = resolveSource(options, command);
    const detection = await detectGpus({
      source,
      nvidiaSmi,
      nvidiaSettings: options.nvidiaSettings,
      display: options.display,
      runner,
      env: io.env,
      ...(options.nvmlLibrary ? { nvmlLibrary: options.nvmlLibrary } : {}),
    });
    const readings = detection.sample?.readings ?? [];
    const fanOffsets = new Map<number, number>();
    let offset = 0;
    for (const reading of [...readings].sort((a, b) => a.index - b.index)) {
      fanOffsets.set(reading.index, offset);
      offset += Math.max(1, reading.fans.length);
    }
    const legacy = new LegacyWriter({
      runner,
      nvidiaSmi,
      nvidiaSettings: options.nvidiaSettings,
      display: options.display,
      env: io.env,
      fanOffset: (gpu) => fanOffsets.get(gpu.index) ?? 0,
    });
    const writer: GpuWriter = detection.nvml ? new NvmlWriter(detection.nvml) : legacy;
    if (readings.length === 0) {
      // A chassis-only host: nothing on the GPU side to hand back, and not a failure of restore.
      const noGpus = noGpuReason(detection.report);
      if (noGpus) {
        log.info(`no NVIDIA GPUs to restore (${noGpus})`);
        return;
      }
      log.error('no GPUs found to restore', {
        reading: detection.report.reading,
        nvidiaSmi: detection.report.nvidiaSmi.reason,
        nvml: detection.report.nvml.reason,
      });
      exitCode = 1;
      return;
    }
    for (const reading of readings) {
      try {
        await restoreDefaults(writer, {
          uuid: reading.uuid,
          index: reading.index,
          fans: reading.fans.length > 0 ? reading.fans.map((f) => f.fan) : [0],
          ...(reading.powerDefaultLimitW !== undefined ? { defaultPowerW: reading.powerDefaultLimitW } : {}),
        });
        log.info(`GPU ${reading.index} (${reading.uuid}): fans automatic, power limit default`);
      } catch (error) {
        log.error(`GPU ${reading.index} (${reading.uuid}): restore failed: ${(error as Error).message}`);
        exitCode = 1;
      }
    }
  });

  addCommon(
    program
      .command('detect')
      .description('GPUs, fans, driver version and the control path this host supports'),
  )
    .option('--json', 'machine-readable output')
    .action(async (options: CommonOptions & { json?: boolean }, command: Command) => {
      const { source, nvidiaSmi } = resolveSource(options, command);
      const detection = await detectGpus({
        source,
        nvidiaSmi,
        nvidiaSettings: options.nvidiaSettings,
        display: options.display,
        runner: new ProcessRunner({ env: io.env }),
        env: io.env,
        ...(options.nvmlLibrary ? { nvmlLibrary: options.nvmlLibrary } : {}),
      });
      io.out(
        options.json
          ? `${JSON.stringify(detection.report, null, 2)}\n`
          : formatDetectReport(detection.report),
      );
      if (detection.report.reading === 'none') exitCode = 1;
    });

  addCommon(
    program
      .command('xorg-config')
      .description('print the xorg.conf for systemd/xorg-headless.service (Coolbits, drivers before R520)'),
  )
    .option('--coolbits <value>', 'Coolbits value', '4')
    .action(async (options: CommonOptions & { coolbits: string }, command: Command) => {
      const { source, nvidiaSmi } = resolveSource(options, command);
      const detection = await detectGpus({
        source,
        nvidiaSmi,
        nvidiaSettings: options.nvidiaSettings,
        display: options.display,
        runner: new ProcessRunner({ env: io.env }),
        env: io.env,
        ...(options.nvmlLibrary ? { nvmlLibrary: options.nvmlLibrary } : {}),
      });
      const gpus = (detection.sample?.readings ?? []).flatMap((r) =>
        r.pciBusId ? [{ index: r.index, pciBusId: r.pciBusId }] : [],
      );
      if (gpus.length === 0) {
        io.err('no GPUs with a PCI bus id found\n');
        exitCode = 1;
        return;
      }
      io.out(xorgConfig(gpus, Number(options.coolbits)));
    });

  program
    .command('validate')
    .description('check a gpu_config.yaml; prints every problem as file:line:column: key: message')
    .argument('<file>')
    .action((file: string) => {
      const result = parseGpuConfig(readConfigArgument(file), file);
      if (result.ok) {
        io.out(`${file}: ok\n`);
      } else {
        io.err(`${result.issues.map(formatYamlIssue).join('\n')}\n`);
        exitCode = 2;
      }
    });

  const unknown = unknownCommand(program, argv);
  if (unknown !== undefined) {
    const commands = program.commands.map((c) => c.name()).join(', ');
    io.err(`gpu-agent: unknown command '${unknown}' (commands: ${commands}; see gpu-agent --help)\n`);
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof UnreadableFileError) {
      io.err(`gpu-agent: ${error.message}\n`);
      return 2;
    }
    const { code, exitCode: commanderExit } = error as { code?: string; exitCode?: number };
    // --help, --version and `gpu-agent help` end with commander's exit code 0; the rest is bad usage.
    if (typeof code === 'string' && code.startsWith('commander.')) return commanderExit === 0 ? 0 : 2;
    io.err(`gpu-agent: ${(error as Error).message}\n`);
    return 1;
  }
  return exitCode;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main(process.argv.slice(2), processIo());
}
