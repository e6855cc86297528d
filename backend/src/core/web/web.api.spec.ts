import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/harness.ts';

// Serving the console does not touch the database, so one dialect is enough here.
describe('the web console served by the backend', () => {
  let t: TestServer;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'skyy-console-'));
    writeFileSync(
      path.join(dist, 'index.html'),
      '<!doctype html><title>Skyy Command</title><app-root></app-root>',
    );
    writeFileSync(path.join(dist, 'main-AB12CD34.js'), 'console.log("console")');
    writeFileSync(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    mkdirSync(path.join(dist, 'media'));
    writeFileSync(path.join(dist, 'media', 'font-XYZ.woff2'), 'font');
    process.env.SKYY_CONSOLE_DIR = dist;
    t = await startTestServer('sqlite');
  });
  afterAll(async () => {
    delete process.env.SKYY_CONSOLE_DIR;
    await t.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and for deep links, never cached', async () => {
    for (const url of [
      '/',
      '/hosts/0b6f3a52-6a51-4c4e-9d0e-0c6b7a1b2c3d',
      '/login?returnTo=%2Fjobs',
      '/index.html',
    ]) {
      const res = await t.request({ method: 'GET', url });
      expect(res.status, url).toBe(200);
      expect(res.headers['content-type'], url).toContain('text/html');
      expect(res.body, url).toContain('<app-root>');
      expect(res.headers['cache-control'], url).toBe('no-cache');
    }
  });

  it('caches hashed assets for a year and other files not at all', async () => {
    const script = await t.request({ method: 'GET', url: '/main-AB12CD34.js' });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const font = await t.request({ method: 'GET', url: '/media/font-XYZ.woff2' });
    expect(font.headers['cache-control']).toContain('immutable');
    const icon = await t.request({ method: 'GET', url: '/favicon.svg' });
    expect(icon.status).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('leaves unknown API and metrics paths to the API: problem+json 404, not the console', async () => {
    for (const url of ['/api/v1/no-such-thing', '/api/nope', '/metrics/extra']) {
      const res = await t.request({ method: 'GET', url });
      expect(res.status, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
    expect((await t.request({ method: 'GET', url: '/api/health' })).json()).toEqual({ status: 'ok' });
  });

  it('answers 404 for a missing file and never serves files outside the build', async () => {
    expect((await t.request({ method: 'GET', url: '/chunk-DOESNOTX.js' })).status).toBe(404);
    for (const url of ['/../package.json', '/%2e%2e/%2e%2e/package.json', '/media/..%2f..%2fpackage.json']) {
      const res = await t.request({ method: 'GET', url });
      expect(res.body, url).not.toContain('"name"');
    }
  });
});

describe('the web console before it is built', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    delete process.env.SKYY_CONSOLE_DIR;
    await t?.close();
  });

  it('says how to build it instead of failing', async () => {
    process.env.SKYY_CONSOLE_DIR = path.join(tmpdir(), 'skyy-console-does-not-exist');
    t = await startTestServer('sqlite');
    const res = await t.request({ method: 'GET', url: '/' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('npm run build -w @skyy/frontend');
    expect((await t.request({ method: 'GET', url: '/jobs' })).body).toContain('has not been built yet');
  });
});
