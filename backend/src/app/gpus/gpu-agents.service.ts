import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  gpuAgentConfigSchema,
  gpuAgentHostSchema,
  parseYamlWith,
  type GpuAgentCreate,
  type GpuAgentCreated,
  type GpuAgentList,
  type GpuConfig,
} from '@skyy/contracts';
import type { Logger } from 'pino';
import type { Db } from '../../core/database/database.ts';
import { EventBus } from '../../core/events/event-bus.ts';
import {
  Conflict,
  Forbidden,
  NotFound,
  UnprocessableContent,
  ValidationFailed,
} from '../../core/errors/problems.ts';
import type { AgentCaller } from '../../core/http/agent-authenticator.ts';
import type { Caller } from '../../core/http/caller.ts';
import { isUniqueViolation } from '../../core/database/db-errors.ts';
import { DB, LOGGER } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { Clock } from '../auth/clock.ts';
import { randomSecret, sha256 } from '../auth/secret-tokens.ts';
import { GpuAgentsRepository } from './gpu-agents.repository.ts';
import { gpuConfigChanged, GpuConfigWaiters } from './gpu-config-waiters.ts';
import { toGpuAgent } from './gpu-views.ts';
import type { GpuConfigsTable } from './gpus.table.ts';

/** Agent tokens look different from personal API tokens (`skyy_…`), so neither passes for the other. */
export const AGENT_TOKEN_PREFIX = 'skyyga_';
/** The fleet default's key in gpu_configs. */
const FLEET_DEFAULT = '*';

export type AgentConfigAnswer = (
  { status: 200; yaml: string; etag: string } | { status: 304; etag: string }
) & {
  /** This replica is stopping: the agent should reconnect (to another replica) on a new connection. */
  closeConnection?: boolean;
};

/**
 * GPU agents: one token per host (shown once, stored as a SHA-256 like API tokens), and the
 * central gpu_config.yaml per host with a fleet default, served to the agent with an ETag.
 */
