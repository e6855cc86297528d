import type { Site } from './site.ts';
import type { DesiredEntry } from './desired.ts';

/**
 * Skyy Command marks what it owns by the description prefix (`DMZ: ` unless the site says
 * otherwise). Anything without it is the operator's and is never changed or removed.
 */
export function managedDescription(site: Site, entry: DesiredEntry): string {
  const base = `${site.settings.managed_prefix}${entry.publicIp} -> ${entry.internalIp}`;
  return entry.description ? `${base} ${entry.description}` : base;
}

export function isManagedDescription(site: Site, descr: string | null | undefined): boolean {
  return typeof descr === 'string' && descr.startsWith(site.settings.managed_prefix);
}
