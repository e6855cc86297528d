import type { FastifyRequest } from 'fastify';
import type { Caller } from './caller.ts';

/**
 * Port implemented by the auth module: turns a request's session cookie or bearer token into a
 * Caller, or null when it carries neither (or an invalid one). It also enforces the CSRF rule
 * for cookie-authenticated writes, throwing Forbidden when the token is missing or wrong.
 */
export abstract class Authenticator {
  abstract authenticate(request: FastifyRequest): Promise<Caller | null>;
}
