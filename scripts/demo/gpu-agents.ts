import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { runAgent, type RunningAgent } from '@skyy/gpu-agent';
import {
  createIpmiSimState,
  STATE_ENV as IPMI_STATE_ENV,
  writeState as writeIpmiState,
} from '@skyy/sim-ipmi';
import { createSimState, STATE_ENV as SMI_STATE_ENV, withState, writeState } from '@skyy/sim-nvidia-smi';
import type { INestApplicationContext } from '@nestjs/common';
import { GpuAgentsService } from '../../backend/src/app/gpus/gpu-agents.service.ts';
import type { Caller } from '../../backend/src/core/http/caller.ts';
import { createLogger } from '../../components/gpu-agent/utils/logger.ts';

/**
 * The demo's GPU hosts: the REAL GPU agent (components/gpu-agent), in-process and in dry-run,
 * reading the fake nvidia-smi, each host with its own simulator state file. The agents take their
 * config from the demo server (the user's gpu_config.yaml as the fleet default) and send
 * heartbeats to it with tokens issued by the backend's own service, as a real install does.
 */

const root = path.resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const smiBin = path.join(path.dirname(require.resolve('@skyy/sim-nvidia-smi')), '..', 'bin');
const ipmiBin = path.join(path.dirname(require.resolve('@skyy/sim-ipmi')), '..', 'bin');

/** The user's own file, byte for byte: what `skyy gpus config set` would store. */
export const USER_GPU_CONFIG = path.join(root, 'components', 'gpu-agent', 'local_config', 'gpu_config.yaml');
/** The user's file plus the chassis block of their hs-fan-daemon.sh, for the host with chassis fans. */
const CHASSIS_GPU_CONFIG = path.join(root, 'simulators', 'ipmi', 'examples', 'gpu_config.yaml');

export interface DemoGpuHost {
  /** One of the hosts imported from desired_state/hosts. */
  host: string;
  /** Which capture of the fake nvidia-smi every GPU of the host is built from. */
  model: '2080' | '4080';
  /** Load of each GPU (0..1); its length is the number of GPUs. */
  loads: number[];
  /** Runs a busy/idle cycle on this GPU index, so that something keeps moving. */
  cycling?: number;
  /** Chassis fans against the fake ipmitool/sensors (a config of the host's own). */
  chassis?: boolean;
}

export const DEMO_GPU_HOSTS: readonly DemoGpuHost[] = [
  { host: 'puma-proxmox-005', model: '2080', loads: [0.1, 0.1], cycling: 1, chassis: true },
  { host: 'puma-proxmox-006', model: '4080', loads: [1, 0.6, 0, 0] },
];

/** Busy then idle, each this long: the cycling GPU heats and cools within a few minutes. */
const CYCLE_MS = 4 * 60_000;
const CYCLE_LOADS = [0.9, 0.1] as const;

export interface DemoGpuAgent {
  spec: DemoGpuHost;
  gpuName: string;
  /** The agent's own HTTP API (/state, /metrics). */
  url: string;
  running: RunningAgent;
}

export interface DemoGpuAgents {
  agents: DemoGpuAgent[];
  stop(): Promise<void>;
}

export interface DemoGpuOptions {
  /** The demo server's Nest application, for the services behind the GPU routes. */
  app: INestApplicationContext;
  caller: Caller;
  /** Where the agents reach the server, e.g. http://127.0.0.1:8080. */
  serverUrl: string;
  /** Simulator states and the agents' state dirs go under `<dataDir>/gpu-agents/<host>/`. */
  dataDir: string;
  hosts?: readonly DemoGpuHost[];
  /** Seconds between heartbeats; short so the console moves while one watches. */
  heartbeatMs?: number;
  /** Where the agents' warnings and errors go (their dry-run decisions are not printed). */
  log?: (line: string) => void;
}

