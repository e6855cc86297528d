import { randomUUID } from 'node:crypto';
import { pino, type Logger } from 'pino';

/**
 * JSON logs (pino). Anything that could hold a secret is redacted by path, and the
 * test suite greps captured logs for planted secrets to keep it that way.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.tokenSecret',
  '*.secret',
];

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'skyy' } },
    options.destination ?? process.stdout,
  );
}

/** Request ids: reuse a sane incoming X-Request-Id (from nginx) or make one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && /^[A-Za-z0-9._-]{8,128}$/.test(value) ? value : randomUUID();
}
