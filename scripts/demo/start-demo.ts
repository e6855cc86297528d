import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PfSenseSimulator } from '@skyy/sim-pfsense';
import { fingerprintOf, generateSelfSignedCertificate, startProxmoxSimulator } from '@skyy/sim-proxmox';
import { createFirstAdmin, createLogger, createServer, loadConfig, type SkyyServer } from '@skyy/backend';
import { ClustersService } from '../../backend/src/app/clusters/clusters.service.ts';
import { CustomersService } from '../../backend/src/app/customers/customers.service.ts';
import { DeploymentsService } from '../../backend/src/app/deployments/deployments.service.ts';
import { HostsImportService } from '../../backend/src/app/infra/hosts-import.service.ts';
import { systemCaller, type Caller } from '../../backend/src/core/http/caller.ts';
import { JobQueue } from '../../backend/src/core/queue/index.ts';
import { startDemoGpuAgents, type DemoGpuAgents, type DemoGpuHost } from './gpu-agents.ts';

/**
 * Skyy Command with an estate to look at: the Proxmox VE and pfSense simulators on loopback, the
 * server on embedded SQLite in `dataDir` (emptied first), an administrator, the example host files
 * of desired_state/hosts, customers and deployments shaped like the first user's, the simulated
 * cluster, a diagnostics job with a live log, and GPU agents on two of the hosts.
 * `npm run demo` (scripts/demo.ts) prints what this returns; the spec drives it directly.
 */

const root = path.resolve(import.meta.dirname, '..', '..');

export interface DemoOptions {
  /** Emptied and used as the server's data dir; the GPU simulators keep their state there too. */
  dataDir: string;
  port: number;
  /** Where the server listens (default: the config's server.host). */
  host?: string;
  logLevel?: string;
  gpuHosts?: readonly DemoGpuHost[];
  /** Where the GPU agents' warnings go (default stderr). */
  agentLog?: (line: string) => void;
}

export interface Demo {
  url: string;
  password: string;
  dataDir: string;
  importedHosts: number;
  proxmox: { url: string; tokenId: string; tokenSecret: string };
  pfsense: { url: string; apiKey: string };
  gpus: DemoGpuAgents;
  server: SkyyServer;
  /** Agents, server and simulators, in that order (agents first: they would heartbeat into a closed server). */
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const caller = systemCaller('demo');
  rmSync(options.dataDir, { recursive: true, force: true });
  // Everything started so far, stopped last-first when a later step fails or on stop().
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) await stop().catch((error: unknown) => errors.push(error));
    if (errors.length) throw errors[0];
  };

  try {
    const pveToken = { id: 'root@pam!skyy', secret: randomBytes(12).toString('hex') };
    const pveCert = generateSelfSignedCertificate();
    const proxmox = await startProxmoxSimulator({
      port: 0,
      tls: pveCert,
      generate: {
        nodes: 3,
        nodePrefix: 'puma-proxmox-00',
        gpusPerNode: 2,
        gpuModel: 'RTX 3090',
        token: pveToken,
      },
    });
    stops.push(() => proxmox.close());
    const pfsenseKey = randomBytes(12).toString('hex');
    const pfsense = new PfSenseSimulator({ apiKeys: [pfsenseKey] });
    const firewall = await pfsense.listen(0, '127.0.0.1');
    stops.push(() => pfsense.close());

    const { config } = loadConfig();
    config.server.data_dir = options.dataDir;
    config.database.url = undefined;
    config.redis.url = undefined;
    config.server.port = options.port;
    if (options.host) config.server.host = options.host;
    const server = await createServer({
      config,
      env: { ...process.env, SKYY_SECRET_KEY: 'demo-only-key' },
      logger: createLogger({ level: options.logLevel ?? 'warn' }),
    });
    stops.push(() => server.close());
    const app = server.app;

    const password = randomBytes(9).toString('base64url');
    await createFirstAdmin(server.db, { username: 'admin', email: 'admin@example.net', password });

    const hostsDir = path.join(root, 'desired_state', 'hosts');
    const files = readdirSync(hostsDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((name) => ({ name, content: readFileSync(path.join(hostsDir, name), 'utf8') }));
    const imported = await app.get(HostsImportService).import(caller, { files, dryRun: false });

    await recordCustomers(app.get(CustomersService), app.get(DeploymentsService), caller);

    await app.get(ClustersService).create(caller, {
      name: 'puma (simulated)',
      type: 'proxmox',
      site: 'hargett',
      apiUrl: `${proxmox.url}/api2/json`,
      tokenId: pveToken.id,
      tokenSecret: pveToken.secret,
      tls: { caFile: null, fingerprint: fingerprintOf(pveCert.cert), insecure: false },
    });

    await app.get(JobQueue).enqueue('system', 'system.diagnostics', {});
    const url = await server.listen();

    // The agents fetch their config at start, so the server must already be listening.
    const gpus = await startDemoGpuAgents({
      app,
      caller,
      serverUrl: loopbackUrl(url),
      dataDir: options.dataDir,
      ...(options.gpuHosts ? { hosts: options.gpuHosts } : {}),
      ...(options.agentLog ? { log: options.agentLog } : {}),
    });
    stops.push(() => gpus.stop());

    return {
      url,
      password,
      dataDir: options.dataDir,
      importedHosts: imported.files.length,
      proxmox: { url: proxmox.url, tokenId: pveToken.id, tokenSecret: pveToken.secret },
      pfsense: { url: firewall.url, apiKey: pfsenseKey },
      gpus,
      server,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** The server's URL as a local agent reaches it: a wildcard listen address becomes loopback. */
function loopbackUrl(url: string): string {
  const parsed = new URL(url);
  if (['0.0.0.0', '[::]', '::'].includes(parsed.hostname)) parsed.hostname = '127.0.0.1';
  return parsed.origin;
}

async function recordCustomers(
  customers: CustomersService,
  deployments: DeploymentsService,
  caller: Caller,
): Promise<void> {
  const synaptron = await customers.create(caller, {
    name: 'Synaptron',
    email: 'ops@synaptron.example',
    notes: null,
  });
  const timpi = await customers.create(caller, { name: 'Timpi', email: null, notes: 'FluxEdge node' });
  for (const n of ['001', '003', '004', '005', '006', '007', '018', '019', '020']) {
    await deployments.create(caller, {
      name: `synaptron-${n}`,
      kind: 'customer',
      status: 'running',
      customerId: synaptron.id,
      hostId: null,
      runtime: 'docker-compose',
      description: 'Customer GPU node (docker compose stack)',
      tags: ['gpu'],
    });
  }
  await deployments.create(caller, {
    name: 'timpi-flux-edge',
    kind: 'customer',
    status: 'running',
    customerId: timpi.id,
    hostId: null,
    runtime: 'fluxedge',
    description: null,
    tags: ['edge'],
  });
  await deployments.create(caller, {
    name: 'monitoring',
    kind: 'internal',
    status: 'running',
    customerId: null,
    hostId: null,
    runtime: 'docker-compose',
    description: 'Grafana, Prometheus, Uptime Kuma',
    tags: ['monitoring'],
  });
}
