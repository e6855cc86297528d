import type { GpuAgentCreated } from '@skyy/contracts';
import { expect } from 'vitest';
import type { TestServer } from '../../../../test/harness.ts';

/** POST /api/v1/gpu-agents as an admin: the new agent and its token (shown once). */
export async function issueAgentToken(
  t: Pick<TestServer, 'request'>,
  adminHeaders: Record<string, string>,
  host: string,
): Promise<GpuAgentCreated> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/gpu-agents',
    headers: adminHeaders,
    body: { host },
  });
  expect(res.status, res.body).toBe(201);
  return res.json<GpuAgentCreated>();
}

/** The agent's heartbeat with its token; returns the response for the caller to check. */
export function postHeartbeat(t: Pick<TestServer, 'request'>, host: string, token: string, body: unknown) {
  return t.request({
    method: 'POST',
    url: `/api/v1/gpu-agents/${host}/heartbeat`,
    headers: { authorization: `Bearer ${token}` },
    body,
  });
}
