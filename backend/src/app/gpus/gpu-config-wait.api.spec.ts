import type { GpuAgentCreated, Problem } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { waitFor } from '../../core/queue/testing/queue-kit.ts';
import { GpuConfigWaiters } from './gpu-config-waiters.ts';
import { gpuConfigYaml } from './testing/gpu-state.ts';
import { issueAgentToken } from './testing/agent-api.ts';

type Answer = Awaited<ReturnType<TestServer['request']>>;

/** A request still open, and whether it has been answered yet. */
interface Pending {
  answer: Promise<Answer>;
  settled(): boolean;
}

/**
 * The long-poll of `GET /gpu-agents/:host/config?wait=N`: a 304 the agent would get is held until
 * the host's effective config changes. Waits are 55 s, longer than the test timeout (30 s), so a
 * change that failed to wake a request fails the test instead of passing late.
 */
describe.each(testDatabases())('GPU config long-poll on %s', (dialect) => {
  let t: TestServer;
  let operator: Record<string, string>;
  let admin: Record<string, string>;
  let waiters: GpuConfigWaiters;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    admin = (await signInAs(t, 'admin')).headers;
    operator = (await signInAs(t, 'operator')).headers;
    waiters = t.server.app.get(GpuConfigWaiters);
  });
  afterAll(() => t.close());

  const tokens = new Map<string, string>();
  async function tokenOf(host: string): Promise<string> {
    const known = tokens.get(host);
    if (known) return known;
    const { token } = await issueAgentToken(t, admin, host);
    tokens.set(host, token);
    return token;
  }
  async function ask(host: string, query = '', etag?: string): Promise<Answer> {
    return t.request({
      method: 'GET',
      url: `/api/v1/gpu-agents/${host}/config${query}`,
      headers: {
        authorization: `Bearer ${await tokenOf(host)}`,
        ...(etag ? { 'if-none-match': etag } : {}),
      },
    });
  }
  /** Starts a held request and returns once the server holds it. */
  async function hold(host: string, etag: string | undefined, wait = 55): Promise<Pending> {
    const before = waiters.heldCount;
    let settled = false;
    const answer = ask(host, `?wait=${wait}`, etag).finally(() => (settled = true));
    await waitFor(`the request of ${host} to be held`, () => settled || waiters.heldCount > before);
    expect(settled).toBe(false);
    return { answer, settled: () => settled };
  }
  const put = (url: string, yaml: string) =>
    t.request({ method: 'PUT', url, headers: operator, body: { yaml } });
  const etagOf = (answer: Answer) => String(answer.headers.etag);

  // First, while no fleet default exists yet.
  it('holds an agent without any config until the first fleet default is saved', async () => {
    // Without wait: 404 at once, still saying that it could hold the request.
    const none = await ask('wait-first');
    expect(none.status).toBe(404);
    expect(none.headers['skyy-config-wait-max']).toBe('55');
    const waiting = await hold('wait-first', undefined);
    expect((await put('/api/v1/gpus/config', gpuConfigYaml({ shutdownTemp: 88 }))).status).toBe(200);
    const answer = await waiting.answer;
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('shutdown_temp: 88');
  });

  it('answers 304 when nothing changed by the end of the wait, and says that it can wait', async () => {
    const first = await ask('wait-quiet');
    expect(first.status).toBe(200);
    expect(first.headers['skyy-config-wait-max']).toBe('55');
    const waiting = await hold('wait-quiet', etagOf(first), 1);
    const answer = await waiting.answer;
    expect(answer.status).toBe(304);
    expect(answer.body).toBe('');
    expect(answer.headers.etag).toBe(etagOf(first));
    expect(answer.headers['skyy-config-wait-max']).toBe('55');
    expect(waiters.heldCount).toBe(0);
  });

  it('answers at once without wait, or when the agent’s ETag is already outdated', async () => {
    const first = await ask('wait-now');
    expect((await ask('wait-now', '', etagOf(first))).status).toBe(304);
    expect((await ask('wait-now', '?wait=0', etagOf(first))).status).toBe(304);
    const outdated = await ask('wait-now', '?wait=55', '"0123456789abcdef0123456789abcdef"');
    expect(outdated.status).toBe(200);
    expect(waiters.heldCount).toBe(0);
  });

  it('answers a held request with the new text and ETag as soon as its host’s config is saved', async () => {
    const first = await ask('wait-own');
    const waiting = await hold('wait-own', etagOf(first));
    const saved = await put('/api/v1/gpus/config/wait-own', gpuConfigYaml({ shutdownTemp: 84 }));
    expect(saved.status).toBe(200);
    const answer = await waiting.answer;
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('shutdown_temp: 84');
    expect(answer.headers.etag).toBe(saved.json<{ etag: string }>().etag);
    expect(answer.headers.etag).not.toBe(etagOf(first));
  });

  it('wakes hosts on the fleet default when it changes but not a host with its own, until its own is deleted', async () => {
    expect((await put('/api/v1/gpus/config/wait-pinned', gpuConfigYaml({ shutdownTemp: 80 }))).status).toBe(
      200,
    );
    const pinned = await hold('wait-pinned', etagOf(await ask('wait-pinned')));
    const inheriting = await hold('wait-inherits', etagOf(await ask('wait-inherits')));

    expect((await put('/api/v1/gpus/config', gpuConfigYaml({ shutdownTemp: 86 }))).status).toBe(200);
    const inherited = await inheriting.answer;
    expect(inherited.status).toBe(200);
    expect(inherited.body).toContain('shutdown_temp: 86');
    // The pinned host looked again, found its own config unchanged, and went on waiting.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pinned.settled()).toBe(false);

    const reverted = await t.request({
      method: 'DELETE',
      url: '/api/v1/gpus/config/wait-pinned',
      headers: operator,
    });
    expect(reverted.status).toBe(204);
    const fallback = await pinned.answer;
    expect(fallback.status).toBe(200);
    expect(fallback.body).toContain('shutdown_temp: 86');
  });

  it('holds one request per host: a newer one answers the older with 304', async () => {
    const etag = etagOf(await ask('wait-twice'));
    const older = await hold('wait-twice', etag);
    const newer = ask('wait-twice', '?wait=55', etag);
    const superseded = await older.answer;
    expect(superseded.status).toBe(304);
    expect(waiters.heldCount).toBe(1);
    await put('/api/v1/gpus/config/wait-twice', gpuConfigYaml({ shutdownTemp: 83 }));
    expect((await newer).body).toContain('shutdown_temp: 83');
  });

  it('refuses a wait outside 0–55 s or not a number, naming the query field', async () => {
    for (const wait of ['56', '-1', 'soon', '1.5']) {
      const res = await ask('wait-bad', `?wait=${wait}`);
      expect(res.status).toBe(400);
      expect(res.json<Problem>().errors?.map((e) => e.path)).toEqual(['query.wait']);
    }
  });
});

