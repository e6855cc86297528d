import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** A machine agent (the GPU agent of one host), authenticated by its own bearer token. */
export interface AgentCaller {
  agentId: string;
  /** The host the token was issued for; routes compare it with their `:host`. */
  host: string;
  ip: string;
  requestId: string;
}

/**
 * Port implemented by the module that issues agent tokens (app/gpus): turns a request's
 * `Authorization: Bearer …` agent token into an AgentCaller, or null. User sessions and
 * personal API tokens are never agent credentials, and agent tokens never act as users.
 */
export abstract class AgentAuthenticator {
  abstract authenticate(request: FastifyRequest): Promise<AgentCaller | null>;
}

declare module 'fastify' {
  interface FastifyRequest {
    agent?: AgentCaller;
  }
}

/** The authenticated agent of an `@AgentToken()` route. */
export const CurrentAgent = createParamDecorator((_: unknown, ctx: ExecutionContext): AgentCaller => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (!request.agent) throw new Error('CurrentAgent used on a route without @AgentToken()');
  return request.agent;
});
