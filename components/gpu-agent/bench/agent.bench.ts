/**
 * `npm run bench:gpu-agent`: issue #6 item 10 — the agent at 1 Hz with 8 simulated GPUs.
 *
 *  1. Resources: the real agent process (main.ts) in write mode against the fake nvidia-smi and
 *     nvidia-settings, 8 GPUs, poll 1 s; CPU time (agent, its nvidia-smi reader, its write commands)
 *     extrapolated to an hour, and peak RSS, read from /proc. `--nvml` adds the NVML path against
 *     the stand-in libnvidia-ml (2 static GPUs; needs cc).
 *  2. Control quality: the real control engine on the simulator's thermal model in simulated time,
 *     all GPUs stepped from idle to full load, with the user's gpu_config.yaml (and at 1 Hz):
 *     overshoot, settling time, fan and power limit changes per minute at steady state.
 *
 *   npm run bench:gpu-agent -- [--seconds 60] [--warmup 15] [--gpus 8] [--mode write|dry-run]
 *     [--load 1] [--nvml] [--skip-resources] [--skip-control] [--models 2080,4080]
 *     [--ambient 25,30,35,40] [--poll 5,1] [--idle-minutes 10] [--load-minutes 40] [--steady-minutes 10]
 *
 * BENCH_SECONDS sets --seconds's default. Figures are printed, never asserted.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createSimState, STATE_ENV, withState, writeState } from '@skyy/sim-nvidia-smi';
import { BUNDLED_CONFIG, loadGpuConfigFile, requireConfig } from '../agent/config/load-config.ts';
import { FAKE_NVIDIA_SETTINGS, FAKE_NVIDIA_SMI } from '../test/helpers.ts';
import { runLoadStep, type GpuStepResult } from './control-quality.ts';
import { f1, printUsage, STEP_HEADER, stepRow, worstOf } from './report.ts';
import { METRIC_DEFINITIONS } from './control-metrics.ts';
import { FROM_SOURCES, measureAgent } from './resource-usage.ts';
import { buildBundle } from '../scripts/build.ts';

const OPTIONS = {
  seconds: { type: 'string', default: process.env['BENCH_SECONDS'] ?? '60' },
  warmup: { type: 'string', default: '15' },
  gpus: { type: 'string', default: '8' },
  mode: { type: 'string', default: 'write' },
  load: { type: 'string', default: '1' },
  runtime: { type: 'string', default: 'bundle,tsx' },
  nvml: { type: 'boolean', default: false },
  'skip-resources': { type: 'boolean', default: false },
  'skip-control': { type: 'boolean', default: false },
  models: { type: 'string', default: '2080,4080' },
  ambient: { type: 'string', default: '25,30,35,40' },
  poll: { type: 'string', default: '5,1' },
  'idle-minutes': { type: 'string', default: '10' },
  'load-minutes': { type: 'string', default: '40' },
  'steady-minutes': { type: 'string', default: '10' },
} as const;

function parseFlags() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (error) {
    console.error(`bench:gpu-agent: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}
const values = parseFlags();

function numberFlag(name: keyof typeof values, min: number, max = Infinity): number {
  const raw = String(values[name]);
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    const source = name === 'seconds' && process.env['BENCH_SECONDS'] === raw ? 'BENCH_SECONDS' : `--${name}`;
    console.error(
      `${source}: expected a number from ${min}${max === Infinity ? ' up' : ` to ${max}`}, got "${raw}"`,
    );
    process.exit(2);
  }
  return value;
}
const listFlag = (name: 'ambient' | 'poll' | 'models', numeric: boolean): string[] => {
  const items = String(values[name])
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const bad = numeric ? items.find((item) => !Number.isFinite(Number(item)) || Number(item) <= 0) : undefined;
  if (items.length === 0 || bad !== undefined) {
    console.error(
      `--${name}: expected a comma-separated list${numeric ? ' of positive numbers' : ''}, got "${values[name]}"`,
    );
    process.exit(2);
  }
  return items;
};

const seconds = numberFlag('seconds', 1);
const warmupS = numberFlag('warmup', 0);
const gpuCount = numberFlag('gpus', 1, 64);
const load = numberFlag('load', 0, 1);
if (values.mode !== 'write' && values.mode !== 'dry-run') {
  console.error(`--mode: expected write or dry-run, got "${values.mode}"`);
  process.exit(2);
}
const mode = values.mode;
const runtimes = String(values.runtime)
  .split(',')
  .map((item) => item.trim());
if (runtimes.some((r) => r !== 'bundle' && r !== 'tsx')) {
  console.error(`--runtime: expected bundle, tsx or both (comma-separated), got "${values.runtime}"`);
  process.exit(2);
}
const models = listFlag('models', false);
const ambients = listFlag('ambient', true).map(Number);
const polls = listFlag('poll', true).map(Number);
const idleMinutes = numberFlag('idle-minutes', 0);
const loadMinutes = numberFlag('load-minutes', 1);
const steadyMinutes = numberFlag('steady-minutes', 1, loadMinutes);

const userConfig = requireConfig(loadGpuConfigFile(BUNDLED_CONFIG));

console.log(
  `GPU agent benchmark — ${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'}), load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
);

async function resourcePart(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gpu-agent-bench-'));
  try {
    const bundled = readFileSync(BUNDLED_CONFIG, 'utf8');
    const config = bundled.replace(/^poll_interval_sec: .*$/m, 'poll_interval_sec: 1');
    if (config === bundled) throw new Error(`${BUNDLED_CONFIG}: no poll_interval_sec line to set to 1 s`);
    const configPath = join(dir, 'gpu_config.yaml');
    writeFileSync(configPath, config);
    const common = [
      '--config',
      configPath,
      '--listen',
      '127.0.0.1:0',
      '--host',
      'bench',
      mode === 'write' ? '--no-dry-run' : '--dry-run',
    ];

    const entries: { runtime: string; entry: string[] }[] = [];
    for (const runtime of runtimes) {
      if (runtime === 'tsx') {
        entries.push({ runtime: 'from sources: node --import tsx main.ts', entry: FROM_SOURCES });
      } else {
        // Laid out as install.sh installs it: dist/ beside package.json.
        const bundle = await buildBundle(join(dir, 'install', 'dist'));
        copyFileSync(new URL('../package.json', import.meta.url), join(dir, 'install', 'package.json'));
        entries.push({ runtime: 'installed bundle: node dist/gpu-agent.mjs', entry: [bundle] });
      }
    }
    for (const [i, { runtime, entry }] of entries.entries()) {
      const statePath = join(dir, `sim-${i}.json`);
      writeState(statePath, createSimState({ gpus: gpuCount }));
      console.log(
        `\n== Resources: real agent process (${runtime}), ${mode}, poll 1 s, ${gpuCount} simulated GPUs (2080 SUPER / 4080 SUPER), fake nvidia-smi path ==`,
      );
      console.log(
        `warm-up ${warmupS} s (start, detection, startup values) excluded; measured ${seconds} s; ${load > 0 ? `every GPU stepped from idle to load ${load} when the window starts` : 'GPUs idle'}`,
      );
      const smi = await measureAgent({
        entry,
        args: [
          ...common,
          '--state-dir',
          join(dir, `agent-${i}`),
          '--nvidia-smi',
          FAKE_NVIDIA_SMI,
          '--nvidia-settings',
          FAKE_NVIDIA_SETTINGS,
        ],
        env: { ...process.env, [STATE_ENV]: statePath },
        warmupS,
        measureS: seconds,
        atStart: () =>
          withState(statePath, (state) => {
            for (const gpu of state.gpus) gpu.load = load;
          }),
      });
      printUsage(smi, true, mode === 'write');
    }

    if (values.nvml) {
      const library = join(dir, 'libnvidia-ml.so.1');
      const source = new URL('../agent/monitor/nvml/testdata/fake-libnvidia-ml.c', import.meta.url);
      execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', library, source.pathname]);
      console.log(
        `\n== Resources: NVML path (koffi) against the stand-in libnvidia-ml: 2 GPUs with fixed readings (GPU 1's sensor fails, so it sits in fail-safe), ${entries[0]?.runtime}, ${mode}, poll 1 s ==`,
      );
      const nvml = await measureAgent({
        entry: entries[0]?.entry ?? FROM_SOURCES,
        args: [
          ...common,
          '--state-dir',
          join(dir, 'agent-nvml'),
          '--source',
          'nvml',
          '--nvml-library',
          library,
        ],
        env: process.env,
        warmupS,
        measureS: seconds,
      });
      printUsage(nvml, false, mode === 'write');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function controlPart(): Promise<void> {
  console.log(
    `\n== Control quality: real control engine on the thermal model, simulated time, ${gpuCount} GPUs per preset, user's gpu_config.yaml ==`,
  );
  const bandTop = userConfig.defaults.fan_control.max_temp;
  console.log(
    `idle ${idleMinutes} min from the idle equilibrium, then every GPU to full load for ${loadMinutes} min; steady state = last ${steadyMinutes} min. Band top ${bandTop} °C.`,
  );
  for (const line of METRIC_DEFINITIONS) console.log(`  ${line}`);
  const summary: { preset: string; poll: number; ambient: number; worst: GpuStepResult }[] = [];
  for (const model of models) {
    let name = model;
    const rows: string[] = [];
    for (const poll of polls) {
      for (const ambientC of ambients) {
        const results = await runLoadStep({
          model,
          gpus: gpuCount,
          ambientC,
          config: { ...userConfig, poll_interval_sec: poll },
          idleMinutes,
          loadMinutes,
          steadyMinutes,
        });
        name = results[0]?.name ?? model;
        const worst = worstOf(results);
        summary.push({ preset: model, poll, ambient: ambientC, worst });
        rows.push(stepRow(`${poll} s`, ambientC, worst));
      }
    }
    console.log(
      `\n${name} ×${gpuCount} (worst GPU of the ${gpuCount}; GPUs of one model under one load behave alike)`,
    );
    console.log(STEP_HEADER);
    for (const row of rows) console.log(row);
  }
  console.log('\nSummary over all presets');
  const at = (poll: number) => summary.filter((s) => s.poll === poll);
  for (const poll of polls) {
    const runs = at(poll);
    const worstOvershoot = runs.reduce((a, b) => (b.worst.overshootC > a.worst.overshootC ? b : a));
    const unsettled = runs.filter((s) => s.worst.settlingS === undefined);
    const settleTimes = runs.flatMap((s) => (s.worst.settlingS === undefined ? [] : [s.worst.settlingS]));
    const busiest = runs.reduce((a, b) => (b.worst.fanChangesPerMin > a.worst.fanChangesPerMin ? b : a));
    console.log(
      `poll ${poll} s${poll === userConfig.poll_interval_sec ? " (user's)" : ''}: max overshoot ${f1(worstOvershoot.worst.overshootC)} °C (${worstOvershoot.preset}, ${worstOvershoot.ambient} °C room); ` +
        `max settling ${settleTimes.length ? Math.max(...settleTimes) : 0} s${unsettled.length ? `, never below band top + 3 in ${unsettled.map((s) => `${s.preset}/${s.ambient} °C`).join(', ')}` : ''}; ` +
        `max ${f1(busiest.worst.fanChangesPerMin)} fan changes/min at steady state (${busiest.preset}, ${busiest.ambient} °C room); ` +
        `max ${f1(Math.max(...runs.map((s) => s.worst.powerChangesPerMin)))} power limit changes/min`,
    );
  }
}

try {
  if (!values['skip-resources']) await resourcePart();
  if (!values['skip-control']) await controlPart();
} catch (error) {
  // The agent's own output, when it failed, is part of the message.
  console.error(`bench:gpu-agent failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
