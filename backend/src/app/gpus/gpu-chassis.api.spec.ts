import type { GpuAgentList, GpuFleet } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus, type LiveEvent } from '../../core/events/event-bus.ts';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { agentState, chassisState } from './testing/gpu-state.ts';
import { issueAgentToken, postHeartbeat } from './testing/agent-api.ts';

const GPU = 'GPU-c4a55150-0000-4000-8000-000000000001';

describe.each(testDatabases())('GPU agents’ chassis fans on %s', (dialect) => {
  let t: TestServer;
  let admin: Record<string, string>;
  let viewer: Record<string, string>;
  const events: LiveEvent[] = [];

  beforeAll(async () => {
    t = await startTestServer(dialect);
    admin = (await signInAs(t, 'admin')).headers;
    viewer = (await signInAs(t, 'viewer')).headers;
    t.server.app.get(EventBus).subscribe((event) => events.push(event));
  });
  afterAll(() => t.close());

  const issueToken = async (host: string) => (await issueAgentToken(t, admin, host)).token;
  async function heartbeat(host: string, token: string, body: unknown): Promise<void> {
    const res = await postHeartbeat(t, host, token, body);
    expect(res.status, res.body).toBe(204);
  }
  async function agentOf(host: string) {
    const res = await t.request({ method: 'GET', url: '/api/v1/gpu-agents', headers: viewer });
    expect(res.status).toBe(200);
    return res.json<GpuAgentList>().items.find((a) => a.host === host);
  }
  async function chassisAlerts(host: string) {
    const res = await t.request({ method: 'GET', url: `/api/v1/gpus?host=${host}`, headers: viewer });
    return res.json<GpuFleet>().alerts.filter((a) => a.kind === 'chassis_failsafe');
  }

  it('lists the chassis of the latest heartbeat with each agent, and null once a heartbeat has none', async () => {
    const host = 'chassis-host-list';
    const token = await issueToken(host);
    expect((await agentOf(host))?.chassis).toBeNull();

    await heartbeat(host, token, {
      ...agentState(host, [{ uuid: GPU, temperatureC: 50 }]),
      chassis: chassisState(),
    });
    const agent = await agentOf(host);
    expect(agent?.chassis).toEqual({
      status: 'ok',
      sensor: 'k10temp Tctl (sensors -j)',
      cpuTemperatureC: 47,
      readingAt: expect.any(String),
      zones: [
        { zone: '0x00', dutyPct: 50, appliedPct: null },
        { zone: '0x01', dutyPct: 50, appliedPct: null },
      ],
      reason: '47 °C ≥ 47 °C: 40 → 50 %',
      alert: null,
      readingFailures: 0,
      writeFailures: 0,
      updatedAt: agent?.lastSeenAt,
    });

    // An agent whose config no longer enables the chassis (or an older agent) sends none.
    await heartbeat(host, token, agentState(host, [{ uuid: GPU, temperatureC: 50 }]));
    expect((await agentOf(host))?.chassis).toBeNull();
  });

  it('raises one chassis_failsafe alert while the chassis is in fail-safe, cleared by the next ok heartbeat', async () => {
    const host = 'chassis-host-failsafe';
    const token = await issueToken(host);
    const failsafe = { ...agentState(host, []), chassis: chassisState('failsafe') };
    await heartbeat(host, token, failsafe);
    await heartbeat(host, token, failsafe);

    const raised = await chassisAlerts(host);
    expect(raised).toEqual([
      expect.objectContaining({
        host,
        gpuUuid: null,
        kind: 'chassis_failsafe',
        level: 'error',
        clearedAt: null,
      }),
    ]);
    expect(raised[0]?.message).toContain('sensors -j failed 3 times');
    const agent = await agentOf(host);
    expect(agent?.chassis).toMatchObject({ status: 'failsafe', cpuTemperatureC: null });
    expect(agent?.chassis?.zones.map((z) => z.dutyPct)).toEqual([100, 100]);

    await heartbeat(host, token, { ...agentState(host, []), chassis: chassisState('ok') });
    expect(await chassisAlerts(host)).toEqual([]);
    const live = events.filter((e) => e.type === 'gpu.alert' && e.data.host === host);
    expect(live.map((e) => [e.data.kind, e.data.clearedAt === null])).toEqual([
      ['chassis_failsafe', true],
      ['chassis_failsafe', false],
    ]);
    expect(live.every((e) => e.customerId === null)).toBe(true);
  });

  it('clears the chassis alert when the agent stops reporting a chassis, and leaves GPU alerts alone', async () => {
    const host = 'chassis-host-off';
    const token = await issueToken(host);
    await heartbeat(host, token, {
      ...agentState(host, [{ uuid: GPU, temperatureC: 50, status: 'failsafe' }]),
      chassis: chassisState('failsafe'),
    });
    expect(await chassisAlerts(host)).toHaveLength(1);
    await heartbeat(host, token, agentState(host, [{ uuid: GPU, temperatureC: 50, status: 'failsafe' }]));
    expect(await chassisAlerts(host)).toEqual([]);
    const fleet = await t.request({ method: 'GET', url: `/api/v1/gpus?host=${host}`, headers: viewer });
    expect(fleet.json<GpuFleet>().alerts.map((a) => a.kind)).toEqual(['failsafe']);
  });

  it('shows no chassis to customers (the agents list stays staff only)', async () => {
    const customer = (await signInAs(t, 'customer')).headers;
    const res = await t.request({ method: 'GET', url: '/api/v1/gpu-agents', headers: customer });
    expect(res.status).toBe(403);
  });
});
