import type { SkyyConfig } from '@skyy/contracts';
import type { FastifyRequest } from 'fastify';
import type { AnonymousActor } from '../audit/audit.service.ts';

/** Where a request comes from, for sessions and the audit log of anonymous actions. */
export interface RequestContext {
  ip: string;
  requestId: string;
  userAgent: string | null;
  /** Base URL for links in mails: config.server.public_url, else the origin the request used. */
  baseUrl: string;
}

export function requestContext(request: FastifyRequest, config: SkyyConfig): RequestContext {
  const agent = request.headers['user-agent'];
  return {
    // Fastify resolves X-Forwarded-For only when server.trust_proxy is on.
    ip: request.ip,
    requestId: String(request.id),
    userAgent: typeof agent === 'string' ? agent.slice(0, 512) : null,
    baseUrl: (config.server.public_url ?? `${request.protocol}://${request.host}`).replace(/\/+$/, ''),
  };
}

export function anonymous(context: RequestContext, username?: string): AnonymousActor {
  return { ip: context.ip, requestId: context.requestId, ...(username ? { username } : {}) };
}
