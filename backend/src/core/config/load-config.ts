import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  formatYamlIssue,
  parseYamlWith,
  skyyConfigSchema,
  type SkyyConfig,
  type YamlIssue,
} from '@skyy/contracts';

/** config.yaml failed validation; `issues` carry file:line:column and the key path. */
export class ConfigError extends Error {
  constructor(readonly issues: YamlIssue[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${formatYamlIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: SkyyConfig;
  /** The file it came from, or null when running on defaults. */
  file: string | null;
}

type Env = Record<string, string | undefined>;

/**
 * Reads config.yaml (from SKYY_CONFIG, else ./config.yaml when present, else defaults),
 * validates it, then applies environment overrides, which always win.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd()): LoadedConfig {
  const explicit = env.SKYY_CONFIG;
  const file = explicit ? path.resolve(cwd, explicit) : path.resolve(cwd, 'config.yaml');
  if (explicit && !existsSync(file)) {
    throw new ConfigError([
      { file, line: 1, column: 1, path: '', message: 'SKYY_CONFIG points at a file that does not exist' },
    ]);
  }
  const present = existsSync(file);
  const text = present ? readFileSync(file, 'utf8') : '{}';
  const parsed = parseYamlWith(skyyConfigSchema, text, present ? file : '(defaults)');
  if (!parsed.ok) throw new ConfigError(parsed.issues);
  const config = applyEnvOverrides(parsed.value, env, present ? file : '(environment)');
  return { config, file: present ? file : null };
}

export function applyEnvOverrides(config: SkyyConfig, env: Env, file: string): SkyyConfig {
  const out = structuredClone(config);
  const bad = (name: string, message: string): never => {
    throw new ConfigError([{ file, line: 1, column: 1, path: name, message }]);
  };
  if (env.PORT) {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      bad('PORT', `expected a port number, got "${env.PORT}"`);
    out.server.port = port;
  }
  if (env.HOST) out.server.host = env.HOST;
  if (env.SKYY_DATA_DIR) out.server.data_dir = env.SKYY_DATA_DIR;
  if (env.SKYY_PUBLIC_URL) out.server.public_url = env.SKYY_PUBLIC_URL;
  if (env.SKYY_TRUST_PROXY) out.server.trust_proxy = env.SKYY_TRUST_PROXY === 'true';
  if (env.DATABASE_URL) out.database.url = env.DATABASE_URL;
  if (env.REDIS_URL) out.redis.url = env.REDIS_URL;
  if (env.SKYY_OPEN_REGISTRATION) out.auth.open_registration = env.SKYY_OPEN_REGISTRATION === 'true';
  if (env.SMTP_FROM) out.mail.from = env.SMTP_FROM;
  if (env.SMTP_HOST) {
    const port = env.SMTP_PORT ? Number(env.SMTP_PORT) : 587;
    if (!Number.isInteger(port)) bad('SMTP_PORT', `expected a port number, got "${env.SMTP_PORT}"`);
    out.mail.smtp = {
      host: env.SMTP_HOST,
      port,
      secure: env.SMTP_SECURE === 'true',
      user: env.SMTP_USER,
      password: env.SMTP_PASSWORD,
    };
  }
  if (out.database.url && !/^postgres(ql)?:\/\//.test(out.database.url)) {
    bad('DATABASE_URL', 'only postgres:// URLs are supported; leave it unset for embedded SQLite');
  }
  if (out.redis.url && !/^rediss?:\/\//.test(out.redis.url))
    bad('REDIS_URL', 'expected a redis:// or rediss:// URL');
  return out;
}

/** Secrets given as `env:NAME` are resolved at the moment of use, so rotating the env var is enough. */
export function resolveSecretRef(value: string | undefined, env: Env = process.env): string | undefined {
  if (value === undefined) return undefined;
  if (!value.startsWith('env:')) return value;
  return env[value.slice(4)];
}
