import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Authenticator } from '../../core/http/authenticator.ts';
import { MailModule } from '../../core/mail/mail.module.ts';
import { CustomersModule } from '../customers/customers.module.ts';
import { ApiTokensController } from './api-tokens.controller.ts';
import { ApiTokensRepository } from './api-tokens.repository.ts';
import { ApiTokensService } from './api-tokens.service.ts';
import { AuthController } from './auth.controller.ts';
import { Clock, SystemClock } from './clock.ts';
import { InvitesController } from './invites.controller.ts';
import { InvitesRepository } from './invites.repository.ts';
import { InvitesService } from './invites.service.ts';
import { LoginFailuresRepository } from './login-failures.repository.ts';
import { LoginThrottle } from './login-throttle.service.ts';
import { PasswordResetsRepository } from './password-resets.repository.ts';
import { PasswordService } from './password.service.ts';
import { QuietSecretRoutes } from './quiet-secret-routes.ts';
import { RegistrationService } from './registration.service.ts';
import { SameOriginGuard } from './same-origin.guard.ts';
import { SessionAuthenticator } from './session-authenticator.ts';
import { SessionsRepository } from './sessions.repository.ts';
import { SessionsService } from './sessions.service.ts';
import { SignInService } from './sign-in.service.ts';
import { UsersController } from './users.controller.ts';
import { UsersRepository } from './users.repository.ts';
import { UsersService } from './users.service.ts';

/**
 * Users, sessions, API tokens, invites, password resets. Global because every module's
 * routes go through its Authenticator; it also installs the same-origin guard for writes.
 */
@Global()
@Module({
  imports: [MailModule, CustomersModule],
  controllers: [AuthController, ApiTokensController, InvitesController, UsersController],
  providers: [
    { provide: Clock, useClass: SystemClock },
    { provide: Authenticator, useClass: SessionAuthenticator },
    { provide: APP_GUARD, useClass: SameOriginGuard },
    QuietSecretRoutes,
    UsersRepository,
    SessionsRepository,
    ApiTokensRepository,
    InvitesRepository,
    PasswordResetsRepository,
    LoginFailuresRepository,
    LoginThrottle,
    SessionsService,
    SignInService,
    RegistrationService,
    InvitesService,
    PasswordService,
    ApiTokensService,
    UsersService,
  ],
  exports: [Authenticator, Clock, UsersRepository, ApiTokensService],
})
export class AuthModule {}
