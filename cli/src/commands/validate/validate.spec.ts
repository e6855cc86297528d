import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../testing/run-cli.ts';

const reference = path.resolve(import.meta.dirname, '../../../test/fixtures/reference');

interface Report {
  ok: boolean;
  files: { file: string; kind: string | null; status: string; reason?: string; issues: unknown[] }[];
}

describe('skyy validate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'skyy-validate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };

  it("accepts the user's own config.yaml, host files and networking file", async () => {
    const run = await runCli(['validate', '.', '--output', 'json'], { cwd: reference });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = run.json<Report>();
    expect(report.ok).toBe(true);
    const byFile = Object.fromEntries(report.files.map((f) => [f.file, `${f.kind}:${f.status}`]));
    expect(byFile).toMatchObject({
      'config.yaml': 'config:valid',
      'desired_state/hosts_local/puma-proxmox-005.yaml': 'host:valid',
      'desired_state/hosts_local/puma-proxmox-006.yaml': 'host:valid',
      'desired_state/hosts_local/puma-proxmox-007.yaml': 'host:valid',
      'desired_state/hosts_local/puma-proxmox-008.yaml': 'host:valid',
    });
    expect(byFile['desired_state/networking/networking_hargett.yaml']).toBe('networking:valid');
  });

  it('prints a one-line summary for humans and exits 0 when all is well', async () => {
    const run = await runCli(['validate', 'desired_state/hosts_local', 'config.yaml'], { cwd: reference });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('5 files checked: 5 valid\n');
  });

  it('reports each problem as file:line:column: path: message and exits 1', async () => {
    write('ds/hosts/a.yaml', 'hostname: alpha\nip_address: 10.0.0.1\n');
    write(
      'ds/hosts/c.yml',
      'hostname: gamma\nip_address: 10.0.0.300\n' +
        'settings:\n  storage:\n    ceph:\n      enabled: true\n      osd_devices:\n        - sda\n',
    );
    write('ds/config.yaml', 'server:\n  port: 8080\n  prot: 1\n');
    write(
      'ds/networking/site.yaml',
      'ips:\n  - public_ip: 38.247.82.2\n    internal_ip: 69.1.1.2\n    mac: 02:00:zz:8c:5e:78\n',
    );
    const run = await runCli(['validate', 'ds'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')).toEqual([
      'ds/config.yaml:3:3: server.prot: unknown key (check the spelling)',
      'ds/hosts/c.yml:2:1: ip_address: expected an IPv4 or IPv6 address',
      'ds/hosts/c.yml:8:11: settings.storage.ceph.osd_devices[0]: expected a device path like /dev/sda',
      'ds/networking/site.yaml:4:5: ips[0].mac: expected a MAC address like 02:00:2e:8c:5e:78',
      '4 files checked: 1 valid, 3 invalid (4 problems)',
      '',
    ]);
  });

  it('reports YAML syntax errors with their position', async () => {
    write('hosts_local/broken.yaml', 'hostname: [alpha\nip_address: 10.0.0.1\n');
    const run = await runCli(['validate', 'hosts_local/broken.yaml'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[0]).toBe(
      'hosts_local/broken.yaml:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });

  it('reports duplicate hostnames and IP addresses across files with both locations', async () => {
    write('hosts/a.yaml', 'hostname: alpha\nip_address: 10.0.0.1\n');
    write('hosts/b.yaml', '# the same host again\nhostname: alpha\nip_address: 10.0.0.2\n');
    write('hosts/c.yaml', 'hostname: gamma\n\nip_address: 10.0.0.1\n');
    const run = await runCli(['validate', 'hosts'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'hosts/b.yaml:2:1: hostname: duplicate hostname "alpha": also in hosts/a.yaml:1:1\n',
    );
    expect(run.stdout).toContain(
      'hosts/c.yaml:3:1: ip_address: duplicate ip_address "10.0.0.1": also in hosts/a.yaml:2:1\n',
    );
  });

  it('lists YAML files of unknown kind as skipped, without failing', async () => {
    write('hosts/a.yaml', 'hostname: alpha\nip_address: 10.0.0.1\n');
    write('notes/todo.yml', 'anything: goes\n');
    const run = await runCli(['validate', '.'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('notes/todo.yml: skipped (unknown kind)\n2 files checked: 1 valid, 1 skipped\n');
  });

  it('is a usage error (exit 2) to name a path that does not exist', async () => {
    const run = await runCli(['validate', 'nowhere'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('skyy: nowhere: no such file or directory — check the path\n');
  });
});
