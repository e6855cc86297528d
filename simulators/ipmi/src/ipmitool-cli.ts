import { processIo, StateFileError, type CliIo } from '@skyy/sim-kit';
import {
  BMC_MODES,
  coolingDuty,
  createIpmiSimState,
  effectiveDuty,
  ipmiFaultSchema,
  modeName,
  sensorFaultSchema,
  type BmcModeName,
  type IpmiSimState,
} from './model.ts';
import { HANG_MS } from './sensors-cli.ts';
import { reportStateFileError } from './state-file-error.ts';
import { statePath, withState, writeState } from './state-store.ts';

/**
 * A fake `ipmitool` for a Supermicro H12 BMC: the raw commands the user's hs-fan-daemon.sh sends
 * (`raw 0x30 0x45 0x00` read mode, `raw 0x30 0x45 0x01 <mode>` set mode,
 * `raw 0x30 0x70 0x66 0x01 <zone> <duty>` set duty, `… 0x66 0x00 <zone>` read duty) and
 * `sensor` for fan RPMs. Every invocation is recorded in the state file so tests can assert
 * exactly what was sent. `ipmitool sim …` drives the simulated host (load, faults).
 */

const NO_DEVICE =
  'Could not open device at /dev/ipmi0 or /dev/ipmi/0 or /dev/ipmidev/0: No such file or directory\n';
/** Options of the real tool that take a value; skipped before the command. */
const VALUE_OPTIONS = new Set(['-I', '-H', '-U', '-P', '-L', '-p', '-y', '-k', '-t', '-b', '-T', '-B', '-f']);

const hex2 = (value: number) => value.toString(16).padStart(2, '0');

function parseByte(text: string): number | undefined {
  const value = /^0x[0-9a-f]{1,2}$/i.test(text)
    ? Number.parseInt(text, 16)
    : /^\d{1,3}$/.test(text)
      ? Number(text)
      : NaN;
  return Number.isInteger(value) && value >= 0 && value <= 0xff ? value : undefined;
}

type Outcome = { code: number; out?: string; err?: string };

function rawError(netfn: number, cmd: number, rsp: number, text: string): Outcome {
  return {
    code: 1,
    err: `Unable to send RAW command (channel=0x0 netfn=0x${netfn.toString(16)} lun=0x0 cmd=0x${cmd.toString(16)} rsp=0x${rsp.toString(16)}): ${text}\n`,
  };
}

function raw(state: IpmiSimState, bytes: readonly number[]): Outcome {
  const [netfn, cmd, ...data] = bytes;
  if (netfn === undefined || cmd === undefined) return { code: 1, err: 'Not enough parameters given.\n' };
  const invalidData = () => rawError(netfn, cmd, 0xcc, 'Invalid data field in request');
  if (netfn === 0x30 && cmd === 0x45) {
    if (data.length === 1 && data[0] === 0x00) return { code: 0, out: ` ${hex2(state.bmc.mode)}\n` };
    if (data.length === 2 && data[0] === 0x01) {
      const mode = data[1] ?? -1;
      if (!(Object.values(BMC_MODES) as number[]).includes(mode)) return invalidData();
      // A mode change hands every zone back to the BMC's own level for that mode.
      state.bmc = { mode, duties: {} };
      return { code: 0, out: '' };
    }
    return invalidData();
  }
  if (netfn === 0x30 && cmd === 0x70 && data[0] === 0x66) {
    const [, op, zone, duty] = data;
    if (zone === undefined || zone > 0x03) return invalidData();
    if (op === 0x00 && data.length === 3) return { code: 0, out: ` ${hex2(effectiveDuty(state, zone))}\n` };
    if (op === 0x01 && data.length === 4 && duty !== undefined) {
      if (duty > 100) return invalidData();
      state.bmc.duties[String(zone)] = duty;
      return { code: 0, out: '' };
    }
    return invalidData();
  }
  return rawError(netfn, cmd, 0xc1, 'Invalid command');
}

/** `ipmitool sensor`: the fan lines the user watches (`ipmitool sensor | grep -i fan`). */
function sensorList(state: IpmiSimState): string {
  const fans = [
    ...['FAN1', 'FAN2', 'FAN3', 'FAN4'].map((name) => ({ name, zone: 0x00 })),
    ...['FANA', 'FANB'].map((name) => ({ name, zone: 0x01 })),
  ];
  const rows = fans.map(({ name, zone }) => {
    const rpm = Math.round(((effectiveDuty(state, zone) / 100) * 3000) / 140) * 140;
    return `${name.padEnd(17)}| ${rpm.toFixed(3).padEnd(11)}| RPM        | ok    | na        | 140.000   | 280.000   | 3640.000  | 3780.000  | na        `;
  });
  const cpu = Math.round(state.temperatureC);
  rows.unshift(
    `CPU Temp         | ${cpu.toFixed(3).padEnd(11)}| degrees C  | ok    | 0.000     | 0.000     | 0.000     | 95.000    | 100.000   | 100.000   `,
  );
  return `${rows.join('\n')}\n`;
}

