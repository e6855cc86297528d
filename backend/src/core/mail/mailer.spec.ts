import { statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { skyyConfigSchema, type SkyyConfig } from '@skyy/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.ts';
import { escapeHtml, Mailer } from './mailer.ts';
import { readOutbox } from './outbox.ts';

const logger = createLogger({ level: 'silent' });
let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'skyy-mail-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function config(mail: Partial<SkyyConfig['mail']> = {}): SkyyConfig {
  const base = skyyConfigSchema.parse({});
  return { ...base, server: { ...base.server, data_dir: dataDir }, mail: { ...base.mail, ...mail } };
}

// Long enough that quoted-printable has to break the line inside the link.
const link = `https://skyy.example/reset-password?token=${'Ab9_-'.repeat(30)}`;

describe('Mailer without SMTP', () => {
  it('writes an .eml file to the outbox that reads back with its link intact', async () => {
    const mailer = new Mailer(config(), logger);
    const delivery = await mailer.send({
      to: 'ops@example.com',
      subject: 'Réinitialiser le mot de passe',
      text: `Open ${link} within 30 minutes.`,
      html: `<p><a href="${escapeHtml(link)}">Reset</a> <b>${escapeHtml('<ops & co>')}</b></p>`,
    });

    expect(delivery.via).toBe('outbox');
    const [mail, ...others] = await readOutbox(dataDir);
    expect(others).toHaveLength(0);
    expect(mail?.file).toBe(delivery.file);
    expect(mail?.to).toBe('ops@example.com');
    expect(mail?.subject).toBe('Réinitialiser le mot de passe');
    expect(mail?.text).toContain(link);
    expect(mail?.html).toContain('&#60;ops &#38; co&#62;');
    // Mails carry sign-in links: only the server's user may read them.
    expect(statSync(delivery.file ?? '').mode & 0o777).toBe(0o600);
  });

  it('keeps every mail as its own file, oldest first', async () => {
    const mailer = new Mailer(config(), logger);
    for (const subject of ['first', 'second', 'third']) {
      await mailer.send({ to: 'a@example.com', subject, text: subject, html: `<p>${subject}</p>` });
    }
    expect((await readOutbox(dataDir)).map((m) => m.subject)).toEqual(['first', 'second', 'third']);
  });
});

/** Just enough of an SMTP server to see what nodemailer sends, on loopback. */
function fakeSmtp(): Promise<{ server: Server; port: number; sessions: string[][] }> {
  const sessions: string[][] = [];
  const server = createServer((socket: Socket) => {
    const seen: string[] = [];
    sessions.push(seen);
    let buffer = '';
    let inData = false;
    let authStep: 'user' | 'pass' | null = null;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 fake ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let end: number;
      while ((end = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            reply('250 queued');
          } else seen.push(`DATA ${line}`);
          continue;
        }
        if (authStep === 'user') {
          seen.push(`AUTH-USER ${Buffer.from(line, 'base64').toString()}`);
          authStep = 'pass';
          reply('334 UGFzc3dvcmQ6');
          continue;
        }
        if (authStep === 'pass') {
          seen.push(`AUTH-PASS ${Buffer.from(line, 'base64').toString()}`);
          authStep = null;
          reply('235 ok');
          continue;
        }
        const verb = line.split(' ')[0]?.toUpperCase();
        if (verb === 'EHLO') {
          socket.write('250-fake\r\n250 AUTH PLAIN LOGIN\r\n');
        } else if (verb === 'AUTH' && /^AUTH PLAIN /i.test(line)) {
          const [, user, pass] = Buffer.from(line.slice(11), 'base64').toString().split('\0');
          seen.push(`AUTH-USER ${user}`, `AUTH-PASS ${pass}`);
          reply('235 ok');
        } else if (verb === 'AUTH') {
          authStep = 'user';
          reply('334 VXNlcm5hbWU6');
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 go on');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else {
          seen.push(line);
          reply('250 ok');
        }
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0, sessions });
    });
  });
}

describe('Mailer with SMTP', () => {
  it('sends through the configured server, reading the password from env: at send time', async () => {
    const smtp = await fakeSmtp();
    try {
      const env: Record<string, string | undefined> = { SKYY_TEST_SMTP_PASSWORD: 'first-password' };
      const mailer = Mailer.create(
        config({
          from: 'Skyy <skyy@example.com>',
          smtp: {
            host: '127.0.0.1',
            port: smtp.port,
            secure: false,
            user: 'mailer',
            password: 'env:SKYY_TEST_SMTP_PASSWORD',
          },
        }),
        logger,
        env,
      );
      const delivery = await mailer.send({
        to: 'ops@example.com',
        subject: 'Hello',
        text: 'hi',
        html: '<p>hi</p>',
      });
      env.SKYY_TEST_SMTP_PASSWORD = 'rotated-password';
      await mailer.send({ to: 'ops@example.com', subject: 'Again', text: 'hi', html: '<p>hi</p>' });

      expect(delivery.via).toBe('smtp');
      const [first, second] = smtp.sessions;
      expect(first).toContain('AUTH-USER mailer');
      expect(first).toContain('AUTH-PASS first-password');
      expect(first).toContain('MAIL FROM:<skyy@example.com>');
      expect(first).toContain('RCPT TO:<ops@example.com>');
      expect(first).toContain('DATA Subject: Hello');
      expect(second).toContain('AUTH-PASS rotated-password');
      expect(await readOutbox(dataDir)).toEqual([]);
    } finally {
      smtp.server.close();
    }
  });
});
