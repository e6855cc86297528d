import { Global, Module } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Authenticator } from '../../core/http/authenticator.ts';
import type { Caller } from '../../core/http/caller.ts';

/** Replaced by the real auth module (sessions, API tokens). Until then nobody is authenticated. */
class NoAuthenticator extends Authenticator {
  async authenticate(_request: FastifyRequest): Promise<Caller | null> {
    return null;
  }
}

@Global()
@Module({ providers: [{ provide: Authenticator, useClass: NoAuthenticator }], exports: [Authenticator] })
export class AuthModule {}
