import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable, type RouteInfo } from '../../core/openapi/route-table.ts';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';

/** Whatever arrives, the answer is a 4xx problem document or a success, never a 500. */
const hostileBodies: string[] = [
  'null',
  '[]',
  '"just a string"',
  '42',
  '{"__proto__": {"admin": true}, "constructor": {"prototype": {"polluted": true}}}',
  JSON.stringify({
    name: "x'); DROP TABLE hosts; --",
    hostname: "' OR '1'='1",
    username: "admin'--",
    email: 'a@b.c',
    password: 'x',
  }),
  JSON.stringify({
    name: 12,
    hostname: ['a'],
    ipAddress: { $gt: '' },
    roles: 'gpu',
    tags: [1, 2],
    settings: 'nope',
  }),
  `{"nested": ${'['.repeat(200)}${']'.repeat(200)}}`,
  JSON.stringify({ name: 'x'.repeat(100_000) }),
];

const hostileQueries = [
  "q=' OR 1=1 --",
  'q=%25%25%25_',
  'limit=-1',
  'limit=abc',
  'limit=100000',
  'sort=password_hash',
  'order=sideways',
  'cursor=eyJ2IjoiJyBPUiAxPTEiLCJpZCI6IngifQ',
  'cursor=%00%01',
  'unknownParam=1',
];

describe.each(testDatabases())('hostile input on %s', (dialect) => {
  let t: TestServer;
  let admin: Record<string, string>;
  let routes: RouteInfo[];

  beforeAll(async () => {
    t = await startTestServer(dialect);
    admin = (await signInAs(t, 'admin')).headers;
    // Ending sessions would sign the admin out mid-test; those routes are covered by the auth tests.
    routes = routeTable(t.server.app).filter((r) => !/logout|password/.test(r.path));
  });
  afterAll(() => t.close());

  const url = (route: RouteInfo) => route.path.replace(/:([A-Za-z]+)/g, () => randomUUID());

  it('answers wrong types, SQL metacharacters and prototype tricks in bodies with 4xx', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.body)) {
      for (const body of hostileBodies) {
        const res = await t.request({ method: route.method, url: url(route), headers: admin, body });
        if (res.status >= 500)
          failures.push(`${route.method} ${route.path} ${body.slice(0, 60)} → ${res.status}: ${res.body}`);
        if (res.status >= 400 && !String(res.headers['content-type']).includes('application/problem+json')) {
          failures.push(`${route.method} ${route.path} → ${res.status} without a problem document`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers hostile query strings on every list with 4xx or a normal page', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => r.query)) {
      for (const query of hostileQueries) {
        const res = await t.request({ method: route.method, url: `${url(route)}?${query}`, headers: admin });
        if (res.status >= 500)
          failures.push(`${route.method} ${route.path}?${query} → ${res.status}: ${res.body}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('refuses non-JSON content types and oversized bodies without touching the database', async () => {
    const count = async () =>
      (await t.request({ method: 'GET', url: '/api/v1/customers', headers: admin })).json<{ total: number }>()
        .total;
    const before = await count();
    const form = await t.request({
      method: 'POST',
      url: '/api/v1/customers',
      headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=evil',
    });
    expect(form.status).toBe(415);
    const huge = await t.request({
      method: 'POST',
      url: '/api/v1/customers',
      headers: admin,
      body: { name: 'x'.repeat(2_000_000) },
    });
    expect(huge.status).toBe(413);
    expect(await count()).toBe(before);
  });
});
