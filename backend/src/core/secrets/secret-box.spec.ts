import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox, secretStatus } from './secret-box.ts';

describe('SecretBox', () => {
  it('round-trips a secret and never stores the plaintext', () => {
    const box = SecretBox.forTests();
    const sealed = box.store('pve-token-secret');
    expect(sealed).not.toContain('pve-token-secret');
    expect(box.reveal(sealed)).toBe('pve-token-secret');
  });

  it('keeps env: references and resolves them at use', () => {
    const box = SecretBox.forTests();
    expect(box.store('env:PVE_SECRET')).toBe('env:PVE_SECRET');
    expect(box.reveal('env:PVE_SECRET', { PVE_SECRET: 'from-env' })).toBe('from-env');
    expect(secretStatus('env:PVE_SECRET')).toEqual({ set: true, source: 'env', envName: 'PVE_SECRET' });
  });

  it('rejects a tampered ciphertext', () => {
    const box = SecretBox.forTests();
    const sealed = box.seal('x');
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => box.open(tampered)).toThrow();
  });

  it('creates a 0600 key file and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skyy-key-'));
    const a = SecretBox.fromEnvironment(undefined, dir);
    const b = SecretBox.fromEnvironment(undefined, dir);
    expect(b.open(a.seal('same key'))).toBe('same key');
    expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});
