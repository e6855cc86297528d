import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatYamlIssue } from '@skyy/contracts';
import { describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG, parseGpuConfig, requireConfig } from './load-config.ts';

const userText = readFileSync(BUNDLED_CONFIG, 'utf8');
const EXAMPLE = join(
  dirname(createRequire(import.meta.url).resolve('@skyy/sim-ipmi')),
  '..',
  'examples',
  'gpu_config.yaml',
);

const parse = (text: string) => parseGpuConfig(text, 'gpu_config.yaml');
function issuesOf(text: string): string[] {
  const result = parse(text);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.issues.map(formatYamlIssue);
}

/** The values of the user's hs-fan-daemon.sh and its systemd unit (FAN_ZONES=0x00,0x01, FAN_MIN_LEVEL=40, POLL_INTERVAL=5). */
const SCRIPT_DEFAULTS = {
  enabled: true,
  poll_interval_sec: 5,
  zones: [0x00, 0x01],
  min_level: 40,
  hysteresis: 2,
  thresholds: [35, 40, 45, 50, 55, 60, 65, 70],
  sensor: { command: 'sensors', chip: 'k10temp', label: 'Tctl' },
  ipmitool: 'ipmitool',
  restore_mode: 'heavy_io',
  command_timeout_sec: 3,
};

describe('chassis: block of gpu_config.yaml', () => {
  it('is absent from the user file: no chassis control', () => {
    expect(requireConfig(parse(userText)).chassis).toBeUndefined();
  });

  it('`chassis: {}` means the user daemon, default for default', () => {
    expect(requireConfig(parse(`${userText}\nchassis: {}\n`)).chassis).toEqual(SCRIPT_DEFAULTS);
  });

  it('the documented example spells out the same defaults', () => {
    expect(requireConfig(parse(readFileSync(EXAMPLE, 'utf8'))).chassis).toEqual(SCRIPT_DEFAULTS);
  });

  it('takes zones as the unit file writes them, quoted or not', () => {
    const config = requireConfig(parse(`${userText}\nchassis:\n  zones: ["0x00", 0x01, 2]\n`));
    expect(config.chassis?.zones).toEqual([0, 1, 2]);
  });

  it('names key and line of every mistake', () => {
    const text = `${userText}
chassis:
  zones: [0x00, 0x00]
  min_level: 45
  thresholds: [35, 40, 38, 50, 55, 60, 65, 70]
  sensor: { chips: k10temp }
  restore_mode: auto
  poll_interval_sec: 0
`;
    const base = userText.split('\n').length;
    expect(issuesOf(text)).toEqual([
      `gpu_config.yaml:${base + 7}:3: chassis.poll_interval_sec: Too small: expected number to be >=0.05`,
      `gpu_config.yaml:${base + 3}:3: chassis.min_level: must be a multiple of 10`,
      `gpu_config.yaml:${base + 5}:13: chassis.sensor.chips: unknown key (check the spelling)`,
      `gpu_config.yaml:${base + 6}:3: chassis.restore_mode: Invalid option: expected one of "optimal"|"heavy_io"|"full"`,
    ]);
    // Cross-field checks run once the fields themselves are valid.
    expect(
      issuesOf(
        `${userText}\nchassis:\n  zones: [0x00, 0x00]\n  thresholds: [35, 40, 38, 50, 55, 60, 65, 70]\n`,
      ),
    ).toEqual([
      `gpu_config.yaml:${base + 3}:24: chassis.thresholds[2]: must be above the previous threshold (40)`,
      `gpu_config.yaml:${base + 2}:17: chassis.zones[1]: zone listed twice`,
    ]);
  });
});
