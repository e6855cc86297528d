import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import type { FastifyRequest } from 'fastify';
import { Forbidden } from '../../core/errors/problems.ts';
import { CONFIG } from '../../core/tokens.ts';
import { SAFE_METHODS } from './session-authenticator.ts';

/**
 * Refuses cross-site writes: a non-GET request whose Origin header names another site than
 * the one it was sent to (the Host, or config.server.public_url). Requests without Origin
 * (CLI, curl) pass; browsers always send it on cross-origin writes. This also covers the
 * public routes (sign-in, setup, registration) that have no session to carry a CSRF token.
 */
@Injectable()
export class SameOriginGuard implements CanActivate {
  constructor(@Inject(CONFIG) private readonly config: SkyyConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (SAFE_METHODS.has(request.method)) return true;
    const origin = request.headers.origin;
    if (origin === undefined || isSameOrigin(origin, request, this.config)) return true;
    throw new Forbidden('Cross-site request refused: the Origin header does not match this server.');
  }
}

export function isSameOrigin(origin: string, request: FastifyRequest, config: SkyyConfig): boolean {
  const originHost = hostOf(origin);
  if (originHost === null) return false; // `Origin: null` (sandboxed frames, file://) is never ours
  const allowed = [hostOf(`${request.protocol}://${request.host}`)];
  if (config.server.public_url) allowed.push(hostOf(config.server.public_url));
  return allowed.includes(originHost);
}

/** host[:port] with the scheme's default port dropped, lower-cased; null when not a URL. */
function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.host.toLowerCase() : null;
  } catch {
    return null;
  }
}
