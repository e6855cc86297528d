import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startProxmoxSimulator } from './server.ts';
import { fingerprintOf, generateSelfSignedCertificate } from './tls.ts';

const rate = (value: string) => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a share between 0 and 1, e.g. 0.1');
  return n;
};
const count = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};

const program = new Command('sim-proxmox')
  .description(
    'A Proxmox VE 9 cluster simulator: the PVE API under /api2/json, validated against the official schema',
  )
  .option('--host <address>', 'address to listen on (loopback by default)', '127.0.0.1')
  .option('--port <port>', 'port (PVE uses 8006; 0 picks a free one)', count, 8006)
  .option('--nodes <n>', 'cluster nodes to generate', count, 3)
  .option('--node-prefix <prefix>', 'node names are <prefix>1, <prefix>2, …', 'pve')
  .option('--vms-per-node <n>', 'plain (not Skyy-managed) VMs per node', count, 2)
  .option('--containers-per-node <n>', 'LXC containers per node', count, 1)
  .option('--gpus-per-node <n>', "GPUs on each node's PCI bus (all in one PCI mapping)", count, 2)
  .addOption(
    new Option('--gpu-model <model>', 'GPU model')
      .choices(['RTX 3090', 'RTX 4090', 'A100'])
      .default('RTX 3090'),
  )
  .option('--no-ceph', 'a cluster without hyper-converged Ceph')
  .option(
    '--state <file>',
    'load the cluster from this JSON file if it exists, and save it there on changes and exit',
  )
  .option(
    '--token <id=secret>',
    'API token accepted, as USER@REALM!TOKENID=SECRET',
    'root@pam!skyy=skyy-simulator-secret',
  )
  .option('--tls', 'serve HTTPS with a fresh self-signed certificate (prints its SHA-256 fingerprint)')
  .option('--cert <file>', 'serve HTTPS with this PEM certificate (with --key)')
  .option('--key <file>', 'PEM private key for --cert')
  .option('--latency-ms <ms>', 'fixed delay added to every request', count, 0)
  .option('--jitter-ms <ms>', 'random extra delay up to this', count, 0)
  .option('--fault-5xx <share>', 'share of requests answered 503', rate, 0)
  .option(
    '--fault-lock <share>',
    "share of VM-changing requests failing with can't lock file … got timeout",
    rate,
    0,
  )
  .option('--fault-task <share>', 'share of tasks ending with an error', rate, 0)
  .option('--fault-task-every <n>', 'every Nth task ends with an error (deterministic)', count, 0)
  .option('--task-ms <ms>', 'how long each task runs', count, 500)
  .option('--seed <n>', 'seed for the generated cluster, faults and timings', count, 42)
  .option('--verbose', 'log every request');

program.parse();
const o = program.opts<{
  host: string;
  port: number;
  nodes: number;
  nodePrefix: string;
  vmsPerNode: number;
  containersPerNode: number;
  gpusPerNode: number;
  gpuModel: 'RTX 3090' | 'RTX 4090' | 'A100';
  ceph: boolean;
  state?: string;
  token: string;
  tls?: boolean;
  cert?: string;
  key?: string;
  latencyMs: number;
  jitterMs: number;
  fault5xx: number;
  faultLock: number;
  faultTask: number;
  faultTaskEvery: number;
  taskMs: number;
  seed: number;
  verbose?: boolean;
}>();

const eq = o.token.lastIndexOf('=');
if (eq <= 0 || !o.token.slice(0, eq).includes('!'))
  program.error('--token must look like root@pam!skyy=SECRET', { exitCode: 2 });
if (Boolean(o.cert) !== Boolean(o.key)) program.error('--cert and --key go together', { exitCode: 2 });
// Startup problems (port taken, unreadable certificate or state file) are the user's to fix:
// one line naming them, exit 1, no stack trace.
function fail(error: unknown): never {
  return program.error(`sim-proxmox: ${error instanceof Error ? error.message : String(error)}`, {
    exitCode: 1,
  });
}

let tls: { cert: string; key: string } | undefined;
try {
  tls =
    o.cert && o.key
      ? { cert: readFileSync(o.cert, 'utf8'), key: readFileSync(o.key, 'utf8') }
      : o.tls
        ? generateSelfSignedCertificate()
        : undefined;
} catch (error) {
  fail(error);
}

const sim = await startProxmoxSimulator({
  host: o.host,
  port: o.port,
  ...(o.state ? { stateFile: o.state } : {}),
  generate: {
    nodes: o.nodes,
    nodePrefix: o.nodePrefix,
    vmsPerNode: o.vmsPerNode,
    containersPerNode: o.containersPerNode,
    gpusPerNode: o.gpusPerNode,
    gpuModel: o.gpuModel,
    ceph: o.ceph,
    seed: o.seed,
    token: { id: o.token.slice(0, eq), secret: o.token.slice(eq + 1) },
  },
  ...(tls ? { tls } : {}),
  faults: {
    latencyMs: o.latencyMs,
    jitterMs: o.jitterMs,
    http5xxRate: o.fault5xx,
    lockTimeoutRate: o.faultLock,
    taskFailureRate: o.faultTask,
    taskFailureEvery: o.faultTaskEvery,
  },
  taskDurationMs: o.taskMs,
  seed: o.seed,
  ...(o.verbose ? { log: (line: string) => console.log(line) } : {}),
}).catch(fail);

console.log(
  `Proxmox VE simulator: ${sim.url}/api2/json (${sim.state.nodes.length} nodes, ${sim.state.guests.length} guests)`,
);
console.log(`  Authorization: ${sim.authorization}`);
if (tls) console.log(`  TLS fingerprint (SHA-256): ${fingerprintOf(tls.cert)}`);
if (o.state) console.log(`  state file: ${o.state}`);

const stop = async () => {
  await sim.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
