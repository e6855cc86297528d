import { Global, Module } from '@nestjs/common';
import { Mailer } from './mailer.ts';

/** Global: any module may send mail (invites, password resets, reports). */
@Global()
@Module({ providers: [Mailer], exports: [Mailer] })
export class MailModule {}
