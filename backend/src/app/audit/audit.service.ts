import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AuditEntry, AuditListQuery, Page } from '@skyy/contracts';
import type { Executor } from '../../core/database/database.ts';
import { now } from '../../core/database/database.ts';
import type { Caller } from '../../core/http/caller.ts';
import { AuditRepository } from './audit.repository.ts';

export interface AuditTarget {
  type: string;
  id: string | null;
  customerId?: string | null;
}

/** Anonymous actors (a failed login, a password reset request) still leave a trace of where from. */
export interface AnonymousActor {
  ip: string;
  requestId: string;
  username?: string;
}

const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential/i;

@Injectable()
export class AuditService {
  constructor(@Inject(AuditRepository) private readonly repo: AuditRepository) {}

  /**
   * Writes one entry. Pass the transaction of the change itself so the entry exists exactly
   * when the change does.
   */
  async record(
    actor: Caller | AnonymousActor,
    action: string,
    target: AuditTarget | null,
    details: Record<string, unknown> = {},
    tx?: Executor,
  ): Promise<void> {
    const isCaller = 'userId' in actor;
    await this.repo.insert(
      {
        id: randomUUID(),
        at: now(),
        actor_id: isCaller ? actor.userId : null,
        actor_name: isCaller ? actor.username : (actor.username ?? null),
        action,
        target_type: target?.type ?? null,
        target_id: target?.id ?? null,
        customer_id: target?.customerId ?? (isCaller ? actor.customerId : null),
        ip: actor.ip,
        request_id: actor.requestId,
        details: JSON.stringify(redact(details)),
      },
      tx,
    );
  }

  list(query: AuditListQuery): Promise<Page<AuditEntry>> {
    return this.repo.page({ ...query, customerId: null });
  }
}

/** Secrets never reach the audit log, however deeply they are nested in a change. */
export function redact(value: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== 'boolean') {
    return typeof value === 'object' ? redactObject(value) : '[redacted]';
  }
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value && typeof value === 'object') return redactObject(value);
  return value;
}

function redactObject(value: object): unknown {
  if (Array.isArray(value)) return value.map(() => '[redacted]');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
}
