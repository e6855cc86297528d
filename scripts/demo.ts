/**
 * `npm run demo`: Skyy Command with an estate to look at, nothing else to install.
 *
 * Starts the Proxmox VE and pfSense simulators on loopback, then the server on embedded SQLite
 * in ./data/demo (reset on every run), creates an administrator, imports the example host files
 * from desired_state/hosts, records customers and deployments shaped like the first user's,
 * registers the simulated cluster, and runs a diagnostics job so the Jobs page has a live log.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PfSenseSimulator } from '@skyy/sim-pfsense';
import { fingerprintOf, generateSelfSignedCertificate, startProxmoxSimulator } from '@skyy/sim-proxmox';
import { ClustersService } from '../backend/src/app/clusters/clusters.service.ts';
import { CustomersService } from '../backend/src/app/customers/customers.service.ts';
import { DeploymentsService } from '../backend/src/app/deployments/deployments.service.ts';
import { HostsImportService } from '../backend/src/app/infra/hosts-import.service.ts';
import { systemCaller } from '../backend/src/core/http/caller.ts';
import { JobQueue } from '../backend/src/core/queue/index.ts';
import { createFirstAdmin, createLogger, createServer, loadConfig } from '@skyy/backend';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(root, 'data', 'demo');
const caller = systemCaller('demo');

rmSync(dataDir, { recursive: true, force: true });

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
const pfsenseKey = randomBytes(12).toString('hex');
const pfsense = new PfSenseSimulator({ apiKeys: [pfsenseKey] });
const firewall = await pfsense.listen(0, '127.0.0.1');

const { config } = loadConfig();
config.server.data_dir = dataDir;
config.database.url = undefined;
config.redis.url = undefined;
config.server.port = Number(process.env.PORT ?? 8080);
const server = await createServer({
  config,
  env: { ...process.env, SKYY_SECRET_KEY: 'demo-only-key' },
  logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }),
});
const app = server.app;

const password = randomBytes(9).toString('base64url');
await createFirstAdmin(server.db, { username: 'admin', email: 'admin@example.net', password });

const hostsDir = path.join(root, 'desired_state', 'hosts');
const files = readdirSync(hostsDir)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((name) => ({ name, content: readFileSync(path.join(hostsDir, name), 'utf8') }));
const imported = await app.get(HostsImportService).import(caller, { files, dryRun: false });

const customers = app.get(CustomersService);
const deployments = app.get(DeploymentsService);
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

console.log(`
Skyy Command demo is running: ${url}
  sign in as   admin / ${password}
  data         ${path.relative(root, dataDir)} (reset on every run)
  hosts        ${imported.files.length} imported from desired_state/hosts
  customers    Synaptron (9 deployments), Timpi (1); 1 internal deployment
  jobs         system.diagnostics started: watch it on the Jobs page
  simulators   Proxmox VE ${proxmox.url} (token ${pveToken.id}=${pveToken.secret})
               pfSense    ${firewall.url} (X-API-Key ${pfsenseKey})
  API docs     ${url}/api/docs
Ctrl-C stops everything.`);

const stop = async () => {
  await server.close();
  await proxmox.close();
  await pfsense.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
