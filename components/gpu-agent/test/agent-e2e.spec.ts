import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gpuAgentStateSchema, type GpuAgentState } from '@skyy/contracts';
import { createSimState, STATE_ENV, withState, writeState } from '@skyy/sim-nvidia-smi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent, type RunningAgent } from '../agent/bootstrap/run-agent.ts';
import { BUNDLED_CONFIG } from '../agent/config/load-config.ts';
import { createLogger } from '../utils/logger.ts';
import { FAKE_NVIDIA_SETTINGS, FAKE_NVIDIA_SMI, waitFor } from './helpers.ts';
import { promtoolProblems } from '../../../scripts/testing/promtool.ts';

/**
 * The whole agent in dry-run, reading through ONE long-running fake nvidia-smi, with its HTTP API:
 * what an operator sees with `npm run gpu-agent -- --dry-run --nvidia-smi simulators/nvidia-smi/bin/nvidia-smi`.
 */

const TOKEN = 'e2e-agent-token';
// Short polls keep the test quick; 1 s leaves the fake nvidia-smi (a node process) room on a busy machine.
const POLL_SEC = 1;

describe('gpu-agent end to end against the fake nvidia-smi (dry-run)', () => {
  let dir: string;
  let statePath: string;
  let running: RunningAgent;
  const logLines: string[] = [];

  const api = async (path: string, init?: RequestInit) => fetch(`${running.url}${path}`, init);
  const state = async (): Promise<GpuAgentState> =>
    gpuAgentStateSchema.parse(await (await api('/state')).json());
  let latest: GpuAgentState | undefined;
  const until = async (check: (s: GpuAgentState) => boolean) => {
    await waitFor(() => latest !== undefined && check(latest), 30_000, 100);
  };

  let poller: NodeJS.Timeout;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-agent-e2e-'));
    statePath = join(dir, 'sim.json');
    const sim = createSimState({ models: ['2080', '4080'] });
    const hot = sim.gpus[0];
    if (hot) {
      hot.load = 1;
      hot.temperatureC = 72;
    }
    writeState(statePath, sim);
    const configPath = join(dir, 'gpu_config.yaml');
    writeFileSync(
      configPath,
      readFileSync(BUNDLED_CONFIG, 'utf8').replace('poll_interval_sec: 5', `poll_interval_sec: ${POLL_SEC}`),
    );
    running = await runAgent({
      configPath,
      stateDir: join(dir, 'agent'),
      dryRun: true,
      source: 'nvidia-smi',
      nvidiaSmi: FAKE_NVIDIA_SMI,
      nvidiaSettings: FAKE_NVIDIA_SETTINGS,
      display: ':0',
      listen: '127.0.0.1:0',
      token: TOKEN,
      host: 'e2e-host',
      version: 'test',
      log: createLogger({ write: (line) => logLines.push(line) }),
      env: { ...process.env, [STATE_ENV]: statePath },
    });
    poller = setInterval(() => {
      void state().then(
        (s) => (latest = s),
        () => undefined,
      );
    }, 100);
  });

  afterAll(async () => {
    clearInterval(poller);
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads both simulated GPUs by UUID through nvidia-smi', async () => {
    await until((s) => s.gpus.length === 2 && s.gpus.every((g) => g.reading?.temperatureC !== undefined));
    expect(running.detection.reading).toBe('nvidia-smi');
    expect(latest?.mode).toBe('dry-run');
    expect(latest?.source).toBe('nvidia-smi');
    expect(latest?.gpus.map((g) => g.uuid)).toEqual([
      'GPU-5eed0000-0000-4000-8000-000000000000',
      'GPU-5eed0000-0000-4000-8000-000000000001',
    ]);
  });

  it('decides to move the hot GPU’s fans up toward the band, and only logs it', async () => {
    // 75 %: startup 70 % plus the user's +5 % per 5 s. (The simulated card keeps cooling itself on
    // its own curve in dry-run, so the rule soon pauses: the temperature is already heading down.)
    await until((s) => s.gpus[0]?.status === 'ok' && (s.gpus[0]?.fans[0]?.toPct ?? 0) >= 75);
    expect(latest?.gpus[0]?.status).toBe('ok');
    expect(logLines.some((line) => line.includes('[dry-run] GPU 0 fan 0 → 75 %'))).toBe(true);
    // At this 1 s poll each reading applies its share of the +5 % per 5 s (gain/max_step are per 5 s).
    expect(logLines.some((line) => /°C vs target 50 °C: \+1 % \(\+5 % per 5 s\)/.test(line))).toBe(true);
    // Dry-run: the simulated card still runs its own fan curve, nothing was written to it.
    const sim = withState(statePath, (s) => s.gpus[0]?.fans[0]);
    expect(sim?.manual).toBe(false);
  });

  it('serves Prometheus metrics with the GPU series and the agent’s own counters', async () => {
    const response = await api('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const uuid = 'GPU-5eed0000-0000-4000-8000-000000000000';
    expect(text).toMatch(new RegExp(`^skyy_gpu_temperature_celsius\\{uuid="${uuid}",gpu="0"\\} \\d+`, 'm'));
    expect(text).toMatch(
      new RegExp(`^skyy_gpu_fan_speed_ratio\\{uuid="${uuid}",gpu="0",fan="0"\\} 0\\.\\d+`, 'm'),
    );
    expect(text).toMatch(new RegExp(`^skyy_gpu_power_limit_watts\\{uuid="${uuid}",gpu="0"\\} 250`, 'm'));
    expect(text).toMatch(
      new RegExp(`^skyy_gpu_clocks_event_reason\\{uuid="${uuid}",gpu="0",reason="sw_power_cap"\\} 1`, 'm'),
    );
    expect(text).toMatch(
      new RegExp(`^skyy_gpu_agent_fan_target_ratio\\{uuid="${uuid}",gpu="0",fan="0"\\} `, 'm'),
    );
    expect(text).toMatch(/^skyy_gpu_agent_writes_total\{.*actuator="fan 0"\} [1-9]/m);
    expect(text).toMatch(/^skyy_gpu_agent_dry_run 1$/m);
    expectValidExposition(text);
    // And Prometheus' own linter agrees (where installed: CI always, see promtool.ts).
    expect(promtoolProblems(text) ?? []).toEqual([]);
  });

  it('refuses config writes without the token and explains invalid configs with their line', async () => {
    const yaml = readFileSync(BUNDLED_CONFIG, 'utf8').replace(
      'poll_interval_sec: 5',
      `poll_interval_sec: ${POLL_SEC}`,
    );
    expect((await api('/config', { method: 'PUT', body: yaml })).status).toBe(401);
    const invalid = await api('/config', {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: yaml.replace('shutdown_temp: 90', 'shutdown_temp: 900'),
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { issues: string[] }).issues).toEqual([
      expect.stringMatching(/^PUT \/config:5:3: protection\.shutdown_temp: /),
    ]);
    const ok = await api('/config', {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}` },
      body: yaml.replace('shutdown_temp: 90', 'shutdown_temp: 92'),
    });
    expect(ok.status).toBe(200);
    const config = (await (await api('/config')).json()) as {
      source: string;
      config: { protection: { shutdown_temp: number } };
    };
    expect(config.source).toBe('api');
    expect(config.config.protection.shutdown_temp).toBe(92);
  });

  it('drives every GPU to 100 % fans when nvidia-smi hangs, and reports it', async () => {
    await until((s) => s.gpus.length === 2 && s.gpus.every((g) => g.status === 'ok'));
    const failedBefore = latest?.events.filter((e) => e.kind === 'reading_failed').length ?? 0;
    withState(statePath, (s) => {
      s.faults.hang = true;
    });
    await until((s) => s.gpus.length === 2 && s.gpus.every((g) => g.status === 'failsafe'));
    expect(latest?.stale).toBe(true);
    expect(latest?.gpus.flatMap((g) => g.fans.map((f) => f.toPct))).toEqual([100, 100]);
    expect(latest?.events.filter((e) => e.kind === 'reading_failed')).toHaveLength(failedBefore + 2);
    expect((await api('/health')).status).toBe(503);
    expect(logLines.some((line) => line.includes('[dry-run] GPU 1 fan 0 → 100 %'))).toBe(true);
  });

  it('comes back under control when nvidia-smi answers again', async () => {
    withState(statePath, (s) => {
      s.faults.hang = false;
    });
    // The sampler kills the hung process and starts a new one.
    await until((s) => s.gpus.every((g) => g.status === 'ok'));
    expect(
      latest?.events.some((e) => e.kind === 'sampler_restarted' && e.message.includes('printed nothing')),
    ).toBe(true);
    expect(latest?.events.filter((e) => e.kind === 'reading_recovered').length).toBeGreaterThanOrEqual(2);
    expect((await api('/health')).status).toBe(200);
  });

  it('drives the fans to 100 % when nvidia-smi keeps dying', async () => {
    await until((s) => s.gpus.every((g) => g.status === 'ok'));
    withState(statePath, (s) => {
      s.faults.exitCode = 15;
    });
    await until((s) => s.gpus.every((g) => g.status === 'failsafe'));
    expect(latest?.gpus.flatMap((g) => g.fans.map((f) => f.toPct))).toEqual([100, 100]);
    expect(latest?.events.some((e) => e.kind === 'sampler_restarted' && e.message.includes('code 15'))).toBe(
      true,
    );
    withState(statePath, (s) => {
      delete s.faults.exitCode;
    });
  });
});

/** The checks promtool's `check metrics` makes on structure: HELP/TYPE first, names, label syntax, numbers. */
function expectValidExposition(text: string): void {
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        typed.add(meta[2] ?? '');
      }
      continue;
    }
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(
        line,
      );
    expect(sample, line).not.toBeNull();
    const name = sample?.[1] ?? '';
    const family = [...typed].find((t) => name === t || name.startsWith(`${t}_`));
    expect(family, `no TYPE before ${name}`).toBeDefined();
  }
}
