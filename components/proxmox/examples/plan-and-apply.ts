/**
 * Plans and applies the VMs of a host file against a Proxmox cluster: the simulator by default,
 * a real cluster when PVE_URL, PVE_TOKEN_ID and PVE_TOKEN_SECRET (and PVE_FINGERPRINT) are set.
 *
 *   node --import tsx components/proxmox/examples/plan-and-apply.ts [host.yaml] [--apply]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatYamlIssue, hostFileSchema, parseYamlWith } from '@skyy/contracts';
import { startProxmoxSimulator } from '@skyy/sim-proxmox';
import {
  applyPlan,
  planVms,
  PveError,
  ProxmoxClient,
  readClusterSnapshot,
  renderPlan,
} from '../src/index.ts';

/** A mistake of the person running the example: one line on stderr, never a stack trace. */
function fail(message: string, code: 1 | 2): never {
  console.error(`plan-and-apply: ${message}`);
  process.exit(code);
}

const file =
  process.argv.slice(2).find((arg) => !arg.startsWith('--')) ??
  path.join(path.dirname(fileURLToPath(import.meta.url)), 'pve1.yaml');
let text = '';
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  fail(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`, 2);
}
const parsed = parseYamlWith(hostFileSchema, text, file);
if (!parsed.ok) {
  for (const issue of parsed.issues) console.error(formatYamlIssue(issue));
  process.exit(2);
}
const desired = [{ node: parsed.value.hostname, file, vms: parsed.value.vms ?? [] }];

const missing = ['PVE_TOKEN_ID', 'PVE_TOKEN_SECRET'].filter((name) => !process.env[name]);
if (process.env.PVE_URL && missing.length > 0)
  fail(
    `PVE_URL is set, so ${missing.join(' and ')} must be too (see README: Pointing it at a real cluster)`,
    2,
  );

const sim = process.env.PVE_URL ? undefined : await startProxmoxSimulator({ taskDurationMs: 50 });
const pve = sim
  ? new ProxmoxClient({ baseUrl: sim.url, tokenId: 'root@pam!skyy', tokenSecret: 'skyy-simulator-secret' })
  : new ProxmoxClient({
      baseUrl: process.env.PVE_URL as string,
      tokenId: process.env.PVE_TOKEN_ID as string,
      tokenSecret: process.env.PVE_TOKEN_SECRET as string,
      tls: process.env.PVE_FINGERPRINT ? { fingerprint: process.env.PVE_FINGERPRINT } : {},
    });

try {
  const plan = planVms(desired, await readClusterSnapshot(pve, desired));
  console.log(renderPlan(plan));
  if (process.argv.includes('--apply') || sim) {
    if (plan.errors.length > 0) process.exit(1);
    const result = await applyPlan(pve, plan, { log: (line) => console.log(`  ${line}`) });
    console.log(result.ok ? '\nApplied.' : '\nApply failed; see the steps above.');
    console.log(`\n${renderPlan(planVms(desired, await readClusterSnapshot(pve, desired)))}`);
  }
} catch (error) {
  // Unreachable node, refused token, fingerprint mismatch: PveError says which call and why.
  if (!(error instanceof PveError)) throw error;
  console.error(`plan-and-apply: ${error.message}`);
  process.exitCode = 1;
} finally {
  await pve.close();
  await sim?.close();
}