describe('GPU config long-poll over HTTP', () => {
  it('frees the place of an agent that hangs up, and answers held requests when the server stops', async () => {
    const t = await startTestServer('sqlite', { server: { port: 0, host: '127.0.0.1' } });
    const url = await t.server.listen();
    const waiters = t.server.app.get(GpuConfigWaiters);
    const admin = (await signInAs(t, 'admin')).headers;
    const operator = (await signInAs(t, 'operator')).headers;
    await t.request({
      method: 'PUT',
      url: '/api/v1/gpus/config',
      headers: operator,
      body: { yaml: gpuConfigYaml() },
    });
    const issued = await t.request({
      method: 'POST',
      url: '/api/v1/gpu-agents',
      headers: admin,
      body: { host: 'wait-http' },
    });
    const headers = { authorization: `Bearer ${issued.json<GpuAgentCreated>().token}` };
    const first = await fetch(`${url}/api/v1/gpu-agents/wait-http/config`, { headers });
    await first.text();
    const etag = first.headers.get('etag') ?? '';
    const longPoll = (signal?: AbortSignal) =>
      fetch(`${url}/api/v1/gpu-agents/wait-http/config?wait=55`, {
        headers: { ...headers, 'if-none-match': etag },
        ...(signal ? { signal } : {}),
      });

    const hangUp = new AbortController();
    const abandoned = longPoll(hangUp.signal).catch((error: Error) => error.name);
    await waitFor('the request to be held', () => waiters.heldCount === 1);
    hangUp.abort();
    expect(await abandoned).toBe('AbortError');
    await waitFor('the abandoned request to be let go', () => waiters.heldCount === 0);

    const held = longPoll();
    await waitFor('the request to be held', () => waiters.heldCount === 1);
    const c0 = Date.now();
    void held.then((r) => console.log('answered', Date.now() - c0, r.headers.get('connection')));
    await t.close();
    console.log('closed', Date.now() - c0);
    const answer = await held;
    expect(answer.status).toBe(304);
  });
});
