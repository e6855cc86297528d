import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { resolveSecretRef } from '../config/load-config.ts';
import { CONFIG, LOGGER } from '../tokens.ts';

export interface MailMessage {
  to: string;
  subject: string;
  /** Plain-text body; always sent, it is what most admins' mail clients show. */
  text: string;
  /** Simple HTML alternative. Build it with `escapeHtml` around every interpolated value. */
  html: string;
}

export interface MailDelivery {
  via: 'smtp' | 'outbox';
  messageId: string;
  /** The .eml file written (outbox only). */
  file: string | null;
}

type Env = Record<string, string | undefined>;

/**
 * Sends mail through config.mail.smtp, or, without SMTP, writes each message as an RFC 822
 * `.eml` file to `<data_dir>/outbox/` (open it with any mail client; tests read links from it).
 */
@Injectable()
export class Mailer {
  /** Where `env:NAME` SMTP passwords are read, at each send. */
  private env: Env = process.env;

  constructor(
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A mailer outside Nest (CLI, tests), reading secrets from `env`. */
  static create(config: SkyyConfig, logger: Logger, env: Env = process.env): Mailer {
    const mailer = new Mailer(config, logger);
    mailer.env = env;
    return mailer;
  }

  get outboxDir(): string {
    return path.resolve(this.config.server.data_dir, 'outbox');
  }

  async send(message: MailMessage): Promise<MailDelivery> {
    const mail = { from: this.config.mail.from, ...message };
    const smtp = this.config.mail.smtp;
    if (smtp) {
      // Built per message so that a rotated `env:` password is picked up without a restart.
      const password = resolveSecretRef(smtp.password, this.env);
      const transport = nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        ...(smtp.user ? { auth: { user: smtp.user, pass: password ?? '' } } : {}),
      });
      try {
        const info = await transport.sendMail(mail);
        this.logger.info({ to: message.to, subject: message.subject, via: 'smtp' }, 'mail sent');
        return { via: 'smtp', messageId: info.messageId, file: null };
      } finally {
        transport.close();
      }
    }
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const info = await transport.sendMail(mail);
    if (!Buffer.isBuffer(info.message)) throw new Error('stream transport did not return a buffer');
    await mkdir(this.outboxDir, { recursive: true, mode: 0o700 });
    // Sortable by time; the random part keeps two mails of the same millisecond apart.
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`;
    const file = path.join(this.outboxDir, name);
    // Mails carry sign-in links: readable by the server's user only.
    await writeFile(file, info.message, { mode: 0o600 });
    this.logger.info({ to: message.to, subject: message.subject, via: 'outbox', file }, 'mail written');
    return { via: 'outbox', messageId: info.messageId, file };
  }
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
