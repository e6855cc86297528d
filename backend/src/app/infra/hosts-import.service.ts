import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  hostFileSchema,
  parseYamlWith,
  type HostFile,
  type HostImport,
  type HostImportResult,
} from '@skyy/contracts';
import { now, toFlag, type Db } from '../../core/database/database.ts';
import { EventBus, inventoryChanged } from '../../core/events/event-bus.ts';
import type { Caller } from '../../core/http/caller.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { HostsRepository, toHost, type HostRow } from './hosts.repository.ts';
import { hostTarget, settingOs } from './hosts.service.ts';

type FileResult = HostImportResult['files'][number];

/**
 * Imports the user's host files (desired_state/hosts*) unchanged. All or nothing: when any
 * file is invalid, nothing is written and every file's result is reported.
 */
@Injectable()
export class HostsImportService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(HostsRepository) private readonly repo: HostsRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  async import(caller: Caller, input: HostImport): Promise<HostImportResult> {
    const parsed = input.files.map((file) => ({
      file,
      result: parseYamlWith(hostFileSchema, file.content, file.name),
    }));
    const results: FileResult[] = parsed.map(({ file, result }) =>
      result.ok
        ? { name: file.name, status: 'unchanged', hostname: result.value.hostname, hostId: null, errors: [] }
        : {
            name: file.name,
            status: 'invalid',
            hostname: null,
            hostId: null,
            errors: result.issues.map(stripFile),
          },
    );
    markDuplicateHostnames(results, parsed);
    const valid = parsed.flatMap(({ file, result }, i) =>
      result.ok && results[i]?.status !== 'invalid' ? [{ index: i, file, host: result.value }] : [],
    );
    const anyInvalid = results.some((r) => r.status === 'invalid');
    const apply = !anyInvalid && !input.dryRun;

    const changed = await this.db.kysely.transaction().execute(async (tx) => {
      const existing = new Map(
        (
          await this.repo.findByHostnames(
            valid.map((v) => v.host.hostname),
            tx,
          )
        ).map((h) => [h.hostname, h]),
      );
      const changes: { row: HostRow; action: 'created' | 'updated' }[] = [];
      for (const { index, file, host } of valid) {
        const result = results[index] as FileResult;
        const before = existing.get(host.hostname);
        const row = toRow(host, file.name, file.content, before);
        result.hostId = row.id;
        if (!before) result.status = 'created';
        else if (!sameHost(before, row)) result.status = 'updated';
        else continue;
        if (!apply) continue;
        if (before) await this.repo.update(row, tx);
        else await this.repo.insert(row, tx);
        const after = toHost(row);
        await this.audit.record(
          caller,
          before ? 'host.update' : 'host.create',
          hostTarget(after),
          { source: file.name, ...(before ? { before: toHost(before) } : {}), after },
          tx,
        );
        changes.push({ row, action: before ? 'updated' : 'created' });
      }
      if (apply) {
        await this.audit.record(
          caller,
          'host.import',
          { type: 'host', id: null },
          {
            files: results.map((r) => ({ name: r.name, status: r.status })),
          },
          tx,
        );
      }
      return changes;
    });
    for (const { row, action } of changed) {
      await this.events.publish(inventoryChanged('host', action, row.id, row.customer_id));
    }
    return { applied: apply, files: results };
  }
}

function stripFile(issue: { line: number; column: number; path: string; message: string }) {
  return { line: issue.line, column: issue.column, path: issue.path, message: issue.message };
}

/** Two files describing one host would silently overwrite each other: report the second. */
function markDuplicateHostnames(
  results: FileResult[],
  parsed: { file: { name: string }; result: { ok: boolean; value?: HostFile } }[],
): void {
  const seen = new Map<string, string>();
  parsed.forEach(({ file, result }, i) => {
    const hostname = result.ok ? result.value?.hostname : undefined;
    if (!hostname) return;
    const first = seen.get(hostname.toLowerCase());
    const entry = results[i];
    if (first && entry) {
      entry.status = 'invalid';
      entry.errors.push({
        line: 1,
        column: 1,
        path: 'hostname',
        message: `${hostname} is also defined in ${first}`,
      });
    } else seen.set(hostname.toLowerCase(), file.name);
  });
}

function toRow(host: HostFile, fileName: string, content: string, before: HostRow | undefined): HostRow {
  const stamp = now();
  return {
    id: before?.id ?? randomUUID(),
    hostname: host.hostname,
    ip_address: host.ip_address,
    settings: JSON.stringify(host.settings),
    os: settingOs(host.settings),
    gpu: toFlag(host.settings.gpu === true),
    // Assignments made in Skyy Command survive a re-import of the file.
    cluster_id: before?.cluster_id ?? null,
    customer_id: before?.customer_id ?? null,
    source: fileName,
    source_yaml: content,
    created_at: before?.created_at ?? stamp,
    updated_at: stamp,
    roles: host.roles,
    tags: host.tags,
  };
}

function sameHost(a: HostRow, b: HostRow): boolean {
  return (
    a.ip_address === b.ip_address &&
    a.settings === b.settings &&
    a.source_yaml === b.source_yaml &&
    JSON.stringify(a.roles) === JSON.stringify(b.roles) &&
    JSON.stringify(a.tags) === JSON.stringify(b.tags)
  );
}
