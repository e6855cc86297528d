import { readFileSync } from 'node:fs';
import { formatYamlIssue } from '@skyy/contracts';
import { describe, expect, it } from 'vitest';
import { effectiveConfig, shutdownAction, warningTemp } from './effective-config.ts';
import { BUNDLED_CONFIG, loadGpuConfigFile, parseGpuConfig, requireConfig } from './load-config.ts';

const userText = readFileSync(BUNDLED_CONFIG, 'utf8');

function issuesOf(text: string) {
  const result = parseGpuConfig(text, 'gpu_config.yaml');
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.issues.map(formatYamlIssue);
}

describe('gpu_config.yaml', () => {
  it("loads the user's file unchanged", () => {
    const config = requireConfig(loadGpuConfigFile(BUNDLED_CONFIG));
    expect(config.poll_interval_sec).toBe(5);
    expect(config.protection).toMatchObject({
      enable_auto_shutdown: true,
      shutdown_temp: 90,
      max_fan_on_warning: true,
    });
    expect(config.defaults.fan_control).toEqual({
      min_temp: 45,
      max_temp: 55,
      min_speed: 30,
      max_speed: 100,
      gain: 1,
      max_step: 5,
    });
    expect(config.defaults.startup).toEqual({ init_fan_speed: 70, init_power_limit_pct: 80 });
    expect(config.gpus).toEqual([]);
    expect(warningTemp(config)).toBe(85);
    expect(shutdownAction(config)).toBe('shutdown');
  });

  it('names the key and line of an out-of-range value', () => {
    const text = userText.replace('max_speed: 100 ', 'max_speed: 120 ');
    expect(issuesOf(text)).toEqual([
      expect.stringMatching(/^gpu_config\.yaml:15:5: defaults\.fan_control\.max_speed: /),
    ]);
  });

  it('names the line of a misspelt key instead of ignoring it', () => {
    const text = userText.replace('min_speed: 30', 'min_sped: 30');
    expect(issuesOf(text)).toEqual([
      'gpu_config.yaml:11:3: defaults.fan_control.min_speed: Invalid input: expected number, received undefined',
      'gpu_config.yaml:14:5: defaults.fan_control.min_sped: unknown key (check the spelling)',
    ]);
  });

  it('checks a band after merging a per-GPU override with the defaults', () => {
    const text = `${userText}\ngpus:\n  - model: "4080"\n    fan_control:\n      max_temp: 40\n`;
    expect(issuesOf(text)).toEqual([
      'gpu_config.yaml:32:7: gpus[0].fan_control.max_temp: must be above min_temp',
    ]);
  });

  it('wants exactly one way to pick a GPU', () => {
    const text = `${userText}\ngpus:\n  - index: 0\n    model: "4080"\n`;
    expect(issuesOf(text)).toEqual([
      'gpu_config.yaml:30:5: gpus[0]: set exactly one of index, uuid or model',
    ]);
  });

  it('refuses action: shutdown without enable_auto_shutdown', () => {
    const text = userText.replace(
      'enable_auto_shutdown: true',
      'enable_auto_shutdown: false\n  action: shutdown',
    );
    expect(issuesOf(text)).toEqual([
      expect.stringContaining('protection.action: action "shutdown" needs enable_auto_shutdown: true'),
    ]);
  });
});

describe('per-GPU settings', () => {
  const text = `${userText}
gpus:
  - uuid: GPU-5eed0000-0000-4000-8000-000000000001
    fan_control: { max_step: 2 }
  - model: "4080"
    fan_control: { min_speed: 40, max_step: 10, floor: 45 }
    power_control: { unit: watts, min_pl: 200, max_pl: 320 }
  - index: 1
    fan_control: { max_step: 3, gain: 2 }
    startup: { init_fan_speed: 60 }
`;
  const config = requireConfig(parseGpuConfig(text, 'gpu_config.yaml'));

  it('applies model, then index, then UUID, so the most specific entry wins', () => {
    const gpu = effectiveConfig(config, {
      uuid: 'GPU-5eed0000-0000-4000-8000-000000000001',
      index: 1,
      name: 'NVIDIA GeForce RTX 4080 SUPER',
    });
    expect(gpu.fan).toMatchObject({ min_speed: 40, floor: 45, gain: 2, max_step: 2, hysteresis: 2 });
    expect(gpu.power).toMatchObject({ unit: 'watts', min_pl: 200, max_pl: 320 });
    expect(gpu.startup).toEqual({ init_fan_speed: 60, init_power_limit_pct: 80 });
    expect(gpu.matchedBy).toEqual([
      'defaults',
      'model "4080"',
      'index 1',
      'uuid GPU-5eed0000-0000-4000-8000-000000000001',
    ]);
  });

  it('leaves other GPUs on the defaults', () => {
    const gpu = effectiveConfig(config, {
      uuid: 'GPU-other',
      index: 0,
      name: 'NVIDIA GeForce RTX 2080 SUPER',
    });
    expect(gpu.fan).toEqual({ ...config.defaults.fan_control, hysteresis: 2, floor: 0 });
    expect(gpu.matchedBy).toEqual(['defaults']);
  });
});
