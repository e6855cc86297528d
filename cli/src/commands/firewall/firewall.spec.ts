import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FirewallPlan } from '@skyy/contracts';
import { PfSenseSimulator, type SimObject } from '@skyy/sim-pfsense';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FirewallsService } from '../../../../backend/src/app/firewall/firewalls.service.ts';
import { systemCaller } from '../../../../backend/src/core/http/caller.ts';
import { testDatabases } from '../../../../backend/test/test-databases.ts';
import {
  adminLoggedIn,
  cliFor,
  startCliTestServer,
  type CliTestServer,
} from '../../testing/cli-test-server.ts';
import { runCli } from '../../testing/run-cli.ts';

const hargettText = readFileSync(
  path.resolve(import.meta.dirname, '../../../../desired_state/networking/networking_hargett.yaml'),
  'utf8',
);
const SITE_SETTINGS = { public_subnet: '38.247.82.0/23', lan_interface: 'opt3', lan_subnet: '69.1.0.0/22' };
const SETTINGS_YAML = 'public_subnet: 38.247.82.0/23\nlan_interface: opt3\nlan_subnet: 69.1.0.0/22\n';

/** The first `n` entries of the user's file, in its own format (3 lines per entry after `ips:`). */
function firstEntries(n: number): string {
  const lines = hargettText.split('\n');
  const start = lines.findIndex((l) => l.startsWith('ips:'));
  return `${lines.slice(0, start + 1 + 3 * n).join('\n')}\n`;
}

const managed = (objects: SimObject[]) =>
  objects.filter((o) => String(o.descr ?? '').startsWith('DMZ: ')).length;

