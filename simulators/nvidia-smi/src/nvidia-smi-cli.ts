import { processIo, StateFileError, type CliIo } from '@skyy/sim-kit';
import type { SimGpu, SimState } from './model.ts';
import { createSimState } from './presets.ts';
import { renderQueryGpu, UnknownFieldError, validateFields } from './query-gpu.ts';
import { renderQueryText } from './query-text.ts';
import { statePath, withState, writeState } from './state-store.ts';

/**
 * A fake `nvidia-smi`: the subset the GPU agent and operators use (`--query-gpu` with any field
 * list and format, `-l`/`-lms` loops, `-i`, `-pl`, `-q`, `-L`, `--version`), answered from the
 * simulated host in the state file, plus `nvidia-smi sim …` to drive that host (load, faults).
 */

interface SmiArgs {
  queryGpu?: string[];
  format: { header: boolean; units: boolean; csv: boolean };
  ids?: string[];
  loopMs?: number;
  powerLimitW?: number;
  query: boolean;
  list: boolean;
  version: boolean;
  help: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): SmiArgs {
  const args: SmiArgs = {
    format: { header: true, units: true, csv: false },
    query: false,
    list: false,
    version: false,
    help: false,
  };
  const take = (i: number, name: string): string => {
    const value = argv[i + 1];
    if (value === undefined) throw new UsageError(`Option ${name} requires an argument.`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag = '', inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg];
    const value = (name: string) => inline ?? take(i++, name);
    switch (flag) {
      case '--query-gpu':
        args.queryGpu = value(flag)
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean);
        break;
      case '--format': {
        const options = value(flag).split(',');
        args.format = {
          csv: options.includes('csv'),
          header: !options.includes('noheader'),
          units: !options.includes('nounits'),
        };
        break;
      }
      case '-i':
      case '--id':
        args.ids = value(flag).split(',');
        break;
      case '-l':
      case '--loop':
        args.loopMs = Number(value(flag)) * 1000;
        break;
      case '-lms':
      case '--loop-ms':
        args.loopMs = Number(value(flag));
        break;
      case '-pl':
      case '--power-limit':
        args.powerLimitW = Number(value(flag));
        break;
      case '-q':
      case '--query':
        args.query = true;
        break;
      case '-L':
      case '--list-gpus':
        args.list = true;
        break;
      case '--version':
        args.version = true;
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        throw new UsageError(`Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.`);
    }
  }
  if (args.loopMs !== undefined && !(args.loopMs > 0)) throw new UsageError('Invalid loop interval.');
  return args;
}

/** A host without GPUs (`sim init --gpus 0`) answers every query as the real tool does: exit 6. */
function selectGpus(state: SimState, ids: readonly string[] | undefined): SimGpu[] {
  if (state.gpus.length === 0) throw new NoDeviceError();
  if (!ids) return state.gpus;
  const norm = (bus: string) => bus.toUpperCase().replace(/^0000(?=[0-9A-F]{4}:)/, '');
  return ids.map((id) => {
    const gpu = state.gpus.find(
      (g) =>
        String(g.index) === id ||
        g.uuid === id ||
        norm(g.pciBusId) === norm(id) ||
        norm(g.pciBusId).endsWith(norm(id)),
    );
    if (!gpu) throw new NoDeviceError();
    return gpu;
  });
}

class NoDeviceError extends Error {
  constructor() {
    super('No devices were found');
  }
}

class DieError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function checkFaults(state: SimState): 'hang' | undefined {
  if (state.faults.exitCode !== undefined) {
    throw new DieError(
      state.faults.exitCode,
      state.faults.dieMessage ?? 'Unable to determine the device handle for GPU: Unknown Error',
    );
  }
  return state.faults.hang ? 'hang' : undefined;
}

const forever = () => new Promise<never>(() => setInterval(() => undefined, 60_000));

