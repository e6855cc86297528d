import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Forbidden, Unauthorized } from '../errors/problems.ts';
import { AgentAuthenticator } from './agent-authenticator.ts';
import { Authenticator } from './authenticator.ts';
import { ACCESS_RULE, roleSatisfies, type AccessRule } from './roles.ts';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Global guard: fail closed. A route with no access rule is refused for everyone. */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
    @Optional() @Inject(AgentAuthenticator) private readonly agents: AgentAuthenticator | null = null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) throw new Forbidden('This endpoint declares no access rule.');
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (rule.kind === 'public') {
      // Public routes still learn who is calling when they can (e.g. first-run setup status).
      request.caller = (await this.authenticator.authenticate(request).catch(() => null)) ?? undefined;
      return true;
    }
    if (rule.kind === 'agent') return this.agentOnly(request);
    const caller = await this.authenticator.authenticate(request);
    if (!caller) throw new Unauthorized();
    request.caller = caller;
    if (caller.via === 'token' && !READ_METHODS.has(request.method) && !caller.scopes.includes('write')) {
      throw new Forbidden('This API token is read-only.');
    }
    if (rule.kind === 'authenticated') return true;
    if (!roleSatisfies(caller.role, rule)) throw new Forbidden();
    return true;
  }

  /** Agent routes: an agent token passes; a signed-in user is refused (403), anyone else is 401. */
  private async agentOnly(request: FastifyRequest): Promise<boolean> {
    const agent = this.agents ? await this.agents.authenticate(request) : null;
    if (agent) {
      request.agent = agent;
      return true;
    }
    const user = await this.authenticator.authenticate(request).catch(() => null);
    if (user) throw new Forbidden('This endpoint is for agents: send the agent token of the host.');
    throw new Unauthorized('Send the agent token of this host (Authorization: Bearer …).');
  }
}
