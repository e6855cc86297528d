import { fileURLToPath } from 'node:url';
import { generateSelfSignedCertificate, PfSenseSimulator } from '@skyy/sim-pfsense';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTsScript, type ScriptRun } from '../../../../scripts/testing/run-ts-script.ts';

const example = fileURLToPath(new URL('./sync-example.ts', import.meta.url));
const repo = fileURLToPath(new URL('../../../..', import.meta.url));

/** The README's `node --import tsx components/firewall/pfsense/ops/sync-example.ts …`, from the repository root. */
function syncExample(...args: string[]): Promise<ScriptRun> {
  return runTsScript(example, args, {
    cwd: repo,
    env: { ...process.env, DEMO_KEY: 'demo-key' },
    timeoutMs: 60_000,
  });
}

describe('the pfSense sync example, as the README runs it', () => {
  const tls = generateSelfSignedCertificate();
  const sim = new PfSenseSimulator({ apiKeys: ['demo-key'], tls });
  let url = '';
  beforeAll(async () => {
    ({ url } = await sim.listen());
  });
  afterAll(() => sim.close());

  it('plans the 508-entry file against a pinned simulator', async () => {
    const { code, stdout } = await syncExample(
      'plan',
      '--url',
      url,
      '--api-key',
      'env:DEMO_KEY',
      '--fingerprint',
      tls.fingerprint256,
    );
    expect(code).toBe(0);
    expect(stdout).toContain('2032 change(s) — vip: +508');
  });

  it('says in one line why it cannot talk to the firewall, exit 1', async () => {
    const unpinned = await syncExample('plan', '--url', url, '--api-key', 'env:DEMO_KEY');
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toMatch(
      /^sync-example: pfSense GET \S+ could not be reached: self-signed certificate \(trust it with --fingerprint/,
    );
    expect(unpinned.stderr.trim().split('\n')).toHaveLength(1);

    const refused = await syncExample(
      'plan',
      '--url',
      url,
      '--api-key',
      'wrong',
      '--fingerprint',
      tls.fingerprint256,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^sync-example: pfSense GET \S+ failed with 401 AUTH_AUTHENTICATION_FAILED: Authentication failed\.\n$/,
    );
  });

  it('answers usage mistakes with the usage line, exit 2', async () => {
    const noFile = await syncExample(
      'plan',
      '--url',
      url,
      '--api-key',
      'env:DEMO_KEY',
      '--file',
      'nope.yaml',
    );
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(
      /^sync-example: cannot read nope\.yaml: no such file\nusage: sync-example\.ts plan\|apply\|preview/,
    );
    const unknown = await syncExample('plan', '--fingerprnt', 'AA');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^sync-example: Unknown option '--fingerprnt'/);
  });
});