export async function runNvidiaSmi(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  if (argv[0] === 'sim') {
    try {
      return runSimCommand(argv.slice(1), io);
    } catch (error) {
      return reportError(error, io);
    }
  }
  const path = statePath(io.env);
  try {
    const args = parseArgs(argv);
    if (args.help) {
      io.out('NVIDIA System Management Interface -- simulated by @skyy/sim-nvidia-smi\n');
      return 0;
    }
    if (args.powerLimitW !== undefined) return setPowerLimit(path, args, io);
    if (args.queryGpu) {
      const fields = args.queryGpu;
      if (!args.format.csv)
        throw new UsageError('"--format=" switch is missing. Please run \'nvidia-smi -h\' for help.');
      const answer = (first: boolean): 'hang' | undefined => {
        const now = new Date();
        return withState(
          path,
          (state) => {
            const fault = checkFaults(state);
            if (fault) return fault;
            validateFields(state, fields);
            const format = { header: args.format.header && first, units: args.format.units };
            const lines = renderQueryGpu(state, selectGpus(state, args.ids), fields, format, now);
            io.out(`${lines.join('\n')}\n`);
            return undefined;
          },
          now.getTime(),
        );
      };
      if (args.loopMs === undefined) {
        if (answer(true) === 'hang') await forever();
        return 0;
      }
      return await loop(args.loopMs, answer, io);
    }
    const now = new Date();
    return withState(
      path,
      (state) => {
        if (checkFaults(state) === 'hang') return forever();
        const gpus = args.version ? [] : selectGpus(state, args.ids);
        if (args.version) {
          io.out(
            `NVIDIA-SMI version  : ${state.driverVersion}\nDRIVER version      : ${state.driverVersion}\nCUDA Version        : ${state.cudaVersion}\n`,
          );
        } else if (args.list) {
          io.out(gpus.map((g) => `GPU ${g.index}: ${g.name} (UUID: ${g.uuid})\n`).join(''));
        } else if (args.query) {
          io.out(renderQueryText(state, gpus, now));
        } else {
          io.out(
            gpus
              .map(
                (g) =>
                  `GPU ${g.index}: ${g.name} ${Math.round(g.temperatureC)}C ${g.powerDrawW.toFixed(0)}W / ${g.powerLimitW.toFixed(0)}W\n`,
              )
              .join(''),
          );
        }
        return 0;
      },
      now.getTime(),
    );
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof UnknownFieldError) {
    io.out(`${error.message}\n\n`);
    return 2;
  }
  if (error instanceof UsageError) {
    io.err(`${error.message}\n`);
    return 2;
  }
  if (error instanceof NoDeviceError) {
    io.out(`${error.message}\n`);
    return 6;
  }
  if (error instanceof DieError) {
    io.err(`${error.message}\n`);
    return error.code;
  }
  if (error instanceof StateFileError) {
    io.err(`${error.message}\n`);
    return 1;
  }
  throw error;
}

/** `-l` / `-lms`: one answer per interval until killed; a die fault ends the process. */
function loop(
  intervalMs: number,
  answer: (first: boolean) => 'hang' | undefined,
  io: CliIo,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let first = true;
    const tick = () => {
      try {
        if (answer(first) !== 'hang') first = false;
      } catch (error) {
        clearInterval(timer);
        try {
          resolve(reportError(error, io));
        } catch (unexpected) {
          reject(unexpected instanceof Error ? unexpected : new Error(String(unexpected)));
        }
      }
    };
    const timer = setInterval(tick, intervalMs);
    tick();
  });
}

function setPowerLimit(path: string, args: SmiArgs, io: CliIo): number {
  const watts = args.powerLimitW ?? NaN;
  return withState(path, (state) => {
    checkFaults(state);
    const gpus = selectGpus(state, args.ids);
    for (const gpu of gpus) {
      if (state.faults.noPermission) {
        io.err(
          `Changing power management limit is not supported for GPU: ${gpu.pciBusId}.\nInsufficient Permissions\n`,
        );
        return 4;
      }
      if (!(watts >= gpu.minPowerLimitW && watts <= gpu.maxPowerLimitW)) {
        io.err(
          `Provided power limit ${watts.toFixed(2)} W is not a valid power limit which should be between ${gpu.minPowerLimitW.toFixed(2)} W and ${gpu.maxPowerLimitW.toFixed(2)} W for GPU ${gpu.pciBusId}\nTerminating early due to previous errors.\n`,
        );
        return 2;
      }
    }
    for (const gpu of gpus) {
      const old = gpu.powerLimitW;
      gpu.powerLimitW = watts;
      io.out(
        `Power limit for GPU ${gpu.pciBusId} was set to ${watts.toFixed(2)} W from ${old.toFixed(2)} W.\n`,
      );
    }
    io.out('All done.\n');
    return 0;
  });
}

