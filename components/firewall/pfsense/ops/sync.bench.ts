import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { resolveSite } from '../lib/site.ts';
import { startSimulatedFirewall } from '../utils/testing.ts';
import { planSite, syncSite, type NetworkingSource } from './sync-all.ts';

/**
 * `npm run bench:pfsense [-- --latency 20]`: the issue's benchmark against the simulator —
 * full sync of the user's 508 entries to an empty firewall, a re-plan with no changes, then
 * 10 entries changed and 5 removed. Prints requests and wall time for each phase.
 */

const latencyFlag = process.argv.indexOf('--latency');
const latency = latencyFlag > 0 ? Number(process.argv[latencyFlag + 1]) : 20;
const unknownFlag = process.argv
  .slice(2)
  .find((arg, i, args) => arg.startsWith('-') && arg !== '--latency' && args[i - 1] !== '--latency');
// A mistyped flag or latency would otherwise run the full sync (minutes) with a meaningless setting.
if (unknownFlag !== undefined || !(Number.isInteger(latency) && latency >= 0)) {
  console.error(
    `bench:pfsense: ${unknownFlag !== undefined ? `unknown option ${unknownFlag}` : `--latency must be a whole number of milliseconds, got ${process.argv[latencyFlag + 1] ?? 'nothing'}`}\nusage: npm run bench:pfsense [-- --latency 20]`,
  );
  process.exit(2);
}
const file = new URL('../../../../desired_state/networking/networking_hargett.yaml', import.meta.url);
const text = readFileSync(file, 'utf8');
const entries = (parse(text) as { ips: Record<string, string>[] }).ips;
const site = resolveSite('hargett', {
  public_subnet: '38.247.82.0/23',
  lan_interface: 'opt3',
  lan_subnet: '69.1.0.0/22',
});

const fw = await startSimulatedFirewall({ latency: { fixedMs: latency } });
const phase = async (name: string, fn: () => Promise<string>) => {
  const requests = fw.sim.stats.requests;
  const started = performance.now();
  const detail = await fn();
  const ms = performance.now() - started;
  console.log(
    `${name.padEnd(34)} ${String(fw.sim.stats.requests - requests).padStart(5)} requests ${(ms / 1000).toFixed(2).padStart(7)} s  ${detail}`,
  );
};

console.log(`pfSense simulator with ${latency} ms latency per request, 508-entry networking file\n`);
const full: NetworkingSource = { text, file: 'networking_hargett.yaml' };
await phase('full sync to an empty firewall', async () => {
  const { report } = await syncSite(fw.client, site, full);
  return `converged=${report?.converged} rounds=${report?.rounds}`;
});
await phase('re-plan, no changes', async () => {
  const { plan } = await planSite(fw.client, site, full);
  return `${plan.changes.length} changes`;
});
const changed = entries
  .map((e, i) => (i < 10 ? { ...e, internal_ip: `69.1.3.${i + 1}` } : e))
  .filter((_, i) => i < 100 || i >= 105);
await phase('10 entries changed, 5 removed', async () => {
  const { report } = await syncSite(fw.client, site, {
    text: stringify({ ips: changed }),
    file: 'edited.yaml',
  });
  const c = report?.firstPlan.counts;
  const sum = (k: 'create' | 'update' | 'delete') => (c ? c.vip[k] + c.nat[k] + c.rule[k] + c.dhcp[k] : 0);
  return `+${sum('create')} ~${sum('update')} -${sum('delete')} converged=${report?.converged}`;
});
await fw.close();