/** Stores the configs, issues the tokens and starts one agent per host; stop() ends them all. */
export async function startDemoGpuAgents(options: DemoGpuOptions): Promise<DemoGpuAgents> {
  const service = options.app.get(GpuAgentsService);
  // The same service PUT /api/v1/gpus/config uses: validated with the agent's schema, audited.
  await service.putConfig(options.caller, null, readFileSync(USER_GPU_CONFIG, 'utf8'));

  const agents: DemoGpuAgent[] = [];
  const timers: NodeJS.Timeout[] = [];
  const stop = async () => {
    for (const timer of timers) clearInterval(timer);
    await Promise.all(agents.map((a) => a.running.stop()));
  };
  try {
    for (const spec of options.hosts ?? DEMO_GPU_HOSTS) {
      agents.push(await startHost(spec, options, service));
      if (spec.cycling !== undefined) timers.push(cycleLoad(options.dataDir, spec, spec.cycling));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { agents, stop };
}

async function startHost(
  spec: DemoGpuHost,
  options: DemoGpuOptions,
  service: GpuAgentsService,
): Promise<DemoGpuAgent> {
  const dir = path.join(options.dataDir, 'gpu-agents', spec.host);
  mkdirSync(dir, { recursive: true });
  const smiState = path.join(dir, 'nvidia-smi.json');
  const sim = createSimState({ models: [spec.model], gpus: spec.loads.length });
  // The server keys GPUs by UUID: every simulated host starts at the same UUIDs, so make them its own.
  const hostNumber = /(\d+)$/.exec(spec.host)?.[1]?.padStart(4, '0').slice(-4) ?? '0000';
  sim.gpus.forEach((gpu, i) => {
    gpu.uuid = gpu.uuid.replace(/^GPU-5eed0000/, `GPU-5eed${hostNumber}`);
    gpu.load = spec.loads[i] ?? 0;
  });
  writeState(smiState, sim);

  const env: NodeJS.ProcessEnv = { ...process.env, [SMI_STATE_ENV]: smiState };
  if (spec.chassis) {
    const ipmiState = path.join(dir, 'ipmi.json');
    writeIpmiState(ipmiState, createIpmiSimState({ load: 0.4, noiseC: 0.5 }));
    env[IPMI_STATE_ENV] = ipmiState;
    // The config names `sensors` and `ipmitool` as the user's does; the fakes come first on PATH.
    env['PATH'] = `${ipmiBin}${path.delimiter}${process.env['PATH'] ?? ''}`;
    await service.putConfig(options.caller, spec.host, readFileSync(CHASSIS_GPU_CONFIG, 'utf8'));
  }

  const { token } = await service.create(options.caller, { host: spec.host });
  const write = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const running = await runAgent({
    // The agent's local fallback; the server's config wins while the server answers.
    configPath: USER_GPU_CONFIG,
    stateDir: path.join(dir, 'agent'),
    dryRun: true,
    source: 'nvidia-smi',
    nvidiaSmi: path.join(smiBin, 'nvidia-smi'),
    nvidiaSettings: path.join(smiBin, 'nvidia-settings'),
    display: ':0',
    listen: '127.0.0.1:0',
    server: options.serverUrl,
    token,
    host: spec.host,
    version: 'demo',
    heartbeatMs: options.heartbeatMs ?? 5_000,
    log: createLogger({ level: 'warn', write: (line) => write(`[gpu-agent ${spec.host}] ${line}`) }),
    env,
  });
  return { spec, gpuName: running.detection.gpus[0]?.name ?? spec.model, url: running.url ?? '', running };
}

/** Flips one GPU between busy and idle, through the simulator's state file as `sim load` does. */
function cycleLoad(dataDir: string, spec: DemoGpuHost, index: number): NodeJS.Timeout {
  const file = path.join(dataDir, 'gpu-agents', spec.host, 'nvidia-smi.json');
  let phase = 0;
  const setLoad = () => {
    const load = CYCLE_LOADS[phase % CYCLE_LOADS.length] ?? 0;
    phase++;
    withState(file, (state) => {
      const gpu = state.gpus[index];
      if (gpu) gpu.load = load;
    });
  };
  setLoad();
  const timer = setInterval(setLoad, CYCLE_MS);
  timer.unref();
  return timer;
}
