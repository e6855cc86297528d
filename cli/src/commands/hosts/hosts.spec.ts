import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Host, HostImportResult } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../../backend/test/test-databases.ts';
import {
  adminLoggedIn,
  cliFor,
  startCliTestServer,
  type CliTestServer,
} from '../../testing/cli-test-server.ts';

const referenceHosts = path.resolve(
  import.meta.dirname,
  '../../../test/fixtures/reference/desired_state/hosts_local',
);
const referenceNames = ['puma-proxmox-005', 'puma-proxmox-006', 'puma-proxmox-007', 'puma-proxmox-008'];

describe.each(testDatabases())('skyy hosts on %s', (dialect) => {
  let t: CliTestServer;
  let skyy: ReturnType<typeof cliFor>;
  const listed = async (...args: string[]) => {
    const run = await skyy(['hosts', 'list', '--output', 'json', ...args]);
    expect(run.stderr).toBe('');
    return run.json<{ items: Host[]; total: number }>();
  };

  beforeAll(async () => {
    t = await startCliTestServer(dialect);
    skyy = cliFor(t);
    await adminLoggedIn(t);
    cpSync(referenceHosts, path.join(t.workDir, 'hosts_local'), { recursive: true });
  });
  afterAll(() => t.close());

  it("imports the user's four host files and lists them", async () => {
    const run = await skyy(['hosts', 'import', 'hosts_local']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')).toEqual([
      ...referenceNames.map((name) => `created    hosts_local/${name}.yaml  ${name}`),
      '4 files: 4 created',
      '',
    ]);

    const page = await listed();
    expect(page.total).toBe(4);
    expect(page.items.map((h) => [h.hostname, h.ipAddress, h.source])).toEqual(
      referenceNames.map((name, i) => [name, `192.168.210.10${5 + i}`, `${name}.yaml`]),
    );
  });

  it('follows nextCursor across pages and stops at --limit', async () => {
    const all = await listed('--page-size', '1');
    expect(all.items.map((h) => h.hostname)).toEqual(referenceNames);
    const firstThree = await listed('--page-size', '2', '--limit', '3');
    expect(firstThree.items.map((h) => h.hostname)).toEqual(referenceNames.slice(0, 3));
  });

  it('filters by role, tag and text, and prints an aligned table for humans', async () => {
    const byText = await listed('--q', '210.106');
    expect(byText.items.map((h) => h.hostname)).toEqual(['puma-proxmox-006']);
    expect((await listed('--role', 'ceph-osd', '--tag', 'edge')).total).toBe(4);
    expect((await listed('--role', 'no-such-role')).items).toEqual([]);
    expect((await listed('--tag', 'no-such-tag')).items).toEqual([]);

    const table = await skyy(['hosts', 'list', '--q', 'puma-proxmox-00', '--limit', '2']);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HOSTNAME\s+IP ADDRESS\s+ROLES\s+TAGS\s+GPU\s+SOURCE$/);
    expect(lines[1]).toMatch(/^puma-proxmox-005\s+192\.168\.210\.105\s+\S+/);
    expect(lines[1]?.indexOf('192.168')).toBe(lines[0]?.indexOf('IP ADDRESS'));
    expect(lines[3]).toBe('(2 of 4 hosts; raise --limit for more)');
  });

  it('reports unchanged files when the same files are imported again', async () => {
    const run = await skyy(['hosts', 'import', 'hosts_local', '--output', 'json']);
    expect(run.code).toBe(0);
    const result = run.json<HostImportResult>();
    expect(result.applied).toBe(true);
    expect(result.files.map((f) => f.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  it('writes nothing when one file is invalid, and points at the line (exit 1)', async () => {
    mkdirSync(path.join(t.workDir, 'more'));
    writeFileSync(
      path.join(t.workDir, 'more', 'new-host.yaml'),
      'hostname: new-host\nip_address: 10.1.2.3\n',
    );
    writeFileSync(path.join(t.workDir, 'more', 'broken.yml'), 'hostname: broken\n\nip_address: 10.1.2.999\n');
    const run = await skyy(['hosts', 'import', 'more']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'invalid    more/broken.yml\n  more/broken.yml:3:1: ip_address: expected an IPv4 or IPv6 address\n',
    );
    expect(run.stdout).toMatch(/1 invalid; nothing was written \(fix the invalid file and import again\)\n$/);
    expect((await listed()).items.map((h) => h.hostname)).not.toContain('new-host');
  });

  it('--dry-run reports what would change and writes nothing', async () => {
    const run = await skyy(['hosts', 'import', 'more/new-host.yaml', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'created    more/new-host.yaml  new-host\n1 file: 1 created; dry run, nothing was written\n',
    );
    expect((await listed()).total).toBe(4);
  });
});
