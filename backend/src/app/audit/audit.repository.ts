import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntry, AuditListQuery, Page } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import { keyset, toPage } from '../../core/database/pagination.ts';
import { startsWithText } from '../../core/database/text-match.ts';
import { DB } from '../../core/tokens.ts';
import type { AuditLogTable } from './audit.table.ts';

@Injectable()
export class AuditRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async insert(row: AuditLogTable, tx: Executor = this.db.kysely): Promise<void> {
    await tx.insertInto('audit_log').values(row).execute();
  }

  async page(query: AuditListQuery & { customerId: string | null }): Promise<Page<AuditEntry>> {
    let base = this.db.kysely.selectFrom('audit_log');
    if (query.customerId) base = base.where('customer_id', '=', query.customerId);
    if (query.action) base = base.where(startsWithText('audit_log.action', query.action));
    if (query.actorId) base = base.where('actor_id', '=', query.actorId);
    if (query.targetType) base = base.where('target_type', '=', query.targetType);
    if (query.targetId) base = base.where('target_id', '=', query.targetId);
    const [rows, count] = await Promise.all([
      keyset(base.selectAll(), 'audit_log', 'at', query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return toPage(rows, query, (r) => r.at, toEntry, Number(count.n));
  }
}

function toEntry(row: AuditLogTable): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actorId: row.actor_id,
    actorName: row.actor_name,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    customerId: row.customer_id,
    ip: row.ip,
    requestId: row.request_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
