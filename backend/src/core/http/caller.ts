import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@skyy/contracts';
import type { FastifyRequest } from 'fastify';

/** Who is making a request: the one object services need to decide access. */
export interface Caller {
  userId: string;
  username: string;
  role: Role;
  /** Set for customer users: everything they touch is scoped to this customer. */
  customerId: string | null;
  /** How the caller authenticated: a browser session (cookie) or a personal API token. */
  via: 'session' | 'token';
  sessionId: string | null;
  tokenId: string | null;
  /** API token scopes; sessions have every scope their role allows. */
  scopes: readonly TokenScope[];
  ip: string;
  requestId: string;
}

export type TokenScope = 'read' | 'write';

/** A system actor for work started by the scheduler or at start-up. */
export const systemCaller = (requestId = 'system'): Caller => ({
  userId: '00000000-0000-0000-0000-000000000000',
  username: 'system',
  role: 'admin',
  customerId: null,
  via: 'token',
  sessionId: null,
  tokenId: null,
  scopes: ['read', 'write'],
  ip: '127.0.0.1',
  requestId,
});

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/** The authenticated caller; the access guard has already rejected anonymous requests. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  if (!request.caller) throw new Error('CurrentCaller used on a route without an access rule');
  return request.caller;
});
