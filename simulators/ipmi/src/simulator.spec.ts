import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runIpmitool } from './ipmitool-cli.ts';
import { advance, createIpmiSimState, steadyTemperature, type IpmiSimState } from './model.ts';
import { runSensors } from './sensors-cli.ts';
import { readState, STATE_ENV, withState, writeState } from './state-store.ts';

describe('simulated Supermicro H12 host', () => {
  let dir: string;
  let path: string;
  let io: {
    out: (t: string) => void;
    err: (t: string) => void;
    env: NodeJS.ProcessEnv;
    stdout: string;
    stderr: string;
  };
  const ipmitool = async (...args: string[]) => {
    io.stdout = '';
    io.stderr = '';
    return runIpmitool(args, io);
  };
  const sensors = async (...args: string[]) => {
    io.stdout = '';
    io.stderr = '';
    return runSensors(args, io);
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-ipmi-'));
    path = join(dir, 'state.json');
    writeState(path, createIpmiSimState({ stepPerReadSec: 5 }));
    io = {
      stdout: '',
      stderr: '',
      env: { [STATE_ENV]: path },
      out: (t) => (io.stdout += t),
      err: (t) => (io.stderr += t),
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the raw fan commands of hs-fan-daemon.sh like an H12 BMC', async () => {
    expect(await ipmitool('raw', '0x30', '0x45', '0x00')).toBe(0);
    expect(io.stdout).toBe(' 02\n'); // Optimal, the factory setting
    expect(await ipmitool('raw', '0x30', '0x45', '0x01', '0x01')).toBe(0);
    expect(await ipmitool('raw', '0x30', '0x70', '0x66', '0x00', '0x00')).toBe(0);
    expect(io.stdout).toBe(' 64\n'); // Full Speed: every zone at 100 % until told otherwise
    expect(await ipmitool('-I', 'open', 'raw', '0x30', '0x70', '0x66', '0x01', '0x00', '0x28')).toBe(0);
    await ipmitool('raw', '0x30', '0x70', '0x66', '0x00', '0x00');
    expect(io.stdout).toBe(' 28\n');
    expect(await ipmitool('raw', '0x30', '0x70', '0x66', '0x01', '0x00', '0x65')).toBe(1);
    expect(io.stderr).toBe(
      'Unable to send RAW command (channel=0x0 netfn=0x30 lun=0x0 cmd=0x70 rsp=0xcc): Invalid data field in request\n',
    );
    expect(readState(path).commands.map((c) => [c.args.join(' '), c.ok])).toEqual([
      ['raw 0x30 0x45 0x00', true],
      ['raw 0x30 0x45 0x01 0x01', true],
      ['raw 0x30 0x70 0x66 0x00 0x00', true],
      ['raw 0x30 0x70 0x66 0x01 0x00 0x28', true],
      ['raw 0x30 0x70 0x66 0x00 0x00', true],
      ['raw 0x30 0x70 0x66 0x01 0x00 0x65', false],
    ]);
  });

  it('ignores written duty outside Full Speed mode, and a mode change resets it', async () => {
    await ipmitool('raw', '0x30', '0x70', '0x66', '0x01', '0x00', '0x14');
    await ipmitool('raw', '0x30', '0x70', '0x66', '0x00', '0x00');
    expect(io.stdout).toBe(' 1e\n'); // Optimal runs its own 30 %
    await ipmitool('raw', '0x30', '0x45', '0x01', '0x04');
    await ipmitool('raw', '0x30', '0x70', '0x66', '0x00', '0x01');
    expect(io.stdout).toBe(' 3c\n'); // Heavy I/O: 60 %
  });

  it('fails like ipmitool without a BMC device when told to', async () => {
    withState(path, (s) => (s.faults.ipmitool = 'error'));
    expect(await ipmitool('raw', '0x30', '0x45', '0x00')).toBe(1);
    expect(io.stderr).toContain('Could not open device at /dev/ipmi0');
    expect(readState(path).commands.at(-1)).toMatchObject({
      args: ['raw', '0x30', '0x45', '0x00'],
      ok: false,
    });
  });

  it('prints Tctl per socket as text and as -j JSON, in k10temp steps of 1/8 °C', async () => {
    expect(await sensors()).toBe(0);
    expect(io.stdout).toMatch(/^k10temp-pci-00c3\nAdapter: PCI adapter\nTctl: +\+\d+\.\d°C {2}\n/);
    expect(io.stdout).toContain('\nk10temp-pci-00cb\n');
    expect(await sensors('-j')).toBe(0);
    const doc = JSON.parse(io.stdout) as Record<string, { Tctl?: { temp1_input: number } }>;
    const tctl = doc['k10temp-pci-00c3']?.Tctl?.temp1_input ?? NaN;
    expect((tctl * 8) % 1).toBe(0);
    expect(doc['k10temp-pci-00cb']?.Tctl?.temp1_input).toBeLessThan(tctl);
    expect(Object.keys(doc)).toContain('nvme-pci-0100');
  });

  it.each([
    ['error', [], 1, 'No sensors found!'],
    ['no-json', ['-j'], 1, "sensors: invalid option -- 'j'"],
  ] as const)('sensors fault %s', async (fault, args, code, message) => {
    withState(path, (s) => (s.faults.sensors = fault));
    expect(await sensors(...args)).toBe(code);
    expect(io.stderr).toContain(message);
  });

  it('leaves k10temp out with the no-tctl fault', async () => {
    withState(path, (s) => (s.faults.sensors = 'no-tctl'));
    expect(await sensors()).toBe(0);
    expect(io.stdout).not.toContain('k10temp');
  });

  it('heats with load and cools with duty', () => {
    const at = (load: number, duty: number): number => {
      const state: IpmiSimState = createIpmiSimState({ load, mode: 'full' });
      state.bmc.duties = { '0': duty, '1': duty };
      return steadyTemperature(state);
    };
    expect(at(0.05, 40)).toBeCloseTo(40.2, 1);
    expect(at(1, 100)).toBeCloseTo(66, 0);
    expect(at(1, 40)).toBeGreaterThan(80);
    expect(at(0.6, 70)).toBeCloseTo(58.4, 1);
    const state = createIpmiSimState({ load: 0.05, mode: 'full' });
    state.load = 1;
    advance(state, 30);
    const halfway = state.temperatureC;
    advance(state, 600);
    expect(halfway).toBeGreaterThan(40);
    expect(halfway).toBeLessThan(state.temperatureC);
    expect(state.temperatureC).toBeCloseTo(at(1, 100), 1);
  });

  it('advances one step per sensors read in stepping mode, and records the simulated time', async () => {
    withState(path, (s) => (s.load = 1));
    await sensors();
    await sensors();
    expect(readState(path).simTimeSec).toBe(10);
  });

  it('names a broken state file and the way out, exit 1, instead of a stack trace', async () => {
    writeFileSync(path, '{"version": 1, "bmc": {');
    const broken =
      /state\.json is not a valid simulator state \(.+\); fix it, or delete it to start from a fresh host\n$/;
    expect(await sensors()).toBe(1);
    expect(io.stderr).toMatch(broken);
    expect(await ipmitool('raw', '0x30', '0x45', '0x00')).toBe(1);
    expect(io.stderr).toMatch(broken);
    expect(await ipmitool('sim', 'load', '0.5')).toBe(1);
    expect(io.stderr).toMatch(broken);
    // What the message says works: a fresh host answers again.
    rmSync(path);
    expect(await ipmitool('raw', '0x30', '0x45', '0x00')).toBe(0);
  });
});

describe('the sensors and ipmitool executables', () => {
  const bin = (name: string) => fileURLToPath(new URL(`../bin/${name}`, import.meta.url));

  it('print one line for a broken state file, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-ipmi-bin-'));
    try {
      const path = join(dir, 'state.json');
      writeFileSync(path, 'not json');
      for (const [name, args] of [
        ['sensors', []],
        ['ipmitool', ['raw', '0x30', '0x45', '0x00']],
      ] as const) {
        const run = spawnSync(bin(name), args, {
          env: { ...process.env, [STATE_ENV]: path },
          encoding: 'utf8',
        });
        expect(run.status).toBe(1);
        expect(run.stderr.trimEnd().split('\n')).toEqual([
          expect.stringContaining(`${path} is not a valid simulator state`),
        ]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
