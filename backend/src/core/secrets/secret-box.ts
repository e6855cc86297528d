import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PREFIX = 'v1:';

/**
 * Seals secrets (cluster tokens, API keys, customer GUIDs) with AES-256-GCM before they
 * touch the database. Stored form: `v1:<iv>:<tag>:<ciphertext>` in base64url. Values given as
 * `env:NAME` are stored as they are: the secret then lives only in the environment.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Key from SKYY_SECRET_KEY (any string, hashed to 32 bytes) or from `<dataDir>/secret.key`, created 0600. */
  static fromEnvironment(secretKey: string | undefined, dataDir: string): SecretBox {
    if (secretKey) return new SecretBox(createHash('sha256').update(secretKey).digest());
    const file = path.resolve(dataDir, 'secret.key');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return new SecretBox(key);
  }

  static forTests(): SecretBox {
    return new SecretBox(randomBytes(32));
  }

  /** Turns API input into the stored form: `env:` references stay as written, literals are sealed. */
  store(input: string): string {
    return isEnvRef(input) ? input : this.seal(input);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join(':');
  }

  open(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed secret');
    const [iv, tag, data] = sealed
      .slice(PREFIX.length)
      .split(':')
      .map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !tag || !data) throw new Error('sealed secret is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  }

  /** Whether a stored value already holds this input (so re-reading config.yaml changes nothing). */
  matches(stored: string, input: string): boolean {
    if (isEnvRef(input) || isEnvRef(stored)) return stored === input;
    return this.open(stored) === input;
  }

  /** The plaintext for use by an integration: reads the env var or opens the sealed value. */
  reveal(stored: string, env: Record<string, string | undefined> = process.env): string | undefined {
    return isEnvRef(stored) ? env[stored.slice(4)] : this.open(stored);
  }
}

export const isEnvRef = (value: string): boolean => /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(value);

/** What the API may say about a stored secret. */
export function secretStatus(stored: string | null): {
  set: boolean;
  source: 'stored' | 'env' | null;
  envName: string | null;
} {
  if (!stored) return { set: false, source: null, envName: null };
  if (isEnvRef(stored)) return { set: true, source: 'env', envName: stored.slice(4) };
  return { set: true, source: 'stored', envName: null };
}
