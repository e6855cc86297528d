import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  firewallSiteSettingsSchema,
  type Firewall,
  type FirewallCreate,
  type FirewallListQuery,
  type FirewallSiteSettings,
  type FirewallUpdate,
  type NetworkingDocument,
  type NetworkingUpload,
  type Page,
  type SkyyConfig,
} from '@skyy/contracts';
import { formatFinding, resolveSite, validateFile } from '@skyy/pfsense';
import { fromFlag, now, toFlag, type Db, type Executor } from '../../core/database/database.ts';
import { Conflict, NotFound, UnprocessableContent } from '../../core/errors/problems.ts';
import { EventBus, inventoryChanged } from '../../core/events/event-bus.ts';
import { systemCaller, type Caller } from '../../core/http/caller.ts';
import { SecretBox, secretStatus } from '../../core/secrets/secret-box.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { FirewallsRepository } from './firewalls.repository.ts';
import type { FirewallsTable } from './firewalls.table.ts';

/**
 * pfSense firewalls, one per site: how to reach them (API key sealed with SecretBox or kept as
 * `env:NAME`; the API only says whether one is set), the site settings, and the desired
 * networking file (uploaded verbatim, or a path from config.yaml).
 */
@Injectable()
export class FirewallsService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(FirewallsRepository) private readonly repo: FirewallsRepository,
    @Inject(SecretBox) private readonly secrets: SecretBox,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  list(_caller: Caller, query: FirewallListQuery): Promise<Page<Firewall>> {
    return this.repo.page(query, toFirewall);
  }

  async get(_caller: Caller, id: string): Promise<Firewall> {
    return toFirewall(await this.row(id));
  }

  async row(id: string): Promise<FirewallsTable> {
    const row = await this.repo.find(id);
    if (!row) throw new NotFound('Firewall');
    return row;
  }

  async create(caller: Caller, input: FirewallCreate, source: 'api' | 'config' = 'api'): Promise<Firewall> {
    const firewall = await this.db.kysely.transaction().execute(async (tx) => {
      await this.assertNameFree(input.name, null, tx);
      const stamp = now();
      const row: FirewallsTable = {
        id: randomUUID(),
        name: input.name,
        site: input.site,
        api_url: input.apiUrl,
        api_key: input.apiKey === null ? null : this.secrets.store(input.apiKey),
        tls_ca_file: input.tls.caFile,
        tls_fingerprint: input.tls.fingerprint,
        tls_insecure: toFlag(input.tls.insecure),
        settings: input.settings === null ? null : JSON.stringify(input.settings),
        networking_file: input.networkingFile,
        networking_name: null,
        networking_content: null,
        networking_updated_at: null,
        source,
        created_at: stamp,
        updated_at: stamp,
      };
      await this.repo.insert(row, tx);
      const created = toFirewall(row);
      await this.audit.record(
        caller,
        'firewall.create',
        { type: 'firewall', id: row.id },
        { after: created },
        tx,
      );
      return created;
    });
    await this.events.publish(inventoryChanged('firewall', 'created', firewall.id, null));
    return firewall;
  }

  async update(caller: Caller, id: string, patch: FirewallUpdate): Promise<Firewall> {
    const firewall = await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, tx);
      if (!before) throw new NotFound('Firewall');
      if (patch.name !== undefined) await this.assertNameFree(patch.name, id, tx);
      const row: Partial<FirewallsTable> = {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.site !== undefined ? { site: patch.site } : {}),
        ...(patch.apiUrl !== undefined ? { api_url: patch.apiUrl } : {}),
        ...(patch.apiKey !== undefined
          ? { api_key: patch.apiKey === null ? null : this.secrets.store(patch.apiKey) }
          : {}),
        ...(patch.tls !== undefined
          ? {
              tls_ca_file: patch.tls.caFile,
              tls_fingerprint: patch.tls.fingerprint,
              tls_insecure: toFlag(patch.tls.insecure),
            }
          : {}),
        ...(patch.settings !== undefined
          ? { settings: patch.settings === null ? null : JSON.stringify(patch.settings) }
          : {}),
        ...(patch.networkingFile !== undefined ? { networking_file: patch.networkingFile } : {}),
        updated_at: now(),
      };
      await this.repo.update(id, row, tx);
      const after = toFirewall({ ...before, ...row });
      await this.audit.record(
        caller,
        'firewall.update',
        { type: 'firewall', id },
        { before: toFirewall(before), after, apiKeyChanged: patch.apiKey !== undefined },
        tx,
      );
      return after;
    });
    await this.events.publish(inventoryChanged('firewall', 'updated', id, null));
    return firewall;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, tx);
      if (!before) throw new NotFound('Firewall');
      await this.repo.delete(id, tx);
      await this.audit.record(
        caller,
        'firewall.delete',
        { type: 'firewall', id },
        { before: toFirewall(before) },
        tx,
      );
    });
    await this.events.publish(inventoryChanged('firewall', 'deleted', id, null));
  }

  /**
   * Stores the user's networking YAML verbatim, once it passes the file checks against the
   * site settings; otherwise 422 with every finding as `file:line: … Fix: …` and nothing stored.
   */
  async putNetworking(caller: Caller, id: string, upload: NetworkingUpload): Promise<NetworkingDocument> {
    const row = await this.row(id);
    const settings = settingsOf(row);
    if (!settings) {
      throw new UnprocessableContent(
        `Firewall ${row.name} has no site settings yet: set them (public_subnet, lan_interface, lan_subnet) first.`,
        [{ path: 'body.content', message: 'cannot be checked without the site settings' }],
      );
    }
    const findings = validateFile(resolveSite(row.site, settings), {
      text: upload.content,
      file: upload.name,
    });
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      throw new UnprocessableContent(
        `${upload.name} has ${errors.length} error(s); nothing was stored.`,
        errors.map((f) => ({ path: 'body.content', message: formatFinding(f) })),
      );
    }
    const stamp = now();
    await this.db.kysely.transaction().execute(async (tx) => {
      await this.repo.update(
        id,
        {
          networking_name: upload.name,
          networking_content: upload.content,
          networking_updated_at: stamp,
          updated_at: stamp,
        },
        tx,
      );
      await this.audit.record(
        caller,
        'firewall.networking.update',
        { type: 'firewall', id },
        {
          name: upload.name,
          bytes: Buffer.byteLength(upload.content),
          warnings: findings.length - errors.length,
        },
        tx,
      );
    });
    await this.events.publish(inventoryChanged('firewall', 'updated', id, null));
    return { name: upload.name, content: upload.content, source: 'api', updatedAt: stamp };
  }

  /** The API key in clear, for the pfSense client only; never for the API. */
  revealApiKey(row: FirewallsTable): string | undefined {
    return row.api_key ? this.secrets.reveal(row.api_key) : undefined;
  }

  /**
   * Firewalls declared in config.yaml appear in the inventory (source `config`); a relative
   * networking_file is read from the server's working directory. Existing rows
   * with the same name are updated in place (an uploaded networking file is kept); rows created
   * in the console are left alone.
   */
  async syncFromConfig(firewalls: SkyyConfig['firewalls'], sites: SkyyConfig['sites'] = []): Promise<void> {
    const caller = systemCaller('config');
    for (const f of firewalls) {
      // A firewall without its own networking_file uses its site's (`sites[].networking_file`).
      const networkingFile = f.networking_file ?? sites.find((s) => s.name === f.site)?.networking_file;
      const input: FirewallCreate = {
        name: f.name,
        site: f.site,
        apiUrl: f.api_url,
        apiKey: f.api_key ?? null,
        tls: {
          caFile: f.tls?.ca_file ?? null,
          fingerprint: f.tls?.fingerprint ?? null,
          insecure: f.tls?.insecure ?? false,
        },
        settings: f.site_settings ?? null,
        networkingFile: networkingFile ?? null,
      };
      const existing = await this.repo.findByName(f.name);
      if (!existing) {
        // Several replicas may start together: losing the insert race to another one is fine.
        await this.create(caller, input, 'config').catch(async (error: unknown) => {
          if (!(await this.repo.findByName(f.name))) throw error;
        });
      } else if (existing.source === 'config' && this.differs(existing, input))
        await this.update(caller, existing.id, input);
    }
  }

  private differs(row: FirewallsTable, input: FirewallCreate): boolean {
    const keySame =
      input.apiKey === null
        ? row.api_key === null
        : row.api_key !== null && this.secrets.matches(row.api_key, input.apiKey);
    return (
      row.site !== input.site ||
      row.api_url !== input.apiUrl ||
      row.tls_ca_file !== input.tls.caFile ||
      row.tls_fingerprint !== input.tls.fingerprint ||
      fromFlag(row.tls_insecure) !== input.tls.insecure ||
      row.settings !== (input.settings === null ? null : JSON.stringify(input.settings)) ||
      row.networking_file !== input.networkingFile ||
      !keySame
    );
  }

  private async assertNameFree(name: string, exceptId: string | null, tx: Executor): Promise<void> {
    const existing = await this.repo.findByName(name, tx);
    if (existing && existing.id !== exceptId) {
      throw new Conflict(`A firewall named ${name} already exists.`, [
        { path: 'body.name', message: 'already taken' },
      ]);
    }
  }
}

export function settingsOf(row: FirewallsTable): FirewallSiteSettings | null {
  return row.settings === null ? null : firewallSiteSettingsSchema.parse(JSON.parse(row.settings));
}

export function toFirewall(row: FirewallsTable): Firewall {
  return {
    id: row.id,
    name: row.name,
    site: row.site,
    apiUrl: row.api_url,
    apiKey: secretStatus(row.api_key),
    tls: { caFile: row.tls_ca_file, fingerprint: row.tls_fingerprint, insecure: fromFlag(row.tls_insecure) },
    settings: settingsOf(row),
    networkingFile: row.networking_file,
    networking:
      row.networking_name !== null && row.networking_updated_at !== null
        ? { name: row.networking_name, updatedAt: row.networking_updated_at }
        : null,
    source: row.source as Firewall['source'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
