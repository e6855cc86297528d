import type { GpuAgentList, GpuConfig, GpuFleet, GpuHistory, Problem } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, type LiveEvent } from '../../core/events/event-bus.ts';
import { controlClock, signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { GpuTelemetryService } from './gpu-telemetry.service.ts';
import { agentState, gpuConfigYaml } from './testing/gpu-state.ts';
import { issueAgentToken, postHeartbeat } from './testing/agent-api.ts';

const GPU_A = 'GPU-aaaaaaaa-0000-4000-8000-000000000001';
const GPU_B = 'GPU-bbbbbbbb-0000-4000-8000-000000000002';

describe.each(testDatabases())('GPUs API on %s', (dialect) => {
  let t: TestServer;
  let admin: Record<string, string>;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  const events: LiveEvent[] = [];

  beforeAll(async () => {
    t = await startTestServer(dialect);
    admin = (await signInAs(t, 'admin')).headers;
    operator = (await signInAs(t, 'operator')).headers;
    viewer = (await signInAs(t, 'viewer')).headers;
    t.server.app.get(EventBus).subscribe((event) => events.push(event));
  });
  afterAll(() => t.close());

  const issueToken = (host: string) => issueAgentToken(t, admin, host);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const putConfig = (url: string, yaml: string, headers = operator) =>
    t.request({ method: 'PUT', url, headers, body: { yaml } });
  const heartbeat = (host: string, token: string, body: unknown) => postHeartbeat(t, host, token, body);
  const fleet = async () =>
    (await t.request({ method: 'GET', url: '/api/v1/gpus', headers: viewer })).json<GpuFleet>();

  it('shows an agent token once, lists agents without it, and refuses a second token for the same host', async () => {
    const created = await issueToken('gpu-host-list');
    expect(created.token).toMatch(/^skyyga_[A-Za-z0-9_-]{40,}$/);
    expect(created.agent).toMatchObject({ host: 'gpu-host-list', status: 'never-seen', lastSeenAt: null });
    const list = await t.request({ method: 'GET', url: '/api/v1/gpu-agents', headers: viewer });
    expect(list.status).toBe(200);
    const agent = list.json<GpuAgentList>().items.find((a) => a.host === 'gpu-host-list');
    expect(agent?.tokenPrefix).toBe(created.token.slice(0, 11));
    expect(list.body).not.toContain(created.token);
    const again = await t.request({
      method: 'POST',
      url: '/api/v1/gpu-agents',
      headers: admin,
      body: { host: 'gpu-host-list' },
    });
    expect(again.status).toBe(409);
    const racing = await Promise.all(
      [1, 2, 3].map(() =>
        t.request({
          method: 'POST',
          url: '/api/v1/gpu-agents',
          headers: admin,
          body: { host: 'gpu-host-race' },
        }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const audit = await t.request({
      method: 'GET',
      url: '/api/v1/audit?action=gpu_agent.create',
      headers: admin,
    });
    expect(audit.body).toContain('gpu-host-list');
    expect(audit.body).not.toContain(created.token);
  });

  it('serves a host its own config, else the fleet default, and only to that host’s agent token', async () => {
    const one = await issueToken('gpu-host-1');
    const two = await issueToken('gpu-host-2');
    const agentConfig = (host: string, token: string) =>
      t.request({ method: 'GET', url: `/api/v1/gpu-agents/${host}/config`, headers: bearer(token) });

    // Nothing stored yet: 404, which the agent answers with its cache, then its local file.
    expect((await agentConfig('gpu-host-1', one.token)).status).toBe(404);

    expect((await putConfig('/api/v1/gpus/config', gpuConfigYaml({ shutdownTemp: 88 }))).status).toBe(200);
    const inherited = await agentConfig('gpu-host-1', one.token);
    expect(inherited.status).toBe(200);
    expect(inherited.headers['content-type']).toContain('application/yaml');
    expect(inherited.body).toContain('shutdown_temp: 88');

    const own = await putConfig('/api/v1/gpus/config/gpu-host-1', gpuConfigYaml({ shutdownTemp: 85 }));
    expect(own.status).toBe(200);
    expect(own.json<GpuConfig>()).toMatchObject({ host: 'gpu-host-1', scope: 'host' });
    expect((await agentConfig('gpu-host-1', one.token)).body).toContain('shutdown_temp: 85');
    expect((await agentConfig('gpu-host-2', two.token)).body).toContain('shutdown_temp: 88');

    // Another host's token, a user's API token, no token, a revoked token.
    expect((await agentConfig('gpu-host-1', two.token)).status).toBe(403);
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/gpu-agents/gpu-host-1/config', headers: admin }))
        .status,
    ).toBe(403);
    expect((await t.request({ method: 'GET', url: '/api/v1/gpu-agents/gpu-host-1/config' })).status).toBe(
      401,
    );
    const revoke = await t.request({
      method: 'DELETE',
      url: `/api/v1/gpu-agents/${two.agent.id}`,
      headers: admin,
    });
    expect(revoke.status).toBe(204);
    const revoked = await agentConfig('gpu-host-2', two.token);
    expect(revoked.status).toBe(401);
    expect(revoked.headers['content-type']).toContain('application/problem+json');

    // Viewers read what a host gets, and which scope it comes from.
    const host2 = await t.request({ method: 'GET', url: '/api/v1/gpus/config/gpu-host-2', headers: viewer });
    expect(host2.json<GpuConfig>()).toMatchObject({ host: 'gpu-host-2', scope: 'default' });
    expect(host2.json<GpuConfig>().yaml).toContain('shutdown_temp: 88');
    const removed = await t.request({
      method: 'DELETE',
      url: '/api/v1/gpus/config/gpu-host-1',
      headers: operator,
    });
    expect(removed.status).toBe(204);
    expect((await agentConfig('gpu-host-1', one.token)).body).toContain('shutdown_temp: 88');
  });

  it('answers 304 while the config is unchanged and the new text with a new ETag after a change', async () => {
    const agent = await issueToken('gpu-host-etag');
    await putConfig('/api/v1/gpus/config/gpu-host-etag', gpuConfigYaml({ shutdownTemp: 80 }));
    const get = (etag?: string) =>
      t.request({
        method: 'GET',
        url: '/api/v1/gpu-agents/gpu-host-etag/config',
        headers: { ...bearer(agent.token), ...(etag ? { 'if-none-match': etag } : {}) },
      });
    const first = await get();
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    const unchanged = await get(etag);
    expect(unchanged.status).toBe(304);
    expect(unchanged.body).toBe('');

    await putConfig('/api/v1/gpus/config/gpu-host-etag', gpuConfigYaml({ shutdownTemp: 82 }));
    const changed = await get(etag);
    expect(changed.status).toBe(200);
    expect(changed.body).toContain('shutdown_temp: 82');
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('refuses an invalid config with 422 naming the key and its line, and keeps the old one', async () => {
    await putConfig('/api/v1/gpus/config/gpu-host-bad', gpuConfigYaml({ shutdownTemp: 90 }));
    const res = await putConfig('/api/v1/gpus/config/gpu-host-bad', gpuConfigYaml({ shutdownTemp: 900 }));
    expect(res.status).toBe(422);
    expect(res.json<Problem>().errors).toEqual([
      { path: 'body.yaml.protection.shutdown_temp', message: expect.stringMatching(/^line 4, column 3: /) },
    ]);
    const syntax = await putConfig('/api/v1/gpus/config/gpu-host-bad', 'poll_interval_sec: [5\n');
    expect(syntax.status).toBe(422);
    expect(syntax.json<Problem>().errors?.[0]?.message).toMatch(/^line \d+, column \d+: /);
    const kept = await t.request({ method: 'GET', url: '/api/v1/gpus/config/gpu-host-bad', headers: viewer });
    expect(kept.json<GpuConfig>().yaml).toContain('shutdown_temp: 90');
    // Viewers read but never write.
    expect((await putConfig('/api/v1/gpus/config/gpu-host-bad', gpuConfigYaml(), viewer)).status).toBe(403);
  });

  it('stores each heartbeat as the latest state and as history, and shows it in the fleet', async () => {
    const agent = await issueToken('gpu-host-hb');
    const t0 = Date.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    expect(
      (
        await heartbeat(
          'gpu-host-hb',
          agent.token,
          agentState('gpu-host-hb', [
            { uuid: GPU_A, temperatureC: 60, sampledAt: at(0), fanPct: 40 },
            { uuid: GPU_B, temperatureC: 40, sampledAt: at(0) },
          ]),
        )
      ).status,
    ).toBe(204);
    expect(
      (
        await heartbeat(
          'gpu-host-hb',
          agent.token,
          agentState('gpu-host-hb', [
            { uuid: GPU_A, temperatureC: 70, sampledAt: at(30), fanPct: 60 },
            { uuid: GPU_B, temperatureC: 42, sampledAt: at(30) },
          ]),
        )
      ).status,
    ).toBe(204);

    const items = (
      await t.request({ method: 'GET', url: '/api/v1/gpus?host=gpu-host-hb', headers: viewer })
    ).json<GpuFleet>().items;
    expect(items.map((g) => [g.uuid, g.temperatureC])).toEqual([
      [GPU_A, 70],
      [GPU_B, 42],
    ]);
    expect(items[0]).toMatchObject({
      status: 'ok',
      missing: false,
      fans: [{ fan: 0, speedPct: 60 }],
      powerLimitW: 320,
      agent: { host: 'gpu-host-hb', mode: 'dry-run', version: '0.1.0', stale: false },
    });

    const history = await t.request({
      method: 'GET',
      url: `/api/v1/gpus/${GPU_A}/history?from=${encodeURIComponent(at(-60))}&step=30`,
      headers: viewer,
    });
    expect(history.status).toBe(200);
    const points = history.json<GpuHistory>().points;
    expect(points.map((p) => [p.temperatureC, p.fanPct])).toEqual([
      [60, 40],
      [70, 60],
    ]);
    const wide = await t.request({
      method: 'GET',
      url: `/api/v1/gpus/${GPU_A}/history?from=${encodeURIComponent(at(-3600))}&step=3600`,
      headers: viewer,
    });
    expect(wide.json<GpuHistory>().points.reduce((n, p) => n + p.samples, 0)).toBe(2);
    expect(wide.json<GpuHistory>().points.at(-1)?.temperatureC).toBeGreaterThanOrEqual(60);

    const listed = (await t.request({ method: 'GET', url: '/api/v1/gpu-agents', headers: viewer }))
      .json<GpuAgentList>()
      .items.find((a) => a.host === 'gpu-host-hb');
    expect(listed).toMatchObject({ status: 'ok', gpuCount: 2, mode: 'dry-run', configSource: 'server' });
    expect(events.some((e) => e.type === 'gpu.reading' && e.data.host === 'gpu-host-hb')).toBe(true);

    const metrics = await t.request({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^skyy_gpu_heartbeats_total\{outcome="accepted"\} [1-9]/m);
  });

  it('refuses a heartbeat for another host, or whose body names another host', async () => {
    const mine = await issueToken('gpu-host-own');
    await issueToken('gpu-host-other');
    const other = await heartbeat('gpu-host-other', mine.token, agentState('gpu-host-other', []));
    expect(other.status).toBe(403);
    const lying = await heartbeat('gpu-host-own', mine.token, agentState('gpu-host-other', []));
    expect(lying.status).toBe(400);
    expect(lying.json<Problem>().errors?.[0]?.path).toBe('body.host');
    expect((await fleet()).items.some((g) => g.host === 'gpu-host-other')).toBe(false);
  });

  it('raises an alert when a GPU goes to fail-safe and clears it when readings return', async () => {
    const agent = await issueToken('gpu-host-alert');
    const uuid = 'GPU-cccccccc-0000-4000-8000-000000000003';
    await heartbeat(
      'gpu-host-alert',
      agent.token,
      agentState('gpu-host-alert', [{ uuid, temperatureC: 50, status: 'failsafe' }]),
    );
    let state = await fleet();
    const alert = state.alerts.find((a) => a.gpuUuid === uuid);
    expect(alert).toMatchObject({ kind: 'failsafe', level: 'critical', clearedAt: null });
    expect(state.items.find((g) => g.uuid === uuid)?.alerts).toHaveLength(1);
    // A repeated fail-safe heartbeat does not raise it twice.
    await heartbeat(
      'gpu-host-alert',
      agent.token,
      agentState('gpu-host-alert', [{ uuid, temperatureC: 50, status: 'failsafe' }]),
    );
    expect((await fleet()).alerts.filter((a) => a.gpuUuid === uuid)).toHaveLength(1);

    await heartbeat(
      'gpu-host-alert',
      agent.token,
      agentState('gpu-host-alert', [{ uuid, temperatureC: 50 }]),
    );
    state = await fleet();
    expect(state.alerts.some((a) => a.gpuUuid === uuid)).toBe(false);
    const alertEvents = events.filter((e) => e.type === 'gpu.alert' && e.data.gpuUuid === uuid);
    expect(alertEvents.map((e) => e.data.clearedAt === null)).toEqual([true, false]);
  });

  it('marks an agent silent for 3 heartbeats stale with one alert, cleared by its next heartbeat', async () => {
    const agent = await issueToken('gpu-host-stale');
    await heartbeat(
      'gpu-host-stale',
      agent.token,
      agentState('gpu-host-stale', [{ uuid: 'GPU-dddddddd-0000-4000-8000-000000000004', temperatureC: 45 }]),
    );
    const telemetry = t.server.app.get(GpuTelemetryService);
    expect(
      (await telemetry.checkAgents(new Date(Date.now() + 60_000))).some((a) => a.host === 'gpu-host-stale'),
    ).toBe(false);
    const later = new Date(Date.now() + 91_000);
    const raised = await telemetry.checkAgents(later);
    expect(raised.filter((a) => a.host === 'gpu-host-stale')).toEqual([
      expect.objectContaining({ kind: 'agent_stale', gpuUuid: null, clearedAt: null }),
    ]);
    expect(
      (await telemetry.checkAgents(new Date(later.getTime() + 60_000))).some(
        (a) => a.host === 'gpu-host-stale',
      ),
    ).toBe(false);
    expect(
      events.some(
        (e) => e.type === 'gpu.alert' && e.data.host === 'gpu-host-stale' && e.data.kind === 'agent_stale',
      ),
    ).toBe(true);
    expect((await fleet()).alerts.some((a) => a.host === 'gpu-host-stale' && a.kind === 'agent_stale')).toBe(
      true,
    );
    const onlyStale = (
      await t.request({ method: 'GET', url: '/api/v1/gpus?host=gpu-host-stale', headers: viewer })
    ).json<GpuFleet>();
    expect(onlyStale.items.map((g) => g.host)).toEqual(['gpu-host-stale']);
    expect(onlyStale.alerts.map((a) => [a.host, a.kind])).toEqual([['gpu-host-stale', 'agent_stale']]);
    expect((await fleet()).items.some((g) => g.host !== 'gpu-host-stale')).toBe(true);

    await heartbeat(
      'gpu-host-stale',
      agent.token,
      agentState('gpu-host-stale', [{ uuid: 'GPU-dddddddd-0000-4000-8000-000000000004', temperatureC: 45 }]),
    );
    expect((await fleet()).alerts.some((a) => a.host === 'gpu-host-stale')).toBe(false);
  });

  it('notices a silent agent on the next heartbeat of another agent', async () => {
    const quiet = await issueToken('gpu-host-quiet');
    const chatty = await issueToken('gpu-host-chatty');
    const uuid = (n: number) => `GPU-99999999-0000-4000-8000-00000000000${n}`;
    await heartbeat(
      'gpu-host-quiet',
      quiet.token,
      agentState('gpu-host-quiet', [{ uuid: uuid(1), temperatureC: 40 }]),
    );
    const clock = controlClock(t);
    try {
      clock.advance(95_000);
      await heartbeat(
        'gpu-host-chatty',
        chatty.token,
        agentState('gpu-host-chatty', [{ uuid: uuid(2), temperatureC: 40 }]),
      );
      const alerts = (await fleet()).alerts.filter((a) => a.host === 'gpu-host-quiet');
      expect(alerts.map((a) => a.kind)).toEqual(['agent_stale']);
      const agents = (
        await t.request({ method: 'GET', url: '/api/v1/gpu-agents', headers: viewer })
      ).json<GpuAgentList>();
      expect(agents.items.find((a) => a.host === 'gpu-host-quiet')).toMatchObject({
        status: 'stale',
        stale: true,
      });
      expect(agents.items.find((a) => a.host === 'gpu-host-chatty')).toMatchObject({
        status: 'ok',
        stale: false,
      });
    } finally {
      clock.restore();
    }
  });

  it('downsamples readings older than a day into 5-minute averages and drops them after 30 days', async () => {
    const agent = await issueToken('gpu-host-ds');
    const uuid = 'GPU-eeeeeeee-0000-4000-8000-000000000005';
    const now = new Date();
    // Two days ago, on the hour: 4 readings in one 5-minute bucket, 1 in the next.
    const base = Math.floor((now.getTime() - 2 * 86_400_000) / 3_600_000) * 3_600_000;
    const old = [0, 30, 60, 90, 300].map((s, i) => ({
      at: new Date(base + s * 1000).toISOString(),
      temp: 50 + i * 2,
    }));
    for (const reading of old) {
      await heartbeat(
        'gpu-host-ds',
        agent.token,
        agentState('gpu-host-ds', [{ uuid, temperatureC: reading.temp, sampledAt: reading.at }]),
      );
    }
    // A recent one stays raw.
    await heartbeat('gpu-host-ds', agent.token, agentState('gpu-host-ds', [{ uuid, temperatureC: 77 }]));

    const result = await t.server.app.get(GpuTelemetryService).downsample(now);
    expect(result).toMatchObject({ aggregated: 5, buckets: 2 });
    const rows = await t.server.db.kysely
      .selectFrom('gpu_readings')
      .select(['resolution', 'at', 'samples', 'temperature_c'])
      .where('uuid', '=', uuid)
      .orderBy('at')
      .execute();
    expect(rows.map((r) => [r.resolution, r.samples, Number(r.temperature_c)])).toEqual([
      ['5m', 4, 53], // (50 + 52 + 54 + 56) / 4
      ['5m', 1, 58],
      ['raw', 1, 77],
    ]);
    expect(rows[0]?.at).toBe(new Date(base).toISOString());
    // Running again changes nothing.
    expect(await t.server.app.get(GpuTelemetryService).downsample(now)).toMatchObject({
      aggregated: 0,
      buckets: 0,
    });

    const history = await t.request({
      method: 'GET',
      url: `/api/v1/gpus/${uuid}/history?from=${encodeURIComponent(new Date(base - 3_600_000).toISOString())}&step=3600`,
      headers: viewer,
    });
    expect(history.json<GpuHistory>().points[0]).toMatchObject({ samples: 5, temperatureC: 54 });

    const expired = await t.server.app.get(GpuTelemetryService).downsample(new Date(base + 31 * 86_400_000));
    expect(expired.expired).toBe(2);
  });

  it('lets operators forget a GPU removed from its host, with its history', async () => {
    const agent = await issueToken('gpu-host-forget');
    const uuid = 'GPU-ffffffff-0000-4000-8000-000000000006';
    await heartbeat(
      'gpu-host-forget',
      agent.token,
      agentState('gpu-host-forget', [{ uuid, temperatureC: 50, status: 'failsafe' }]),
    );
    expect((await t.request({ method: 'DELETE', url: `/api/v1/gpus/${uuid}`, headers: viewer })).status).toBe(
      403,
    );
    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/gpus/${uuid}`, headers: operator })).status,
    ).toBe(204);
    const state = await fleet();
    expect(state.items.some((g) => g.uuid === uuid)).toBe(false);
    expect(state.alerts.some((a) => a.gpuUuid === uuid)).toBe(false);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/gpus/${uuid}/history`, headers: viewer })).status,
    ).toBe(404);
    expect(
      (await t.request({ method: 'DELETE', url: `/api/v1/gpus/${uuid}`, headers: operator })).status,
    ).toBe(404);
  });

  it('answers 404 for the history of an unknown GPU', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/gpus/GPU-unknown/history', headers: viewer });
    expect(res.status).toBe(404);
  });
});
