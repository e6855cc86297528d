import { randomUUID } from 'node:crypto';
import type { Role } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable, type RouteInfo } from '../../core/openapi/route-table.ts';
import { roleSatisfies, type AccessRule } from '../../core/http/roles.ts';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { reviewedAccessRules } from './access-rules.reviewed.ts';

/**
 * The role × endpoint matrix, generated from the live route table: every route must carry an
 * access rule, the rule must match the reviewed list (so a new or loosened endpoint fails here
 * until someone looks at it), and the guard must enforce it for every role over real HTTP.
 */
const roles: Role[] = ['customer', 'viewer', 'operator', 'admin'];

function describeRule(rule: AccessRule | undefined): string {
  if (!rule) return 'MISSING';
  if (rule.kind !== 'roles') return rule.kind;
  return [rule.minimum ? `${rule.minimum}+` : null, rule.customer ? 'customer' : null]
    .filter(Boolean)
    .join(',');
}

/** Session-ending routes get a caller of their own so they cannot sign the shared callers out. */
const endsSessions = (route: RouteInfo) => /logout|password|tokens\/:|users\/:/.test(route.path);

describe('role × endpoint matrix', () => {
  let t: TestServer;
  let routes: RouteInfo[];
  const shared = new Map<Role, Record<string, string>>();

  let baseUrl: string;

  beforeAll(async () => {
    t = await startTestServer('sqlite', { server: { port: 0, host: '127.0.0.1' } });
    baseUrl = await t.server.listen();
    routes = routeTable(t.server.app);
    for (const role of roles)
      shared.set(
        role,
        (await signInAs(t, role, role === 'customer' ? { customerId: await customerId(t) } : {})).headers,
      );
  });
  afterAll(() => t.close());

  it('gives every route an access rule that matches the reviewed list', () => {
    const actual = Object.fromEntries(routes.map((r) => [`${r.method} ${r.path}`, describeRule(r.access)]));
    expect(actual).toEqual(reviewedAccessRules);
  });

  /** Streams never end, so they are called over real HTTP and judged by their status line alone. */
  async function send(route: RouteInfo, url: string, headers: Record<string, string>, body: unknown) {
    if (route.path !== '/api/v1/events')
      return t.request({ method: route.method, url, headers, ...(body ? { body } : {}) });
    const abort = new AbortController();
    const res = await fetch(baseUrl + url, { headers, signal: abort.signal });
    abort.abort();
    return { status: res.status, body: '' };
  }

  it(
    'enforces each rule for anonymous callers and every role, and never answers 500',
    { timeout: 180_000 },
    async () => {
      const failures: string[] = [];
      for (const route of routes) {
        const url = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) =>
          name === 'token' ? 'not-a-real-token' : randomUUID(),
        );
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
        const anonymous = await send(route, url, {}, body);
        if (anonymous.status >= 500)
          failures.push(`${route.method} ${route.path} anonymous → ${anonymous.status}`);
        if (route.access?.kind !== 'public' && anonymous.status !== 401) {
          failures.push(`${route.method} ${route.path} anonymous → ${anonymous.status}, expected 401`);
        }
        for (const role of roles) {
          const headers = endsSessions(route)
            ? (await signInAs(t, role, role === 'customer' ? { customerId: await customerId(t) } : {}))
                .headers
            : (shared.get(role) as Record<string, string>);
          const res = await send(route, url, headers, body);
          const rule = route.access;
          // Agent routes take agent tokens only: every user role is refused.
          const allowed =
            rule?.kind === 'agent'
              ? false
              : !rule || rule.kind !== 'roles'
                ? rule !== undefined
                : roleSatisfies(role, rule);
          const refused = res.status === 403;
          if (res.status >= 500)
            failures.push(`${route.method} ${route.path} as ${role} → ${res.status}: ${res.body}`);
          else if (allowed && (refused || res.status === 401))
            failures.push(`${route.method} ${route.path} as ${role} → ${res.status}, expected access`);
          else if (!allowed && !refused)
            failures.push(`${route.method} ${route.path} as ${role} → ${res.status}, expected 403`);
        }
      }
      expect(failures).toEqual([]);
    },
  );
});

let sharedCustomerId: string | undefined;
async function customerId(t: TestServer): Promise<string> {
  if (sharedCustomerId) return sharedCustomerId;
  const admin = (await signInAs(t, 'admin')).headers;
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/customers',
    headers: admin,
    body: { name: `matrix-${randomUUID()}` },
  });
  sharedCustomerId = res.json<{ id: string }>().id;
  return sharedCustomerId;
}
