import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.ts';

const repoRoot = path.resolve(import.meta.dirname, '../../../..');
const userConfig = path.resolve(repoRoot, '../shared/reference/original/Skyy-Command/config.yaml');

function withConfig(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'skyy-config-'));
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, text);
  return file;
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it("accepts the user's current config.yaml unchanged", () => {
    const { config } = loadConfig({ SKYY_CONFIG: userConfig });
    expect(config.main.organization).toBe('HelloSkyy');
    expect(config.proxmox?.proxmox_cluster_name).toBe('ClusterFuck');
    expect(config.ceph?.version).toBe('reef');
    expect(config.server.port).toBe(8080);
    expect(config.auth.open_registration).toBe(false);
  });

  it('accepts config.example.yaml with every new section', () => {
    const { config } = loadConfig({ SKYY_CONFIG: path.join(repoRoot, 'config.example.yaml') });
    expect(config.clusters[0]).toMatchObject({
      name: 'puma',
      type: 'proxmox',
      token_secret: 'env:PVE_TOKEN_SECRET',
    });
    expect(config.firewalls[0]?.site).toBe('hargett');
    expect(config.sites.map((s) => s.name)).toEqual(['hargett']);
  });

  it('names the key path and line of a wrong value', () => {
    const file = withConfig(
      readFileSync(userConfig, 'utf8').replace('default_timeout: 5', 'default_timeout: soon'),
    );
    const error = configError(() => loadConfig({ SKYY_CONFIG: file }));
    expect(error.issues).toEqual([
      expect.objectContaining({ file, line: 4, column: 3, path: 'main.default_timeout' }),
    ]);
    expect(error.message).toContain(`${file}:4:3: main.default_timeout:`);
  });

  it('reports a misspelled key with its line instead of ignoring it', () => {
    const file = withConfig('server:\n  port: 8080\n  prot: 9090\n');
    const error = configError(() => loadConfig({ SKYY_CONFIG: file }));
    expect(error.issues).toEqual([
      expect.objectContaining({
        line: 3,
        column: 3,
        path: 'server.prot',
        message: 'unknown key (check the spelling)',
      }),
    ]);
  });

  it('reports YAML syntax errors with line and column', () => {
    const file = withConfig('server:\n  port: [8080\n');
    const error = configError(() => loadConfig({ SKYY_CONFIG: file }));
    expect(error.issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('lets environment variables override the file', () => {
    const { config } = loadConfig({
      SKYY_CONFIG: userConfig,
      PORT: '9999',
      SKYY_DATA_DIR: '/var/lib/skyy',
      DATABASE_URL: 'postgres://u@db/skyy',
      REDIS_URL: 'redis://cache:6379',
      SMTP_HOST: 'smtp.local',
      SMTP_PORT: '2525',
    });
    expect(config.server).toMatchObject({ port: 9999, data_dir: '/var/lib/skyy' });
    expect(config.database.url).toBe('postgres://u@db/skyy');
    expect(config.redis.url).toBe('redis://cache:6379');
    expect(config.mail.smtp).toMatchObject({ host: 'smtp.local', port: 2525 });
  });

  it('rejects a bad environment value by name', () => {
    expect(() => loadConfig({ SKYY_CONFIG: userConfig, PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ SKYY_CONFIG: userConfig, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('runs on defaults when there is no config.yaml', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skyy-noconfig-'));
    const { config, file } = loadConfig({}, dir);
    expect(file).toBeNull();
    expect(config.server.data_dir).toBe('./data');
  });

  it('refuses a SKYY_CONFIG that points nowhere', () => {
    expect(() => loadConfig({ SKYY_CONFIG: '/nonexistent/config.yaml' })).toThrow(/does not exist/);
  });
});