@Injectable()
export class GpuAgentsService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(GpuAgentsRepository) private readonly repo: GpuAgentsRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(EventBus) private readonly events: EventBus,
    @Inject(GpuConfigWaiters) private readonly waiters: GpuConfigWaiters,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(): Promise<GpuAgentList> {
    const [rows, counts] = await Promise.all([this.repo.listActive(), this.repo.gpuCounts()]);
    const now = this.clock.now();
    return { items: rows.map((row) => toGpuAgent(row, now, counts.get(row.host) ?? 0)) };
  }

  async create(caller: Caller, input: GpuAgentCreate): Promise<GpuAgentCreated> {
    try {
      return await this.issue(caller, input);
    } catch (error) {
      // Two admins at once: the unique index on the active host decides, the loser gets the same 409.
      if (isUniqueViolation(error)) throw alreadyHasToken(input.host);
      throw error;
    }
  }

  private async issue(caller: Caller, input: GpuAgentCreate): Promise<GpuAgentCreated> {
    return this.db.kysely.transaction().execute(async (tx) => {
      if (await this.repo.findActiveByHost(input.host, tx)) throw alreadyHasToken(input.host);
      const token = `${AGENT_TOKEN_PREFIX}${randomSecret()}`;
      const now = this.clock.now();
      const row = {
        id: randomUUID(),
        host: input.host,
        token_hash: sha256(token),
        token_prefix: token.slice(0, AGENT_TOKEN_PREFIX.length + 4),
        created_at: now.toISOString(),
        created_by: caller.userId,
        revoked_at: null,
        last_seen_at: null,
        last_ip: null,
        version: null,
        mode: null,
        source: null,
        config_source: null,
        agent_stale: 0,
        chassis: null,
        chassis_updated_at: null,
      };
      await this.repo.insert(row, tx);
      const agent = toGpuAgent(row, now, 0);
      await this.audit.record(
        caller,
        'gpu_agent.create',
        { type: 'gpu_agent', id: row.id },
        { after: agent },
        tx,
      );
      return { agent, token };
    });
  }

  /** The agent's next request is refused (401). */
  async revoke(caller: Caller, id: string): Promise<void> {
    await this.db.kysely.transaction().execute(async (tx) => {
      const row = await this.repo.findActive(id, tx);
      if (!row) throw new NotFound('GPU agent');
      await this.repo.revoke(id, this.clock.now().toISOString(), tx);
      await this.audit.record(caller, 'gpu_agent.revoke', { type: 'gpu_agent', id }, { host: row.host }, tx);
    });
  }

  /** The host's own config, else the fleet default; `host` null asks for the fleet default itself. */
  async getConfig(host: string | null): Promise<GpuConfig> {
    const config = await this.findConfig(host);
    if (!config) throw noConfig(host);
    return config;
  }

  private async findConfig(host: string | null): Promise<GpuConfig | undefined> {
    const key = host === null ? FLEET_DEFAULT : checkHost(host);
    const own = await this.repo.findConfig(key);
    const row = own ?? (host === null ? undefined : await this.repo.findConfig(FLEET_DEFAULT));
    if (!row) return undefined;
    return toGpuConfig(row, host, own ? (host === null ? 'default' : 'host') : 'default');
  }

  /** Validates with the agent's own schema; an invalid file is a 422 naming each key and line. */
  async putConfig(caller: Caller, host: string | null, yaml: string): Promise<GpuConfig> {
    const key = host === null ? FLEET_DEFAULT : checkHost(host);
    const parsed = parseYamlWith(gpuAgentConfigSchema, yaml, 'gpu_config.yaml');
    if (!parsed.ok) {
      throw new UnprocessableContent(
        'The GPU config is invalid; nothing was saved.',
        parsed.issues.map((issue) => ({
          path: issue.path ? `body.yaml.${issue.path}` : 'body.yaml',
          message: `line ${issue.line}, column ${issue.column}: ${issue.message}`,
        })),
      );
    }
    const saved = await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.findConfig(key, tx);
      const row: GpuConfigsTable = {
        host: key,
        yaml,
        etag: etagOf(yaml),
        updated_at: this.clock.now().toISOString(),
        updated_by: caller.username,
      };
      await this.repo.upsertConfig(row, tx);
      await this.audit.record(
        caller,
        'gpu_config.update',
        { type: 'gpu_config', id: key },
        { host, before: before?.yaml ?? null, after: yaml },
        tx,
      );
      return toGpuConfig(row, host, host === null ? 'default' : 'host');
    });
    await this.announce(host, 'updated');
    return saved;
  }

  /** Removes a host's own config: the host falls back to the fleet default. */
  async deleteConfig(caller: Caller, host: string): Promise<void> {
    const key = checkHost(host);
    await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.findConfig(key, tx);
      if (!before) throw new NotFound(`A GPU config of its own for ${host}`);
      await this.repo.deleteConfig(key, tx);
      await this.audit.record(
        caller,
        'gpu_config.delete',
        { type: 'gpu_config', id: key },
        { before: before.yaml },
        tx,
      );
    });
    await this.announce(host, 'deleted');
  }

  /**
   * After the commit, so an agent woken by it reads the new row. Best effort: the change is saved
   * either way, and a held request that misses it still re-reads when its wait ends.
   */
  private async announce(host: string | null, action: 'updated' | 'deleted'): Promise<void> {
    try {
      await this.events.publish(gpuConfigChanged(host, action));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message, host }, 'could not announce a GPU config change');
    }
  }

  /**
   * What the agent of `host` polls: its config as YAML with an ETag; 304 when unchanged. With
   * `waitSec` > 0 an answer that would tell the agent nothing new (304, or 404 to an agent that
   * has no server config either) is held until the host's effective config changes or the wait
   * ends; the answer then is whatever holds at that moment.
   */
  async agentConfig(
    agent: AgentCaller,
    host: string,
    ifNoneMatch: string | undefined,
    waitSec = 0,
    signal?: AbortSignal,
  ): Promise<AgentConfigAnswer> {
    assertOwnHost(agent, host);
    checkHost(host);
    if (waitSec <= 0) return settle(await this.answerAgent(host, ifNoneMatch), host);
    const held = this.waiters.hold(host, waitSec * 1000, signal);
    try {
      for (;;) {
        const answer = await this.answerAgent(host, ifNoneMatch);
        if (answer.status === 200 || (answer.status === 404 && ifNoneMatch !== undefined))
          return settle(answer, host);
        const wake = await held.next();
        // Superseded, shutting down or abandoned: the last answer, without touching the database.
        if (wake === 'shutdown') return { ...settle(answer, host), closeConnection: true };
        if (wake === 'superseded' || wake === 'gone') return settle(answer, host);
        // A final look at the end of the wait covers a change whose event was lost (Redis down).
        if (wake === 'timeout') return settle(await this.answerAgent(host, ifNoneMatch), host);
      }
    } finally {
      held.end('gone');
    }
  }

  private async answerAgent(
    host: string,
    ifNoneMatch: string | undefined,
  ): Promise<AgentConfigAnswer | { status: 404 }> {
    const config = await this.findConfig(host);
    if (!config) return { status: 404 };
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, config.etag))
      return { status: 304, etag: config.etag };
    return { status: 200, yaml: config.yaml, etag: config.etag };
  }
}

function settle(answer: AgentConfigAnswer | { status: 404 }, host: string): AgentConfigAnswer {
  if (answer.status === 404) throw noConfig(host);
  return answer;
}

function noConfig(host: string | null): NotFound {
  return new NotFound(host === null ? 'The fleet default GPU config' : `A GPU config for ${host}`);
}

function alreadyHasToken(host: string): Conflict {
  return new Conflict(`Host ${host} already has an agent token; revoke it first to issue a new one.`, [
    { path: 'body.host', message: 'already has an agent token' },
  ]);
}

/** An agent token works for its own host only. */
export function assertOwnHost(agent: AgentCaller, host: string): void {
  if (agent.host !== host) throw new Forbidden(`This agent token belongs to another host than ${host}.`);
}

function checkHost(host: string): string {
  const parsed = gpuAgentHostSchema.safeParse(host);
  if (!parsed.success) throw new ValidationFailed([{ path: 'params.host', message: 'not a host name' }]);
  return parsed.data;
}

/** A strong ETag: the same YAML text always gives the same tag, on every replica. */
export function etagOf(yaml: string): string {
  return `"${sha256(yaml).slice(0, 32)}"`;
}

/** If-None-Match may list several tags, or `*`; weak comparison as RFC 9110 asks for GET. */
function etagMatches(header: string, etag: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

function toGpuConfig(row: GpuConfigsTable, host: string | null, scope: GpuConfig['scope']): GpuConfig {
  return {
    host,
    scope,
    yaml: row.yaml,
    etag: row.etag,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}