describe('skyy firewall validate (offline)', () => {
  let dir: string;
  const skyy = (argv: string[]) => runCli(['firewall', 'validate', ...argv], { cwd: dir });
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'skyy-fw-validate-'));
    writeFileSync(path.join(dir, 'site.yaml'), SETTINGS_YAML);
    writeFileSync(path.join(dir, 'networking_hargett.yaml'), hargettText);
    // Entry 3 (lines 9-11) reuses entry 1's MAC; entry 4 (lines 12-14) has a public IP outside the subnet.
    const broken = firstEntries(5).split('\n');
    broken[10] = '    mac: "02:00:2e:8c:5e:78"';
    broken[11] = '  - public_ip: 10.9.9.9';
    writeFileSync(path.join(dir, 'broken.yaml'), broken.join('\n'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("accepts the user's 508-entry file", async () => {
    const run = await skyy(['networking_hargett.yaml', '--site-settings', 'site.yaml']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('networking_hargett.yaml: 0 error(s), 0 warning(s) (site site)\n');
  });

  it('reports each broken entry as file:line with the fix, and exits 1', async () => {
    const run = await skyy(['broken.yaml', '--site-settings', 'site.yaml']);
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^broken\.yaml:9: error \[duplicate-mac\] .* Fix: /));
    expect(lines).toContainEqual(
      expect.stringMatching(/^broken\.yaml:12: error \[public-ip-outside-subnet\] .* Fix: /),
    );
    expect(lines.at(-1)).toBe('broken.yaml: 2 error(s), 0 warning(s) (site site)');
    const json = await skyy(['broken.yaml', '--site-settings', 'site.yaml', '--output', 'json']);
    expect(json.json()).toMatchObject({ valid: false, errors: 2, findings: [{ line: 9 }, { line: 12 }] });
  });

  it("takes the site settings from config.yaml's firewalls, and asks for them when there are none", async () => {
    const config = [
      'firewalls:',
      '  - name: hargett-fw',
      '    site: hargett',
      '    api_url: https://192.0.2.1',
      '    site_settings:',
      ...SETTINGS_YAML.trimEnd()
        .split('\n')
        .map((l) => `      ${l}`),
      '',
    ].join('\n');
    const withConfig = mkdtempSync(path.join(tmpdir(), 'skyy-fw-config-'));
    try {
      writeFileSync(path.join(withConfig, 'config.yaml'), config);
      writeFileSync(path.join(withConfig, 'broken.yaml'), readFileSync(path.join(dir, 'broken.yaml')));
      const run = await runCli(['firewall', 'validate', 'broken.yaml', '--firewall', 'hargett-fw'], {
        cwd: withConfig,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('broken.yaml: 2 error(s), 0 warning(s) (site hargett)');
    } finally {
      rmSync(withConfig, { recursive: true, force: true });
    }
    const none = await skyy(['broken.yaml']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^skyy: which site settings\? — give --site-settings/);
  });
});

describe.each(testDatabases())('skyy firewall plan and apply on %s', (dialect) => {
  let t: CliTestServer;
  let sim: PfSenseSimulator;
  let skyy: ReturnType<typeof cliFor>;

  beforeAll(async () => {
    sim = new PfSenseSimulator({ apiKeys: ['cli-test-key'] });
    const { url } = await sim.listen();
    t = await startCliTestServer(dialect);
    skyy = cliFor(t);
    await adminLoggedIn(t);
    const firewalls = t.server.app.get(FirewallsService);
    const created = await firewalls.create(systemCaller('test'), {
      name: 'hargett-fw',
      site: 'hargett',
      apiUrl: url,
      apiKey: 'cli-test-key',
      tls: { caFile: null, fingerprint: null, insecure: false },
      settings: {
        ...SITE_SETTINGS,
        vip_mode: 'ipalias',
        wan_interface: 'wan',
        managed_prefix: 'DMZ: ',
        require_locally_administered_mac: true,
        arp_table_static_entry: true,
        manage_rules: true,
      },
      networkingFile: null,
    });
    await firewalls.putNetworking(systemCaller('test'), created.id, {
      name: 'networking_hargett.yaml',
      content: firstEntries(20),
    });
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  it('plans 20 creates of each kind against an empty firewall', async () => {
    const run = await skyy(['firewall', 'plan', 'hargett-fw', '--show', '2']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^vip\s+20\s+0\s+0\s+0\s+0\s+0$/));
    expect(lines).toContain('+ vip 38.247.82.2  (networking_hargett.yaml:3)');
    expect(lines).toContain('… and 78 more');
    expect(lines).toContain('hargett-fw: 80 change(s); run `skyy firewall apply hargett-fw`');
    // By site, as JSON.
    const json = await skyy(['firewall', 'plan', 'hargett', '--output', 'json']);
    expect(json.json<FirewallPlan>().plan.counts.dhcp).toMatchObject({ create: 20 });
  });

  it('refuses to apply without a terminal unless --yes', async () => {
    const run = await skyy(['firewall', 'apply', 'hargett-fw']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('skyy: no terminal to confirm the plan on — add --yes to apply without asking\n');
    expect(managed(sim.state.config.vips)).toBe(0);
  });

  it('applies with --yes, follows the job log, and a second plan is empty', async () => {
    const run = await skyy(['firewall', 'apply', 'hargett-fw', '--yes', '--poll-ms', '50']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^job [0-9a-f-]{36} started; following its log$/m);
    expect(run.stdout).toMatch(/^info {2}create nat 38\.247\.82\.2: created \(#\d+\)$/m);
    expect(run.stdout).toMatch(/^info {2}converged in 2 round\(s\)/m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('hargett-fw: applied');
    const config = sim.state.config;
    expect([config.vips, config.nats, config.rules, config.dhcp.opt3?.staticmap ?? []].map(managed)).toEqual([
      20, 20, 20, 20,
    ]);
    const again = await skyy(['firewall', 'plan', 'hargett-fw']);
    expect(again.stdout).toContain('hargett-fw: no changes, the firewall matches its networking file');
  });

  it('exits 1 with the findings when validation blocks the apply', async () => {
    // Someone made a VIP for an address of the file by hand: Skyy Command will not take it over.
    sim.seed('vips', [
      { mode: 'ipalias', interface: 'wan', subnet: '38.247.82.99', subnet_bits: 23, descr: 'hand-made' },
    ]);
    const content = `${firstEntries(20)}  - public_ip: 38.247.82.99\n    internal_ip: 69.1.1.99\n    mac: "02:00:2e:8c:5e:99"\n`;
    const firewalls = t.server.app.get(FirewallsService);
    const [row] = (await firewalls.list(systemCaller('test'), { limit: 10, sort: 'name', order: 'asc' }))
      .items;
    await firewalls.putNetworking(systemCaller('test'), row?.id ?? '', {
      name: 'networking_hargett.yaml',
      content,
    });
    const run = await skyy(['firewall', 'apply', 'hargett-fw', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^networking_hargett\.yaml:63: error \[conflicts-with-unmanaged\]/m);
    expect(run.stderr).toMatch(/^skyy: validation errors block applying to hargett-fw/);
  });
});
