/**
 * `npm run demo`: Skyy Command with an estate to look at, nothing else to install.
 *
 * Everything (simulators, server on embedded SQLite, example data, GPU agents) is set up by
 * startDemo() in scripts/demo/start-demo.ts; this prints where to look and stops it all on
 * Ctrl-C. Data lives in ./data/demo, or $SKYY_DEMO_DIR, and is reset on every run.
 */
import path from 'node:path';
import { ConfigError } from '@skyy/backend';
import type { DemoGpuAgent } from './demo/gpu-agents.ts';
import { startDemo, type Demo } from './demo/start-demo.ts';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.resolve(process.env['SKYY_DEMO_DIR'] ?? path.join(root, 'data', 'demo'));
const port = Number(process.env['PORT'] ?? 8080);

let demo: Demo;
try {
  demo = await startDemo({
    dataDir,
    port,
    ...(process.env['HOST'] ? { host: process.env['HOST'] } : {}),
    ...(process.env['LOG_LEVEL'] ? { logLevel: process.env['LOG_LEVEL'] } : {}),
  });
} catch (error) {
  process.stderr.write(`demo: ${startProblem(error)}\n`);
  process.exit(1);
}

function startProblem(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} is taken; run with another, e.g. PORT=8081 npm run demo`;
  return error instanceof Error ? error.message : String(error);
}

function gpuLine(agent: DemoGpuAgent): string {
  const { spec } = agent;
  const busy = spec.loads.flatMap((load, i) =>
    load >= 0.5 && i !== spec.cycling ? [`GPU ${i} at ${Math.round(load * 100)} % load`] : [],
  );
  if (spec.cycling !== undefined) busy.push(`GPU ${spec.cycling} busy/idle every 4 min`);
  if (spec.chassis) busy.push('chassis fans (fake ipmitool)');
  return `${spec.host}  ${spec.loads.length} × ${agent.gpuName}: ${busy.join(', ')}; ${agent.url}/state`;
}

const rel = (p: string) => path.relative(root, p) || '.';
const gpuLines = demo.gpus.agents.map(gpuLine);
console.log(`
Skyy Command demo is running: ${demo.url}
  sign in as   admin / ${demo.password}
  data         ${rel(demo.dataDir)} (reset on every run)
  hosts        ${demo.importedHosts} imported from desired_state/hosts
  customers    Synaptron (9 deployments), Timpi (1); 1 internal deployment
  jobs         system.diagnostics started: watch it on the Jobs page
  GPUs         ${demo.url}/gpus: the real GPU agent (dry-run) on fake nvidia-smi, heartbeat every 5 s
               ${gpuLines.join('\n               ')}
               config: components/gpu-agent/local_config/gpu_config.yaml as the fleet default
  simulators   Proxmox VE ${demo.proxmox.url} (token ${demo.proxmox.tokenId}=${demo.proxmox.tokenSecret})
               pfSense    ${demo.pfsense.url} (X-API-Key ${demo.pfsense.apiKey})
  API docs     ${demo.url}/api/docs
Ctrl-C stops everything.`);

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  // A second Ctrl-C while stopping ends at once; the agents' fake nvidia-smi die with their pipes.
  if (stopping) process.exit(130);
  stopping = true;
  process.stderr.write(`\n${signal}: stopping the GPU agents, the server and the simulators…\n`);
  demo.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `demo: stopping failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
};
// The demo owns these signals: the server's own shutdown hook (Nest's) would close the server
// while the agents still send heartbeats, then raise the signal again and end us mid-stop.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.removeAllListeners(signal);
  process.on(signal, stop);
}
