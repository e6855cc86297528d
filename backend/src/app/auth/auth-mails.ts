import type { Role } from '@skyy/contracts';
import { escapeHtml, type MailMessage } from '../../core/mail/mailer.ts';

export function inviteMail(input: {
  to: string;
  organization: string;
  url: string;
  role: Role;
  customerName: string | null;
  expiresAt: string;
}): MailMessage {
  const what = input.customerName
    ? `a ${input.role} account for ${input.customerName}`
    : `a ${input.role} account`;
  return {
    to: input.to,
    subject: `Your invitation to ${input.organization}`,
    text: [
      `You have been invited to ${input.organization} (Skyy Command) with ${what}.`,
      '',
      `Create your account here: ${input.url}`,
      '',
      `The link works once and expires at ${input.expiresAt}.`,
    ].join('\n'),
    html: [
      `<p>You have been invited to ${escapeHtml(input.organization)} (Skyy Command) with ${escapeHtml(what)}.</p>`,
      `<p><a href="${escapeHtml(input.url)}">Create your account</a></p>`,
      `<p>The link works once and expires at ${escapeHtml(input.expiresAt)}.</p>`,
    ].join('\n'),
  };
}

export function passwordResetMail(input: {
  to: string;
  organization: string;
  username: string;
  url: string;
  minutes: number;
}): MailMessage {
  return {
    to: input.to,
    subject: `Reset your ${input.organization} password`,
    text: [
      `Someone asked to reset the password of ${input.username} on ${input.organization} (Skyy Command).`,
      '',
      `Choose a new password here: ${input.url}`,
      '',
      `The link works once, for ${input.minutes} minutes. If it was not you, ignore this mail.`,
    ].join('\n'),
    html: [
      `<p>Someone asked to reset the password of <b>${escapeHtml(input.username)}</b> on ${escapeHtml(input.organization)} (Skyy Command).</p>`,
      `<p><a href="${escapeHtml(input.url)}">Choose a new password</a></p>`,
      `<p>The link works once, for ${input.minutes} minutes. If it was not you, ignore this mail.</p>`,
    ].join('\n'),
  };
}
