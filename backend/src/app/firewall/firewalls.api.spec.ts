import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  firewallSiteSettingsSchema,
  type Firewall,
  type FirewallPlan,
  type FirewallPreview,
  type FirewallStatus,
  type Job,
  type JobDetail,
  type NetworkingDocument,
  type Page,
} from '@skyy/contracts';
import { PfSenseSimulator, type SimObject } from '@skyy/sim-pfsense';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { JobQueue, QUEUE_SETTINGS, Schedules, type QueueSettings } from '../../core/queue/index.ts';
import { waitFor } from '../../core/queue/testing/queue-kit.ts';
import { FIREWALL_STATUS_SCHEDULE } from './firewall-status.service.ts';

const HARGETT_FILE = fileURLToPath(
  new URL('../../../../desired_state/networking/networking_hargett.yaml', import.meta.url),
);
const hargettText = readFileSync(HARGETT_FILE, 'utf8');
const KEY = 'sim-key-4f1c0d9e-never-shown';
const SITE_SETTINGS = { public_subnet: '38.247.82.0/23', lan_interface: 'opt3', lan_subnet: '69.1.0.0/22' };

/** The first `n` entries of the user's file, in its own format (3 lines per entry after `ips:`). */
function firstEntries(n: number): string {
  const lines = hargettText.split('\n');
  const start = lines.findIndex((l) => l.startsWith('ips:'));
  return `${lines.slice(0, start + 1 + 3 * n).join('\n')}\n`;
}

function managedCounts(sim: PfSenseSimulator) {
  const managed = (objects: SimObject[]) =>
    objects.filter((o) => String(o.descr ?? '').startsWith('DMZ: ')).length;
  const config = sim.state.config;
  return {
    vip: managed(config.vips),
    nat: managed(config.nats),
    rule: managed(config.rules),
    dhcp: managed(config.dhcp.opt3?.staticmap ?? []),
  };
}

