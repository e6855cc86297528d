import type { CommandRunner } from '../../utils/runner.ts';

/**
 * The CPU temperature that drives the chassis fans: the hottest `Tctl` across every k10temp chip
 * (one per EPYC socket), from lm-sensors. `sensors -j` first; an lm-sensors too old for -j
 * (before 3.5) is read through its text output, the way the user's awk does, from then on.
 * Chips other than the configured one (an NVMe drive's "Composite", the board's acpitz) never count.
 */

export interface SensorSpec {
  command: string;
  /** Chip name prefix: `k10temp` matches k10temp-pci-00c3. */
  chip: string;
  label: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
}

export type CpuReading =
  | { ok: true; temperatureC: number; values: { chip: string; celsius: number }[] }
  | { ok: false; reason: string };

type Values = { chip: string; celsius: number }[];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `sensors -j`: `{ "k10temp-pci-00c3": { "Tctl": { "temp1_input": 45.25 } } }`. */
export function parseSensorsJson(doc: unknown, chip: string, label: string): Values {
  if (!isRecord(doc)) return [];
  const values: Values = [];
  for (const [name, features] of Object.entries(doc)) {
    if (!name.startsWith(chip) || !isRecord(features)) continue;
    const feature = features[label];
    if (!isRecord(feature)) continue;
    const input = Object.entries(feature).find(([key]) => /^temp\d+_input$/.test(key))?.[1];
    if (typeof input === 'number' && Number.isFinite(input)) values.push({ chip: name, celsius: input });
  }
  return values;
}

/** Plain `sensors`: blocks separated by blank lines, the chip name first, `Tctl:  +45.2°C` lines. */
export function parseSensorsText(text: string, chip: string, label: string): Values {
  const values: Values = [];
  const line = new RegExp(
    `^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s+([+-]?\\d+(?:\\.\\d+)?)\\s*°?C`,
  );
  for (const block of text.split(/\n\s*\n/)) {
    const [name = '', ...rest] = block.trim().split('\n');
    if (!name.startsWith(chip)) continue;
    for (const row of rest) {
      const match = line.exec(row.trim());
      if (match?.[1]) values.push({ chip: name, celsius: Number(match[1]) });
    }
  }
  return values;
}

export class CpuTemperatureReader {
  /** Switches to 'text' for good once `sensors -j` turns out not to exist. */
  private format: 'json' | 'text' = 'json';

  constructor(
    private readonly runner: CommandRunner,
    private readonly spec: SensorSpec,
    private readonly onFallback: (message: string) => void = () => undefined,
  ) {}

  describe(): string {
    return `${this.spec.chip} ${this.spec.label} (${this.spec.command}${this.format === 'json' ? ' -j' : ''})`;
  }

  async read(): Promise<CpuReading> {
    if (this.format === 'json') {
      const json = await this.run(['-j']);
      if (!json.ok) return json;
      let doc: unknown;
      try {
        doc = JSON.parse(json.stdout);
      } catch {
        // sensors exits 1 and prints nothing for real failures ("No sensors found!"); only an
        // unknown -j (or output that is not JSON at all) means an lm-sensors without JSON.
        if (json.stdout.trim() === '' && !/invalid option|unrecognized option/i.test(json.stderr)) {
          return { ok: false, reason: `${this.spec.command} -j: ${firstLine(json.stderr) || 'no output'}` };
        }
        this.format = 'text';
        this.onFallback(`${this.spec.command} -j is not supported here; reading its text output instead`);
        return this.read();
      }
      return this.pick(
        parseSensorsJson(doc, this.spec.chip, this.spec.label),
        `${this.spec.command} -j`,
        json.stderr,
      );
    }
    const text = await this.run([]);
    if (!text.ok) return text;
    return this.pick(
      parseSensorsText(text.stdout, this.spec.chip, this.spec.label),
      this.spec.command,
      text.stderr,
    );
  }

  private pick(values: Values, what: string, stderr: string): CpuReading {
    if (values.length === 0) {
      const why = firstLine(stderr);
      return {
        ok: false,
        reason: `${what}: no ${this.spec.chip}* ${this.spec.label} reading${why ? ` (${why})` : ''}`,
      };
    }
    return { ok: true, temperatureC: Math.max(...values.map((v) => v.celsius)), values };
  }

  /** Like the script, output counts even when sensors exits non-zero (one bad chip fails the exit code). */
  private async run(
    args: string[],
  ): Promise<{ ok: true; stdout: string; stderr: string } | { ok: false; reason: string }> {
    const result = await this.runner.run(this.spec.command, args, {
      timeoutMs: this.spec.timeoutMs,
      ...(this.spec.env ? { env: this.spec.env } : {}),
    });
    if (result.timedOut) {
      return { ok: false, reason: `${result.command}: no answer within ${this.spec.timeoutMs / 1000} s` };
    }
    if (result.code !== 0 && result.stdout.trim() === '') {
      const why =
        firstLine(result.stderr) ||
        (result.signal ? `killed by ${result.signal}` : `exit code ${result.code}`);
      if (this.format === 'json' && /invalid option|unrecognized option/i.test(result.stderr)) {
        return { ok: true, stdout: '', stderr: result.stderr };
      }
      return { ok: false, reason: `${result.command}: ${why}` };
    }
    return { ok: true, stdout: result.stdout, stderr: result.stderr };
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
