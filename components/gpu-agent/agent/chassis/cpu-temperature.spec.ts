import { describe, expect, it } from 'vitest';
import type { CommandRunner, RunResult } from '../../utils/runner.ts';
import { CpuTemperatureReader, parseSensorsJson, parseSensorsText } from './cpu-temperature.ts';

// What lm-sensors 3.6 prints on a dual-socket EPYC host with an NVMe drive and the board's sensors.
const TEXT = `k10temp-pci-00cb
Adapter: PCI adapter
Tctl:         +61.8°C
Tccd1:        +52.5°C
Tccd2:        +50.0°C

nvme-pci-4100
Adapter: PCI adapter
Composite:    +71.9°C  (low  = -273.1°C, high = +84.8°C)
                       (crit = +84.8°C)
Sensor 1:     +71.9°C  (low  = -273.1°C, high = +65261.8°C)

k10temp-pci-00c3
Adapter: PCI adapter
Tctl:         +57.1°C
Tccd1:        +49.2°C

acpitz-acpi-0
Adapter: ACPI interface
temp1:        +16.8°C
`;

const JSON_OUTPUT = {
  'k10temp-pci-00cb': { Adapter: 'PCI adapter', Tctl: { temp1_input: 61.75 }, Tccd1: { temp3_input: 52.5 } },
  'nvme-pci-4100': { Adapter: 'PCI adapter', Composite: { temp1_input: 71.85, temp1_max: 84.85 } },
  'k10temp-pci-00c3': { Adapter: 'PCI adapter', Tctl: { temp1_input: 57.125 } },
};

/** Answers each call from a script and remembers the arguments. */
function scripted(...answers: Partial<RunResult>[]): CommandRunner & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    run: (file, args) => {
      calls.push([file, ...args]);
      const answer = answers.shift() ?? {};
      return Promise.resolve({
        command: [file, ...args].join(' '),
        code: 0,
        signal: null,
        stdout: '',
        stderr: '',
        timedOut: false,
        ...answer,
      });
    },
  };
}

const spec = { command: 'sensors', chip: 'k10temp', label: 'Tctl', timeoutMs: 3000 };

describe('CPU temperature from lm-sensors', () => {
  it('takes the hottest Tctl of every k10temp chip and nothing else (text, as the user awk reads it)', () => {
    expect(parseSensorsText(TEXT, 'k10temp', 'Tctl')).toEqual([
      { chip: 'k10temp-pci-00cb', celsius: 61.8 },
      { chip: 'k10temp-pci-00c3', celsius: 57.1 },
    ]);
    expect(parseSensorsText(TEXT, 'nvme', 'Composite')).toEqual([{ chip: 'nvme-pci-4100', celsius: 71.9 }]);
  });

  it('reads the same from sensors -j', () => {
    expect(parseSensorsJson(JSON_OUTPUT, 'k10temp', 'Tctl')).toEqual([
      { chip: 'k10temp-pci-00cb', celsius: 61.75 },
      { chip: 'k10temp-pci-00c3', celsius: 57.125 },
    ]);
    expect(parseSensorsJson('not an object', 'k10temp', 'Tctl')).toEqual([]);
  });

  it('uses sensors -j and reports the maximum', async () => {
    const runner = scripted({ stdout: JSON.stringify(JSON_OUTPUT) });
    const reader = new CpuTemperatureReader(runner, spec);
    expect(await reader.read()).toMatchObject({ ok: true, temperatureC: 61.75 });
    expect(runner.calls).toEqual([['sensors', '-j']]);
    expect(reader.describe()).toBe('k10temp Tctl (sensors -j)');
  });

  it('falls back to the text output for good when -j is unknown (lm-sensors before 3.5)', async () => {
    const notes: string[] = [];
    const runner = scripted(
      { code: 1, stderr: "sensors: invalid option -- 'j'\nTry `sensors --help' for more information.\n" },
      { stdout: TEXT },
      { stdout: TEXT },
    );
    const reader = new CpuTemperatureReader(runner, spec, (note) => notes.push(note));
    expect(await reader.read()).toMatchObject({ ok: true, temperatureC: 61.8 });
    expect(await reader.read()).toMatchObject({ ok: true, temperatureC: 61.8 });
    expect(runner.calls).toEqual([['sensors', '-j'], ['sensors'], ['sensors']]);
    expect(notes).toEqual(['sensors -j is not supported here; reading its text output instead']);
    expect(reader.describe()).toBe('k10temp Tctl (sensors)');
  });

  it('counts output even when sensors exits non-zero (one failing chip fails the exit code)', async () => {
    const runner = scripted({
      code: 1,
      stdout: JSON.stringify(JSON_OUTPUT),
      stderr: "ERROR: Can't get value of subfeature temp2_input",
    });
    expect(await new CpuTemperatureReader(runner, spec).read()).toMatchObject({
      ok: true,
      temperatureC: 61.75,
    });
  });

  it.each([
    [
      'no sensors at all',
      { code: 1, stderr: 'No sensors found!\nMake sure you loaded all the kernel drivers you need.\n' },
      'sensors -j: No sensors found!',
    ],
    [
      'a hung call',
      { code: null, signal: 'SIGKILL' as const, timedOut: true },
      'sensors -j: no answer within 3 s',
    ],
    [
      'k10temp not loaded',
      { stdout: JSON.stringify({ 'nvme-pci-4100': JSON_OUTPUT['nvme-pci-4100'] }) },
      'sensors -j: no k10temp* Tctl reading',
    ],
  ])('fails with a reason on %s', async (_, answer, reason) => {
    const runner = scripted(answer);
    const reading = await new CpuTemperatureReader(runner, spec).read();
    expect(reading).toEqual({ ok: false, reason });
    expect(runner.calls).toHaveLength(1);
  });
});