describe.each(testDatabases())('firewalls API on %s', (dialect) => {
  let t: TestServer;
  let sim: PfSenseSimulator;
  let admin: Record<string, string>;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  let fromConfig: Firewall;

  beforeAll(async () => {
    sim = new PfSenseSimulator({ apiKeys: [KEY] });
    const { url } = await sim.listen();
    process.env.SKYY_TEST_PFSENSE_KEY = KEY;
    t = await startTestServer(dialect, {
      firewalls: [
        {
          name: 'hargett-fw',
          type: 'pfsense',
          site: 'hargett',
          api_url: url,
          api_key: 'env:SKYY_TEST_PFSENSE_KEY',
          site_settings: firewallSiteSettingsSchema.parse(SITE_SETTINGS),
          networking_file: HARGETT_FILE,
        },
        // No networking_file of its own: its site's is used.
        { name: 'west-fw', type: 'pfsense', site: 'west', api_url: url },
      ],
      sites: [{ name: 'west', networking_file: HARGETT_FILE }],
    });
    admin = (await signInAs(t, 'admin')).headers;
    operator = (await signInAs(t, 'operator')).headers;
    viewer = (await signInAs(t, 'viewer')).headers;
    const page = (await t.request({ method: 'GET', url: '/api/v1/firewalls', headers: viewer })).json<
      Page<Firewall>
    >();
    fromConfig = page.items.find((f) => f.name === 'hargett-fw') as Firewall;
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });

  const settled = (id: string, timeoutMs = 120_000) =>
    waitFor(
      `job ${id} to finish`,
      async () => {
        const job = (
          await t.request({ method: 'GET', url: `/api/v1/jobs/${id}`, headers: operator })
        ).json<JobDetail>();
        return ['succeeded', 'failed', 'cancelled'].includes(job.status) && job;
      },
      timeoutMs,
    );
  const planOf = async (id: string) => {
    const res = await t.request({ method: 'GET', url: `/api/v1/firewalls/${id}/plan`, headers: viewer });
    expect(res.status).toBe(200);
    return res.json<FirewallPlan>();
  };

  it('lists the firewall declared in config.yaml, with the env: key shown as a reference', async () => {
    const page = (await t.request({ method: 'GET', url: '/api/v1/firewalls', headers: viewer })).json<
      Page<Firewall>
    >();
    expect(page.items).toEqual([
      expect.objectContaining({
        name: 'hargett-fw',
        site: 'hargett',
        source: 'config',
        apiKey: { set: true, source: 'env', envName: 'SKYY_TEST_PFSENSE_KEY' },
        settings: expect.objectContaining({ ...SITE_SETTINGS, managed_prefix: 'DMZ: ' }),
        networkingFile: HARGETT_FILE,
        networking: null,
      }),
      expect.objectContaining({
        name: 'west-fw',
        apiKey: { set: false, source: null, envName: null },
        settings: null,
        networkingFile: HARGETT_FILE,
      }),
    ]);
    const west = page.items[1] as Firewall;
    const unplannable = await t.request({
      method: 'GET',
      url: `/api/v1/firewalls/${west.id}/plan`,
      headers: viewer,
    });
    expect(unplannable.status).toBe(422);
    expect(unplannable.json()).toMatchObject({ detail: expect.stringContaining('has no site settings') });
    const doc = (
      await t.request({
        method: 'GET',
        url: `/api/v1/firewalls/${fromConfig.id}/networking`,
        headers: viewer,
      })
    ).json<NetworkingDocument>();
    expect(doc).toMatchObject({ source: 'file', content: hargettText });
  });

  it('refuses a broken networking upload with file:line and the fix, and stores nothing', async () => {
    // Entry 3 gets entry 1's MAC: lines 3-5 are entry 1, 9-11 entry 3.
    const lines = hargettText.split('\n');
    const macLine = lines.findIndex((l, i) => i > 9 && l.trim().startsWith('mac:'));
    lines[macLine] = '    mac: "02:00:2e:8c:5e:78"';
    const res = await t.request({
      method: 'PUT',
      url: `/api/v1/firewalls/${fromConfig.id}/networking`,
      headers: operator,
      body: { name: 'networking_hargett.yaml', content: lines.join('\n') },
    });
    expect(res.status).toBe(422);
    const problem = res.json<{ errors: { path: string; message: string }[] }>();
    expect(problem.errors).toContainEqual({
      path: 'body.content',
      message: expect.stringMatching(
        // The finding names the entry's first line (`- public_ip:`), two lines above its mac.
        new RegExp(`^networking_hargett\\.yaml:${macLine - 1}: error \\[duplicate-mac\\].*Fix: `),
      ),
    });
    const after = (
      await t.request({ method: 'GET', url: `/api/v1/firewalls/${fromConfig.id}`, headers: viewer })
    ).json<Firewall>();
    expect(after.networking).toBeNull();
    // Viewers read, operators write.
    const denied = await t.request({
      method: 'PUT',
      url: `/api/v1/firewalls/${fromConfig.id}/networking`,
      headers: viewer,
      body: { name: 'n.yaml', content: 'ips: []\n' },
    });
    expect(denied.status).toBe(403);
  });

  it('plans the 508-entry file against an empty firewall: 508 creates of each kind', async () => {
    const plan = await planOf(fromConfig.id);
    expect(plan.blocked).toBe(false);
    for (const kind of ['vip', 'nat', 'rule', 'dhcp'] as const) {
      expect(plan.plan.counts[kind]).toMatchObject({ create: 508, update: 0, delete: 0 });
      expect(plan.rows[kind]).toHaveLength(508);
      expect(plan.rows[kind].every((r) => r.status === 'missing')).toBe(true);
    }
    expect(plan.plan.changes).toHaveLength(4 * 508);
    expect(plan.rows.vip[0]).toMatchObject({
      key: '38.247.82.2',
      source: { file: HARGETT_FILE, line: 3 },
    });
  });

  it('applies as a job that converges; a re-plan is empty and the job log tells the story', async () => {
    const res = await t.request({
      method: 'POST',
      url: `/api/v1/firewalls/${fromConfig.id}/apply`,
      headers: operator,
      body: {},
    });
    expect(res.status).toBe(202);
    const started = res.json<Job>();
    expect(started).toMatchObject({ type: 'firewall.sync', status: 'queued' });
    const job = await settled(started.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('succeeded');
    expect(job.result).toMatchObject({ converged: true, writes: 4 * 508 });
    expect(managedCounts(sim)).toEqual({ vip: 508, nat: 508, rule: 508, dhcp: 508 });
    expect(sim.state.running.vips).toHaveLength(508); // applied, not just written

    // The status panel is refreshed by the job itself.
    const status = (
      await t.request({ method: 'GET', url: `/api/v1/firewalls/${fromConfig.id}/status`, headers: viewer })
    ).json<FirewallStatus>();
    expect(status.latest?.drift).toMatchObject({ inSync: true });

    const replan = await planOf(fromConfig.id);
    expect(replan.plan.changes).toEqual([]);
    expect(replan.rows.nat.every((r) => r.status === 'in-sync')).toBe(true);

    const logs = (
      await t.request({ method: 'GET', url: `/api/v1/jobs/${started.id}/logs?limit=1000`, headers: operator })
    ).json<{ items: { message: string }[] }>();
    const messages = logs.items.map((l) => l.message);
    expect(messages[1]).toMatch(/syncing firewall hargett-fw \(site hargett\)/);
    expect(messages).toContainEqual(expect.stringMatching(/^create vip 38\.247\.82\.2: created \(#\d+\)$/));
  }, 240_000);

  it('stores status and drift on the schedule, and sees a managed object edited in the web UI', async () => {
    const schedules = t.server.app.get(Schedules);
    const tick = async (at: Date) => {
      // A tick is skipped while an earlier run is active (the server's own 5-minute ticks run too).
      await waitFor('no status run in progress', async () => {
        const active = await t.server.db.kysely
          .selectFrom('jobs')
          .select('id')
          .where('type', '=', 'firewall.status')
          .where('status', 'in', ['queued', 'running'])
          .execute();
        return active.length === 0;
      });
      expect(await schedules.tick(FIREWALL_STATUS_SCHEDULE, at)).toBe('enqueued');
      const run = await t.server.db.kysely
        .selectFrom('schedule_runs')
        .select('job_id')
        .where('schedule_name', '=', FIREWALL_STATUS_SCHEDULE)
        .where('tick_at', '=', at.toISOString())
        .executeTakeFirstOrThrow();
      expect((await settled(run.job_id ?? '')).status).toBe('succeeded');
    };
    // Ticks long past: the real 5-minute schedule of the test server never records these.
    await tick(new Date(Date.UTC(2020, 0, 1, 8, 0)));
    const inSync = (
      await t.request({ method: 'GET', url: `/api/v1/firewalls/${fromConfig.id}/status`, headers: viewer })
    ).json<FirewallStatus>();
    expect(inSync.latest).toMatchObject({
      reachable: true,
      status: expect.objectContaining({ version: '2.8.1-RELEASE' }),
      drift: { inSync: true },
    });

    // Someone edits a managed 1:1 NAT in the pfSense UI.
    const nat = sim.state.config.nats.find((n) => n.external === '38.247.82.3');
    expect(nat).toBeDefined();
    if (nat) nat.source = '69.1.1.250';
    await tick(new Date(Date.UTC(2020, 0, 1, 8, 5)));
    const drifted = (
      await t.request({ method: 'GET', url: `/api/v1/firewalls/${fromConfig.id}/status`, headers: viewer })
    ).json<FirewallStatus>();
    expect(drifted.latest?.drift?.inSync).toBe(false);
    expect(drifted.latest?.drift?.changed).toEqual([
      expect.objectContaining({ kind: 'nat', key: '38.247.82.3' }),
    ]);
    // Newest first; the real 5-minute schedule may have added its own record meanwhile.
    expect(drifted.history.length).toBeGreaterThanOrEqual(2);
    expect(drifted.history[0]).toMatchObject({ collectedAt: drifted.latest?.collectedAt, reachable: true });
    const plan = await planOf(fromConfig.id);
    expect(plan.plan.counts.nat).toMatchObject({ update: 1, create: 0, delete: 0 });
  }, 60_000);

  it('asks for confirmDeletes when the plan deletes, then applies the smaller file', async () => {
    const upload = await t.request({
      method: 'PUT',
      url: `/api/v1/firewalls/${fromConfig.id}/networking`,
      headers: operator,
      body: { name: 'networking_hargett.yaml', content: firstEntries(500) },
    });
    expect(upload.status).toBe(200);
    const refused = await t.request({
      method: 'POST',
      url: `/api/v1/firewalls/${fromConfig.id}/apply`,
      headers: operator,
      body: {},
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toContain('deletes 32 managed object(s)');

    const res = await t.request({
      method: 'POST',
      url: `/api/v1/firewalls/${fromConfig.id}/apply`,
      headers: operator,
      body: { confirmDeletes: true },
    });
    expect(res.status).toBe(202);
    const job = await settled(res.json<Job>().id);
    expect(job.status).toBe('succeeded');
    expect(managedCounts(sim)).toEqual({ vip: 500, nat: 500, rule: 500, dhcp: 500 });
    expect((await planOf(fromConfig.id)).plan.changes).toEqual([]);
  }, 120_000);

  it('previews an apply with dry_run: pfSense checks every write and nothing is written', async () => {
    const upload = await t.request({
      method: 'PUT',
      url: `/api/v1/firewalls/${fromConfig.id}/networking`,
      headers: operator,
      body: { name: 'networking_hargett.yaml', content: firstEntries(502) },
    });
    expect(upload.status).toBe(200);
    const res = await t.request({
      method: 'POST',
      url: `/api/v1/firewalls/${fromConfig.id}/apply?preview=true`,
      headers: operator,
      body: {},
    });
    expect(res.status).toBe(200);
    const preview = res.json<FirewallPreview>();
    expect(preview).toMatchObject({ supported: true, changes: 8 });
    expect(preview.checks).toHaveLength(8);
    expect(preview.checks.every((c) => c.accepted)).toBe(true);
    expect(managedCounts(sim)).toEqual({ vip: 500, nat: 500, rule: 500, dhcp: 500 });
    expect((await planOf(fromConfig.id)).plan.changes).toHaveLength(8);
  });

  it('answers 502 for a firewall that does not answer, and records it as unreachable', async () => {
    const gone = new PfSenseSimulator({ apiKeys: [KEY] });
    const { url } = await gone.listen();
    await gone.close(); // nothing listens there any more
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/firewalls',
      headers: admin,
      body: { name: 'gone-fw', site: 'gone', apiUrl: url, apiKey: KEY, settings: SITE_SETTINGS },
    });
    const id = created.json<Firewall>().id;
    await t.request({
      method: 'PUT',
      url: `/api/v1/firewalls/${id}/networking`,
      headers: operator,
      body: { name: 'networking_gone.yaml', content: firstEntries(2) },
    });
    const plan = await t.request({ method: 'GET', url: `/api/v1/firewalls/${id}/plan`, headers: viewer });
    expect(plan.status).toBe(502);
    expect(plan.json()).toMatchObject({
      detail: expect.stringMatching(/^Firewall gone-fw could not be read: /),
    });

    const started = await t.request({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: operator,
      body: { type: 'firewall.status', payload: { firewallId: id } },
    });
    expect(started.status).toBe(201);
    expect((await settled(started.json<Job>().id)).status).toBe('succeeded');
    const status = (
      await t.request({ method: 'GET', url: `/api/v1/firewalls/${id}/status`, headers: viewer })
    ).json<FirewallStatus>();
    expect(status.latest).toMatchObject({ reachable: false, error: expect.any(String), drift: null });
  }, 60_000);

  it('keeps the API key sealed, and resumes an apply after its worker stopped mid-way', async () => {
    const crashSim = new PfSenseSimulator({ apiKeys: [KEY], latency: { fixedMs: 20 } });
    const { url } = await crashSim.listen();
    try {
      const created = await t.request({
        method: 'POST',
        url: '/api/v1/firewalls',
        headers: admin,
        body: { name: 'crash-fw', site: 'crash', apiUrl: url, apiKey: KEY, settings: SITE_SETTINGS },
      });
      expect(created.status).toBe(201);
      expect(created.body).not.toContain(KEY);
      const firewall = created.json<Firewall>();
      expect(firewall.apiKey).toEqual({ set: true, source: 'stored', envName: null });
      const row = await t.server.db.kysely
        .selectFrom('firewalls')
        .select('api_key')
        .where('id', '=', firewall.id)
        .executeTakeFirstOrThrow();
      expect(row.api_key).toMatch(/^v1:/);
      expect(
        (await t.request({ method: 'POST', url: '/api/v1/firewalls', headers: operator, body: {} })).status,
      ).toBe(403);

      const put = await t.request({
        method: 'PUT',
        url: `/api/v1/firewalls/${firewall.id}/networking`,
        headers: operator,
        body: { name: 'networking_crash.yaml', content: firstEntries(40) },
      });
      expect(put.status).toBe(200);

      const queue = t.server.app.get(JobQueue);
      // Stop without waiting for the running job to finish on its own.
      t.server.app.get<symbol, QueueSettings>(QUEUE_SETTINGS).shutdownGraceMs = 50;
      const res = await t.request({
        method: 'POST',
        url: `/api/v1/firewalls/${firewall.id}/apply`,
        headers: operator,
        body: {},
      });
      const jobId = res.json<Job>().id;
      // One sync per firewall at a time: asking again returns the job already running.
      const again = await t.request({
        method: 'POST',
        url: `/api/v1/firewalls/${firewall.id}/apply`,
        headers: operator,
        body: {},
      });
      expect(again.json<Job>().id).toBe(jobId);
      // The worker goes away after some writes (as on a shutdown or a crash) …
      await waitFor(
        'some writes',
        () => crashSim.countRequests({ method: 'POST', pathPrefix: '/api/v2/firewall/nat' }) >= 5,
        60_000,
      );
      await queue.stop();
      const stopped = await t.server.db.kysely
        .selectFrom('jobs')
        .select(['status', 'attempts'])
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      expect(stopped.status).toBe('queued');
      expect(crashSim.countRequests({ method: 'POST', pathPrefix: '/api/v2/firewall/virtual_ip' })).toBe(40);

      // … and another start picks the job up where it stopped.
      crashSim.configure({ latency: { fixedMs: 0 } });
      await queue.start();
      const job = await settled(jobId);
      expect(job.status).toBe('succeeded');
      expect(job.attempts).toBe(2);
      expect(managedCounts(crashSim)).toEqual({ vip: 40, nat: 40, rule: 40, dhcp: 40 });
      // Finished writes were not sent again: one create per object.
      expect(crashSim.countRequests({ method: 'POST', pathPrefix: '/api/v2/firewall/virtual_ip' })).toBe(
        40 + 1, // 40 creates and one apply call
      );
      // The write in flight at the stop may be sent twice; the next round removes a duplicate.
      expect(
        crashSim.countRequests({ method: 'POST', pathPrefix: '/api/v2/firewall/nat' }),
      ).toBeLessThanOrEqual(41);
      const steps = job.steps.filter((s) => s.name.startsWith('round-1:vip:create:'));
      expect(steps).toHaveLength(40);
      expect(steps.every((s) => s.attempts === 1)).toBe(true);
    } finally {
      await crashSim.close();
    }
  }, 120_000);
});
