import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { NetworkingDocument } from '@skyy/contracts';
import { PfSenseClient, resolveSite, type NetworkingSource, type Site } from '@skyy/pfsense';
import { NotFound, ProblemError, UnprocessableContent } from '../../core/errors/problems.ts';
import { FirewallsService, settingsOf } from './firewalls.service.ts';
import type { FirewallsTable } from './firewalls.table.ts';

/** The firewall did not answer, or answered with an error: the API says 502 with pfSense's reason. */
export class FirewallUnreachable extends ProblemError {
  constructor(name: string, reason: string) {
    super(502, 'Bad gateway', `Firewall ${name} could not be read: ${reason}`);
  }
}

/** Everything needed to talk to one firewall about its desired state. Close the client when done. */
export interface FirewallTarget {
  row: FirewallsTable;
  client: PfSenseClient;
  site: Site;
  source: NetworkingSource;
}

/**
 * Resolves a firewall row to a pfSense client (API key revealed only here), its site and its
 * networking file: the uploaded one, else `networking_file` from config.yaml.
 */
@Injectable()
export class FirewallTargets {
  constructor(@Inject(FirewallsService) private readonly firewalls: FirewallsService) {}

  /** The desired networking file, or null when there is none. */
  async networking(row: FirewallsTable): Promise<NetworkingDocument | null> {
    if (row.networking_content !== null && row.networking_name !== null) {
      return {
        name: row.networking_name,
        content: row.networking_content,
        source: 'api',
        updatedAt: row.networking_updated_at,
      };
    }
    if (row.networking_file === null) return null;
    const file = path.resolve(process.cwd(), row.networking_file);
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new UnprocessableContent(
        `The networking file of firewall ${row.name} (${row.networking_file}) cannot be read: ${code}. Fix networking_file in config.yaml or upload the file.`,
      );
    }
    return { name: row.networking_file, content, source: 'file', updatedAt: null };
  }

  async networkingOf(id: string): Promise<NetworkingDocument> {
    const document = await this.networking(await this.firewalls.row(id));
    if (!document) throw new NotFound('Networking file of this firewall');
    return document;
  }

  async open(id: string): Promise<FirewallTarget> {
    const row = await this.firewalls.row(id);
    const settings = settingsOf(row);
    if (!settings) {
      throw new UnprocessableContent(
        `Firewall ${row.name} has no site settings: set public_subnet, lan_interface and lan_subnet first.`,
      );
    }
    const document = await this.networking(row);
    if (!document) {
      throw new UnprocessableContent(
        `Firewall ${row.name} has no networking file: upload one (PUT /api/v1/firewalls/${row.id}/networking) or set networking_file in config.yaml.`,
      );
    }
    const key = this.firewalls.revealApiKey(row);
    if (!key) {
      throw new UnprocessableContent(
        row.api_key?.startsWith('env:')
          ? `Firewall ${row.name}: the environment variable ${row.api_key.slice(4)} holding its API key is not set.`
          : `Firewall ${row.name} has no API key: set one first.`,
      );
    }
    const client = new PfSenseClient({
      baseUrl: row.api_url,
      auth: { type: 'api-key', key },
      tls: {
        ...(row.tls_ca_file ? { caFile: row.tls_ca_file } : {}),
        ...(row.tls_fingerprint ? { fingerprint: row.tls_fingerprint } : {}),
        insecure: row.tls_insecure === 1,
      },
    });
    return {
      row,
      client,
      site: resolveSite(row.site, settings),
      source: { text: document.content, file: document.name },
    };
  }
}