function run(state: IpmiSimState, args: readonly string[]): Outcome {
  const [command, ...rest] = args;
  if (command === 'raw') {
    const bytes = rest.map(parseByte);
    if (bytes.some((b) => b === undefined)) return { code: 1, err: `Invalid raw data: ${rest.join(' ')}\n` };
    return raw(state, bytes as number[]);
  }
  if (command === 'sensor' && (rest.length === 0 || rest[0] === 'list'))
    return { code: 0, out: sensorList(state) };
  if (command === 'mc' && rest[0] === 'info') {
    return {
      code: 0,
      out: 'Device ID                 : 32\nManufacturer Name         : Super Micro Computer Inc.\n',
    };
  }
  return { code: 1, err: `Invalid command: ${args.join(' ')}\n` };
}

export async function runIpmitool(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const path = statePath(io.env);
  if (argv[0] === 'sim') return sim(argv.slice(1), path, io);
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (args.length === 0 && VALUE_OPTIONS.has(arg)) i++;
    else if (args.length > 0 || !arg.startsWith('-')) args.push(arg);
  }
  let fault: IpmiSimState['faults']['ipmitool'];
  let outcome: Outcome;
  try {
    ({ fault, outcome } = withState(path, (state) => {
      const fault = state.faults.ipmitool;
      const outcome: Outcome = fault === 'none' ? run(state, args) : { code: 1, err: NO_DEVICE };
      state.commands.push({ at: new Date().toISOString(), args, ok: fault === 'none' && outcome.code === 0 });
      return { fault, outcome };
    }));
  } catch (error) {
    return reportStateFileError(error, io);
  }
  if (fault === 'hang') {
    await new Promise((resolve) => setTimeout(resolve, HANG_MS));
    return 1;
  }
  if (outcome.out) io.out(outcome.out);
  if (outcome.err) io.err(outcome.err);
  return outcome.code;
}

function option(args: readonly string[], name: string): number | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value)) throw new Error(`${name} needs a number`);
  return value;
}

function pick<T extends string>(options: readonly T[], value: string | undefined, what: string): T {
  const found = options.find((option) => option === value);
  if (!found) throw new Error(`${what}: one of ${options.join(', ')}`);
  return found;
}

function sim(args: readonly string[], path: string, io: CliIo): number {
  const [verb, ...rest] = args;
  try {
    switch (verb) {
      case 'init': {
        const mode = rest.includes('--mode') ? rest[rest.indexOf('--mode') + 1] : undefined;
        if (mode !== undefined && !(mode in BMC_MODES))
          throw new Error(`--mode: one of ${Object.keys(BMC_MODES).join(', ')}`);
        const numbers = {
          ambientC: option(rest, '--ambient'),
          load: option(rest, '--load'),
          sockets: option(rest, '--sockets'),
          noiseC: option(rest, '--noise'),
          timeScale: option(rest, '--time-scale'),
          stepPerReadSec: option(rest, '--step-per-read'),
        };
        const defined = Object.fromEntries(Object.entries(numbers).filter(([, v]) => v !== undefined));
        writeState(path, createIpmiSimState({ ...defined, ...(mode ? { mode: mode as BmcModeName } : {}) }));
        io.out(`simulated H12 host written to ${path}\n`);
        return 0;
      }
      case 'load':
      case 'ambient': {
        const value = Number(rest[0]);
        if (!Number.isFinite(value) || (verb === 'load' && (value < 0 || value > 1))) {
          throw new Error(verb === 'load' ? 'load: a number from 0 to 1' : 'ambient: a temperature in °C');
        }
        withState(path, (state) => {
          if (verb === 'load') state.load = value;
          else state.ambientC = value;
        });
        return 0;
      }
      case 'fault': {
        const [target, kind] = rest;
        withState(path, (state) => {
          if (target === 'clear') state.faults = { sensors: 'none', ipmitool: 'none' };
          else if (target === 'sensors')
            state.faults.sensors = pick(sensorFaultSchema.options, kind, 'fault sensors');
          else if (target === 'ipmitool')
            state.faults.ipmitool = pick(ipmiFaultSchema.options, kind, 'fault ipmitool');
          else throw new Error('fault: sensors <kind>, ipmitool <kind>, or clear');
        });
        return 0;
      }
      case 'show': {
        const summary = withState(path, (state) => ({
          temperatureC: Math.round(state.temperatureC * 10) / 10,
          load: state.load,
          ambientC: state.ambientC,
          mode: modeName(state.bmc.mode),
          dutyPct: { '0x00': effectiveDuty(state, 0x00), '0x01': effectiveDuty(state, 0x01) },
          coolingDutyPct: coolingDuty(state),
          simTimeSec: Math.round(state.simTimeSec),
          faults: state.faults,
          commands: state.commands.length,
        }));
        io.out(`${JSON.stringify(summary, null, 2)}\n`);
        return 0;
      }
      case 'commands': {
        const commands = withState(path, (state) => state.commands);
        for (const command of commands)
          io.out(`${command.at} ${command.ok ? 'ok  ' : 'FAIL'} ipmitool ${command.args.join(' ')}\n`);
        return 0;
      }
      default:
        io.err(
          'usage: ipmitool sim init [--ambient C] [--load 0..1] [--sockets N] [--noise C] [--time-scale X] [--step-per-read S] [--mode optimal|full|heavy_io|standard]\n' +
            '       ipmitool sim load 0..1 | ambient C | fault sensors|ipmitool <kind> | fault clear | show | commands\n',
        );
        return 2;
    }
  } catch (error) {
    if (error instanceof StateFileError) return reportStateFileError(error, io);
    io.err(`ipmitool sim: ${(error as Error).message}\n`);
    return 2;
  }
}
