import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import {
  invitePreviewSchema,
  loginRequestSchema,
  passwordChangeSchema,
  passwordForgotSchema,
  passwordResetSchema,
  registerRequestSchema,
  sessionInfoSchema,
  setupRequestSchema,
  setupStatusSchema,
  type LoginRequest,
  type PasswordChange,
  type PasswordForgot,
  type PasswordReset,
  type RegisterRequest,
  type SessionInfo,
  type SetupRequest,
  type SkyyConfig,
} from '@skyy/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Authenticated, Public } from '../../core/http/roles.ts';
import { Returns, ValidBody } from '../../core/http/zod-params.ts';
import { CONFIG } from '../../core/tokens.ts';
import { PasswordService } from './password.service.ts';
import { RegistrationService } from './registration.service.ts';
import { requestContext } from './request-context.ts';
import { clearSessionCookies, setSessionCookies } from './session-cookies.ts';
import { SignInService, type SignedIn } from './sign-in.service.ts';

@Controller('api/v1/auth')
export class AuthController {
  constructor(
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(SignInService) private readonly signIn: SignInService,
    @Inject(RegistrationService) private readonly registration: RegistrationService,
    @Inject(PasswordService) private readonly passwords: PasswordService,
  ) {}

  @Get('setup')
  @Public()
  @Returns(setupStatusSchema)
  setupStatus() {
    return this.signIn.setupStatus();
  }

  /** Creates the first administrator (only while there is no user at all) and signs them in. */
  @Post('setup')
  @Public()
  @Returns(sessionInfoSchema, 201)
  async setup(
    @ValidBody(setupRequestSchema) body: SetupRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionInfo> {
    return this.withCookies(request, reply, await this.signIn.setup(body, this.context(request)));
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @Returns(sessionInfoSchema)
  async login(
    @ValidBody(loginRequestSchema) body: LoginRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionInfo> {
    return this.withCookies(request, reply, await this.signIn.login(body, this.context(request)));
  }

  @Post('logout')
  @Authenticated()
  @HttpCode(204)
  async logout(
    @CurrentCaller() caller: Caller,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.signIn.logout(caller);
    clearSessionCookies(request, reply);
  }

  @Get('me')
  @Authenticated()
  @Returns(sessionInfoSchema)
  me(@CurrentCaller() caller: Caller) {
    return this.signIn.me(caller);
  }

  @Get('invites/:token')
  @Public()
  @Returns(invitePreviewSchema)
  invite(@Param('token') token: string) {
    return this.registration.preview(token);
  }

  /** With an invite: its role and customer. Without: a viewer, if open registration is on. */
  @Post('register')
  @Public()
  @Returns(sessionInfoSchema, 201)
  async register(
    @ValidBody(registerRequestSchema) body: RegisterRequest,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionInfo> {
    return this.withCookies(request, reply, await this.registration.register(body, this.context(request)));
  }

  /** Always 202: whether the account exists is not disclosed. */
  @Post('password/forgot')
  @Public()
  @HttpCode(202)
  forgot(@ValidBody(passwordForgotSchema) body: PasswordForgot, @Req() request: FastifyRequest): void {
    this.passwords.forgot(body, this.context(request));
  }

  @Post('password/reset')
  @Public()
  @HttpCode(204)
  async reset(
    @ValidBody(passwordResetSchema) body: PasswordReset,
    @Req() request: FastifyRequest,
  ): Promise<void> {
    await this.passwords.reset(body, this.context(request));
  }

  @Post('password/change')
  @Authenticated()
  @HttpCode(204)
  async change(
    @CurrentCaller() caller: Caller,
    @ValidBody(passwordChangeSchema) body: PasswordChange,
  ): Promise<void> {
    await this.passwords.change(caller, body);
  }

  private context(request: FastifyRequest) {
    return requestContext(request, this.config);
  }

  private withCookies(request: FastifyRequest, reply: FastifyReply, signedIn: SignedIn): SessionInfo {
    setSessionCookies(request, reply, signedIn.session);
    return signedIn.info;
  }
}
