import type { PfSenseClient } from '../api/client.ts';
import type { Site } from '../lib/site.ts';
import { runStepsDirectly, syncFirewall, type SyncOptions, type SyncReport } from './apply.ts';
import { hasErrors, sortFindings, type Finding } from './findings.ts';
import { readFirewallState, type FirewallState } from './firewall-state.ts';
import { entriesOf, generateConfig, type DesiredState } from './generate-config.ts';
import { loadNetworkingFile } from './networking-file.ts';
import { planFirewall, type Plan } from './plan.ts';
import { previewSync, type SyncPreview } from './preview.ts';
import { validateNetworking } from './validate.ts';

/**
 * The seed's `sync_all`: a site's networking file → validation → plan → apply. This is what the
 * CLI (`skyy firewall validate|plan|apply`) and the backend's firewall job call.
 */

export interface NetworkingSource {
  /** The networking file's text, in the user's format. */
  text: string;
  /** Its name for messages (`desired_state/networking/networking_hargett.yaml`). */
  file: string;
}

export class SyncBlockedError extends Error {
  constructor(readonly findings: Finding[]) {
    const errors = findings.filter((f) => f.severity === 'error').length;
    super(`validation found ${errors} error(s); nothing was written`);
  }
}

/** File checks only, no firewall needed (what `skyy validate` can do offline). */
export function validateFile(site: Site, source: NetworkingSource): Finding[] {
  return sortFindings(validateNetworking({ site, file: loadNetworkingFile(source.text, source.file) }));
}

export interface SitePlan {
  findings: Finding[];
  desired: DesiredState;
  actual: FirewallState;
  plan: Plan;
}

/** Validation against the firewall and the plan, from one read of the firewall (five requests). */
export async function planSite(
  client: PfSenseClient,
  site: Site,
  source: NetworkingSource,
): Promise<SitePlan> {
  const file = loadNetworkingFile(source.text, source.file);
  const actual = await readFirewallState(client, site);
  const findings = sortFindings(validateNetworking({ site, file, actual }));
  const desired = generateConfig(site, entriesOf(file));
  return { findings, desired, actual, plan: planFirewall(desired, actual) };
}

export interface SyncSiteOptions extends Omit<SyncOptions, 'client' | 'desired'> {
  /** Ask the firewall to check every write without making it (REST API v2.8.0+). */
  dryRun?: boolean;
}

export interface SyncSiteResult {
  findings: Finding[];
  report?: SyncReport;
  preview?: SyncPreview;
}

/**
 * Validates, then brings the firewall to the file's state. Errors block: a `SyncBlockedError`
 * carries the findings and nothing is written. The validation is a step of its own, so a resumed
 * job does not validate against a half-applied firewall.
 */
export async function syncSite(
  client: PfSenseClient,
  site: Site,
  source: NetworkingSource,
  options: SyncSiteOptions = {},
): Promise<SyncSiteResult> {
  const run = options.runner ?? runStepsDirectly;
  const file = loadNetworkingFile(source.text, source.file);
  const findings = await run('validate', async () => {
    const actual = await readFirewallState(client, site);
    return sortFindings(validateNetworking({ site, file, actual }));
  });
  if (hasErrors(findings)) throw new SyncBlockedError(findings);
  const desired = generateConfig(site, entriesOf(file));
  if (options.dryRun) return { findings, preview: await previewSync(client, desired) };
  const report = await syncFirewall({ ...options, client, desired });
  return { findings, report };
}