/** `nvidia-smi sim …`: drives the simulated host. Not a real nvidia-smi command. */
function runSimCommand(argv: readonly string[], io: CliIo): number {
  const path = statePath(io.env);
  const [command, ...rest] = argv;
  const option = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  // Mistakes in driving the simulator are the developer's typos: say what is wrong, exit 2.
  const gpusOf = (state: SimState, id: string | undefined) => {
    if (id === undefined || id === 'all') return state.gpus;
    const gpu = state.gpus.find((g) => String(g.index) === id || g.uuid === id);
    if (!gpu) {
      const known = state.gpus.length > 0 ? `0..${state.gpus.length - 1}` : 'none (sim init --gpus N)';
      throw new UsageError(`sim: no simulated GPU "${id}"; GPUs are ${known}, or all`);
    }
    return [gpu];
  };
  const numberIn = (what: string, text: string | undefined, min: number, max: number) => {
    const value = Number(text);
    if (text === undefined || text.trim() === '' || !(value >= min && value <= max))
      throw new UsageError(`sim: ${what} must be a number from ${min} to ${max}, got ${text ?? 'nothing'}`);
    return value;
  };
  switch (command) {
    case 'init': {
      const gpus = option('--gpus');
      const models = option('--models');
      const ambient = option('--ambient');
      const scale = option('--time-scale');
      writeState(
        path,
        createSimState({
          ...(gpus ? { gpus: Number(gpus) } : {}),
          ...(models ? { models: models.split(',') } : {}),
          ...(ambient ? { ambientC: Number(ambient) } : {}),
          ...(scale ? { timeScale: Number(scale) } : {}),
        }),
      );
      io.out(`simulated host written to ${path}\n`);
      return 0;
    }
    case 'load':
      return withState(path, (state) => {
        const load = rest[1] === undefined ? 1 : numberIn('the load', rest[1], 0, 1);
        for (const gpu of gpusOf(state, rest[0])) gpu.load = load;
        return 0;
      });
    case 'ambient':
      return withState(path, (state) => {
        const ambientC =
          rest[0] === undefined ? 30 : numberIn('the ambient temperature (°C)', rest[0], -20, 80);
        for (const gpu of state.gpus) gpu.thermal.ambientC = ambientC;
        return 0;
      });
    case 'fault': {
      const code = withState(path, (state) => applyFault(state, rest, gpusOf));
      if (code === 2)
        io.err(
          `sim: unknown fault "${rest[0] ?? ''}"; faults: hang, die [code], no-driver, na <gpu> <field> [text], reject <field>, no-permission, clear\n`,
        );
      return code;
    }
    case 'show':
      return withState(path, (state) => {
        io.out(`${JSON.stringify(state, null, 2)}\n`);
        return 0;
      });
    default:
      io.err(
        (command === undefined ? '' : `sim: unknown command "${command}"\n`) +
          'usage: nvidia-smi sim init [--gpus N] [--models 2080,4080] [--ambient C] [--time-scale X]\n' +
          '       nvidia-smi sim load <gpu|all> <0..1> | ambient <C> | show\n' +
          '       nvidia-smi sim fault hang | die [code] | no-driver | na <gpu> <field> [text] | reject <field> | no-permission | clear\n',
      );
      return 2;
  }
}

function applyFault(
  state: SimState,
  args: readonly string[],
  gpusOf: (state: SimState, id: string | undefined) => SimGpu[],
): number {
  const [kind, a, b, c] = args;
  switch (kind) {
    case 'hang':
      state.faults.hang = true;
      return 0;
    case 'die':
      state.faults.exitCode = Number(a ?? 15);
      state.faults.dieMessage = 'Unable to determine the device handle for GPU0000:01:00.0: Unknown Error';
      return 0;
    case 'no-driver':
      // The driver is not loaded (not installed, or a kernel update without its module).
      state.faults.exitCode = 9;
      state.faults.dieMessage =
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";
      return 0;
    case 'na':
      for (const gpu of gpusOf(state, a)) gpu.overrides[b ?? 'temperature.gpu'] = c ?? '[N/A]';
      return 0;
    case 'reject':
      state.faults.rejectFields.push(a ?? '');
      return 0;
    case 'no-permission':
      state.faults.noPermission = true;
      return 0;
    case 'clear':
      state.faults = { hang: false, rejectFields: [], noPermission: false };
      for (const gpu of state.gpus) gpu.overrides = {};
      return 0;
    default:
      return 2;
  }
}
