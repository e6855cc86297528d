import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from './build.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** install.sh into a scratch root (--root), from a bundle built by scripts/build.ts. */
describe('install.sh and the bundle', () => {
  let dir: string;
  let root: string;
  let result: ReturnType<typeof spawnSync>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-agent-install-'));
    root = join(dir, 'root');
    await buildBundle(join(dir, 'dist'));
    writeFileSync(join(dir, 'token'), 'agent-token\n');
    result = spawnSync(
      'bash',
      [
        join(here, 'install.sh'),
        '--root',
        root,
        '--dist',
        join(dir, 'dist'),
        '--no-start',
        '--server',
        'https://skyy.example',
        '--token-file',
        join(dir, 'token'),
        '--host',
        'puma-proxmox-005',
        '--legacy-x',
        '--node',
        process.execPath,
      ],
      { encoding: 'utf8' },
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs code, config, token and units', () => {
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    for (const file of [
      'opt/skyy/gpu-agent/dist/gpu-agent.mjs',
      'opt/skyy/gpu-agent/dist/node_modules/koffi/index.js',
      'opt/skyy/gpu-agent/local_config/gpu_config.yaml',
      'etc/skyy/gpu-agent/gpu_config.yaml',
      'etc/systemd/system/gpu-agent.service',
      'etc/systemd/system/xorg-headless.service',
      'etc/systemd/system/gpu-agent.service.d/legacy-x.conf',
    ]) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
    expect(statSync(join(root, 'etc/skyy/gpu-agent/token')).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(root, 'etc/skyy/gpu-agent/agent.env'), 'utf8')).toContain(
      'GPU_AGENT_ARGS=--listen 0.0.0.0:9841 --server https://skyy.example --host puma-proxmox-005 --token-file /etc/skyy/gpu-agent/token --display :0',
    );
  });

  it('refuses a --host that is not a host name, before installing anything', () => {
    const scratch = join(dir, 'bad-host-root');
    const bad = spawnSync(
      'bash',
      [
        join(here, 'install.sh'),
        '--root',
        scratch,
        '--dist',
        join(dir, 'dist'),
        '--no-start',
        '--host',
        'a; rm -rf /',
      ],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--host 'a; rm -rf /' is not a host name");
    expect(existsSync(scratch)).toBe(false);
  });

  it('points the unit at the node it found and restores fans in ExecStopPost', () => {
    const unit = readFileSync(join(root, 'etc/systemd/system/gpu-agent.service'), 'utf8');
    expect(unit).toContain(`ExecStart=${process.execPath} /opt/skyy/gpu-agent/dist/gpu-agent.mjs run `);
    expect(unit).toMatch(/^ExecStopPost=.* restore /m);
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
  });

  it('keeps an operator’s edited config on reinstall', () => {
    const config = join(root, 'etc/skyy/gpu-agent/gpu_config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace('shutdown_temp: 90', 'shutdown_temp: 88'));
    execFileSync('bash', [
      join(here, 'install.sh'),
      '--root',
      root,
      '--dist',
      join(dir, 'dist'),
      '--no-start',
      '--node',
      process.execPath,
    ]);
    expect(readFileSync(config, 'utf8')).toContain('shutdown_temp: 88');
  });

  it('runs from the installed bundle', () => {
    const out = execFileSync(
      process.execPath,
      [
        join(root, 'opt/skyy/gpu-agent/dist/gpu-agent.mjs'),
        'validate',
        join(root, 'etc/skyy/gpu-agent/gpu_config.yaml'),
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toContain(': ok');
  });
});
