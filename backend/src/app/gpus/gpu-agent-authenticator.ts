import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AgentAuthenticator, type AgentCaller } from '../../core/http/agent-authenticator.ts';
import { safeEqual, sha256 } from '../auth/secret-tokens.ts';
import { GpuAgentsRepository } from './gpu-agents.repository.ts';

const BEARER = /^Bearer[ \t]+(skyyga_[A-Za-z0-9_-]{16,128})[ \t]*$/i;

/** `Authorization: Bearer skyyga_…`: the token of an active (not revoked) GPU agent. */
@Injectable()
export class GpuAgentAuthenticator extends AgentAuthenticator {
  constructor(@Inject(GpuAgentsRepository) private readonly agents: GpuAgentsRepository) {
    super();
  }

  async authenticate(request: FastifyRequest): Promise<AgentCaller | null> {
    const secret = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (!secret) return null;
    const hash = sha256(secret);
    const row = await this.agents.findActiveByTokenHash(hash);
    // The lookup is by hash already; the constant-time compare keeps the check itself timing-flat.
    if (!row || !safeEqual(row.token_hash, hash)) return null;
    return { agentId: row.id, host: row.host, ip: request.ip, requestId: String(request.id) };
  }
}
