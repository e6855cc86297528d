import { firewallPageSchema, type Firewall } from '@skyy/contracts';
import type { ApiClient } from '../../api-client.ts';
import { CliError } from '../../errors.ts';

/** A firewall by name, or by site when exactly one firewall serves it. */
export async function findFirewall(client: ApiClient, nameOrSite: string): Promise<Firewall> {
  const page = await client.get('/api/v1/firewalls', { query: { limit: 500 }, schema: firewallPageSchema });
  const byName = page.items.find((f) => f.name === nameOrSite);
  if (byName) return byName;
  const bySite = page.items.filter((f) => f.site === nameOrSite);
  if (bySite.length === 1 && bySite[0]) return bySite[0];
  throw new CliError(
    bySite.length > 1
      ? `site ${nameOrSite} has ${bySite.length} firewalls`
      : `no firewall named ${nameOrSite} on ${client.url}`,
    `name one of: ${page.items.map((f) => f.name).join(', ') || '(none yet: add one in config.yaml or the console)'}`,
  );
}
