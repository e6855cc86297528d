import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { promtoolProblems } from '../../../../scripts/testing/promtool.ts';

describe.each(testDatabases())('system endpoints on %s', (dialect) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(dialect);
  });
  afterAll(() => t.close());

  it('answers liveness and readiness with the database checked', async () => {
    expect((await t.request({ method: 'GET', url: '/api/health' })).json()).toEqual({ status: 'ok' });
    const ready = await t.request({ method: 'GET', url: '/api/ready' });
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true } } });
  });

  it('reports not ready when Redis is configured but unreachable', async () => {
    const broken = await startTestServer(dialect, { redis: { url: 'redis://127.0.0.1:1' } });
    try {
      const ready = await broken.request({ method: 'GET', url: '/api/ready' });
      expect(ready.status).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'unavailable', checks: { redis: { ok: false } } });
    } finally {
      await broken.close();
    }
  });

  it('exposes Prometheus metrics including HTTP request counts by route template', async () => {
    await t.request({ method: 'GET', url: '/api/health' });
    const res = await t.request({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /skyy_http_requests_total\{method="GET",route="\/api\/health",status="200"\} \d+/,
    );
    // Prometheus' own linter has nothing to say (where installed: CI always).
    expect(promtoolProblems(res.body) ?? []).toEqual([]);
  });

  it('describes every route in an OpenAPI document and serves the docs UI', async () => {
    const doc = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; parameters: { name: string }[] }>>;
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/hosts']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/hosts']?.get?.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'sort', 'role', 'tag']),
    );
    expect(doc.paths['/api/v1/hosts/{id}']?.patch).toBeDefined();
    const ui = await t.request({ method: 'GET', url: '/api/docs' });
    expect(ui.body).toContain('swagger-ui-bundle.js');
    const asset = await t.request({ method: 'GET', url: '/api/docs/assets/swagger-ui-bundle.js' });
    expect(asset.status).toBe(200);
    expect((await t.request({ method: 'GET', url: '/api/docs/assets/..%2Fpackage.json' })).status).toBe(404);
  });

  it('answers unknown routes and malformed bodies with problem documents, never 500', async () => {
    const missing = await t.request({ method: 'GET', url: '/api/v1/nope' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const badJson = await t.request({
      method: 'POST',
      url: '/api/v1/hosts',
      headers: { 'content-type': 'application/json' },
      body: '{"hostname": ',
    });
    expect(badJson.status).toBeGreaterThanOrEqual(400);
    expect(badJson.status).toBeLessThan(500);
    const huge = await t.request({
      method: 'POST',
      url: '/api/v1/hosts',
      body: { pad: 'x'.repeat(2_000_000) },
    });
    expect(huge.status).toBe(413);
    expect(huge.headers['content-type']).toContain('application/problem+json');
  });

  it('echoes a request id on every response', async () => {
    const res = await t.request({
      method: 'GET',
      url: '/api/health',
      headers: { 'x-request-id': 'abc-12345678' },
    });
    expect(res.headers['x-request-id']).toBe('abc-12345678');
  });
});
