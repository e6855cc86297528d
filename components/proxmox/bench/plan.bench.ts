/**
 * Plan benchmark (issue #4 §8): against the simulator with a fixed latency per request, a
 * cluster of N nodes and M Skyy VMs, measure the time and requests to plan with nothing to
 * change and with some changes, and the same plan read the way IaC providers do it (per VM:
 * /cluster/resources to find its node, then its config, then its status, one after another).
 *
 *   npm run bench:proxmox -- [--nodes 50] [--vms 1000] [--latency-ms 20] [--changes 100] [--concurrency 16] [--skip-per-vm]
 */
import { parseArgs } from 'node:util';
import { vmSchema, type DesiredVm } from '@skyy/contracts';
import { startProxmoxSimulator, type SimGuest } from '@skyy/sim-proxmox';
import { ProxmoxClient } from '../src/client/proxmox-client.ts';
import { planVms } from '../src/vms/plan-vms.ts';
import { readClusterSnapshot } from '../src/vms/snapshot.ts';
import type { ClusterSnapshot, DesiredHostVms } from '../src/vms/types.ts';

const USAGE =
  'usage: npm run bench:proxmox -- [--nodes 50] [--vms 1000] [--latency-ms 20] [--changes 100] [--concurrency 16] [--skip-per-vm]';

/** A mistyped flag or value: the usage line and exit 2, not a stack trace. */
function usage(message: string): never {
  console.error(`bench:proxmox: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseFlags() {
  try {
    return parseArgs({ options: flags });
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error));
  }
}

const flags = {
  nodes: { type: 'string', default: '50' },
  vms: { type: 'string', default: '1000' },
  'latency-ms': { type: 'string', default: '20' },
  changes: { type: 'string', default: '100' },
  /** Config reads in flight at once (readClusterSnapshot's default is 16). */
  concurrency: { type: 'string', default: '16' },
  /** Skip the slow per-VM comparison (quick runs). */
  'skip-per-vm': { type: 'boolean', default: false },
} as const;
const { values } = parseFlags();

function wholeNumber(name: 'nodes' | 'vms' | 'latency-ms' | 'changes' | 'concurrency', min: number): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min)
    usage(`--${name} must be a whole number of at least ${min}, got ${values[name]}`);
  return value;
}
const nodes = wholeNumber('nodes', 1);
const vmCount = wholeNumber('vms', 1);
const latencyMs = wholeNumber('latency-ms', 0);
const changeCount = Math.min(wholeNumber('changes', 0), vmCount);
const concurrency = wholeNumber('concurrency', 1);

const sim = await startProxmoxSimulator({
  generate: { nodes, vmsPerNode: 0, containersPerNode: 0, gpusPerNode: 0 },
  taskDurationMs: 10,
});

// M Skyy VMs spread over the nodes, exactly as declared.
const desiredVms = new Map<string, DesiredVm[]>();
for (let i = 0; i < vmCount; i++) {
  const node = `pve${(i % nodes) + 1}`;
  const vmid = 1000 + i;
  const mac =
    `02:00:00:${[(i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`.toUpperCase();
  const guest: SimGuest = {
    vmid,
    node,
    type: 'qemu',
    status: 'running',
    startedAt: Math.floor(Date.now() / 1000) - 3600,
    config: {
      name: `vm-${i}`,
      cores: '4',
      sockets: '1',
      memory: '8192',
      onboot: '1',
      protection: '0',
      tags: 'skyy-created;skyy-managed',
      scsihw: 'virtio-scsi-single',
      scsi0: `local-lvm:vm-${vmid}-disk-0,iothread=1,size=32G`,
      net0: `virtio=${mac},bridge=vmbr0,tag=100`,
    },
    pending: {},
    pendingDelete: [],
  };
  sim.state.guests.push(guest);
  const vm = vmSchema.parse({
    name: `vm-${i}`,
    cores: 4,
    memory: '8G',
    onboot: true,
    disks: [{ storage: 'local-lvm', size: '32G' }],
    nics: [{ bridge: 'vmbr0', vlan: 100, mac }],
  });
  desiredVms.set(node, [...(desiredVms.get(node) ?? []), vm]);
}
const desired: DesiredHostVms[] = [...desiredVms].map(([node, vms]) => ({ node, vms }));
const changed: DesiredHostVms[] = desired.map((host) => ({
  node: host.node,
  vms: host.vms.map((vm) => (Number(vm.name.slice(3)) < changeCount ? { ...vm, cores: vm.cores + 2 } : vm)),
}));

const pve = new ProxmoxClient({
  baseUrl: sim.url,
  tokenId: 'root@pam!skyy',
  tokenSecret: 'skyy-simulator-secret',
});
sim.setFaults({ latencyMs });

async function measure(label: string, run: () => Promise<{ update: number; unchanged: number }>) {
  sim.resetStats();
  const started = performance.now();
  const summary = await run();
  const seconds = (performance.now() - started) / 1000;
  const requests = sim.stats.requests;
  console.log(
    `${label.padEnd(44)} ${seconds.toFixed(2).padStart(7)} s ${String(requests).padStart(6)} requests ${(requests / vmCount).toFixed(2).padStart(5)} per VM   (${summary.update} to update, ${summary.unchanged} unchanged)`,
  );
  return { seconds, requests };
}

/** What Terraform-style providers do: every VM on its own, one request after another. */
async function perVmSnapshot(): Promise<ClusterSnapshot> {
  const snapshot: ClusterSnapshot = {
    nodes: [],
    guests: [],
    configs: {},
    pciDevices: {},
    mappings: [],
    storages: [],
  };
  for (const host of desired) {
    for (const vm of host.vms) {
      const guests = await pve.cluster.guests();
      const guest = guests.find((g) => g.name === vm.name);
      if (!guest) continue;
      snapshot.configs[String(guest.vmid)] = await pve.qemu.config(guest.node, guest.vmid);
      const status = await pve.qemu.status(guest.node, guest.vmid);
      snapshot.guests.push({ ...guest, status: status.status });
    }
  }
  snapshot.nodes = desired.map((h) => ({ name: h.node, online: true }));
  return snapshot;
}

console.log(
  `Plan benchmark: ${nodes} nodes, ${vmCount} Skyy VMs, ${latencyMs} ms latency per request, ${concurrency} config reads at once\n`,
);
// One untimed plan first, so the numbers are not the JIT warming up.
planVms(desired, await readClusterSnapshot(pve, desired, { concurrency }));
const batched = await measure(
  'plan, nothing to change (Skyy)',
  async () => planVms(desired, await readClusterSnapshot(pve, desired, { concurrency })).summary,
);
await measure(
  `plan, ${changeCount} changes (Skyy)`,
  async () => planVms(changed, await readClusterSnapshot(pve, changed, { concurrency })).summary,
);
if (!values['skip-per-vm']) {
  const perVm = await measure(
    'plan, nothing to change (per-VM, IaC style)',
    async () => planVms(desired, await perVmSnapshot()).summary,
  );
  console.log(
    `\nSkyy's no-change plan is ${(perVm.seconds / batched.seconds).toFixed(1)}x faster with ${(perVm.requests / batched.requests).toFixed(1)}x fewer requests.`,
  );
}
const ok = batched.seconds < 2 && batched.requests / vmCount <= 1.1;
console.log(`Target (no-change plan under 2 s, at most 1.1 requests per VM): ${ok ? 'met' : 'NOT met'}.`);

await pve.close();
await sim.close();
process.exit(ok ? 0 : 1);
