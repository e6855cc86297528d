import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTsScript, type ScriptRun } from '../../../scripts/testing/run-ts-script.ts';

const example = fileURLToPath(new URL('./plan-and-apply.ts', import.meta.url));
const hostFile = fileURLToPath(new URL('./pve1.yaml', import.meta.url));

/** The README's command: `node --import tsx components/proxmox/examples/plan-and-apply.ts [file]`. */
function run(args: string[], env: Record<string, string> = {}): Promise<ScriptRun> {
  const { PVE_URL: _u, PVE_TOKEN_ID: _i, PVE_TOKEN_SECRET: _s, PVE_FINGERPRINT: _f, ...base } = process.env;
  return runTsScript(example, args, { env: { ...base, ...env }, timeoutMs: 60_000 });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the plan-and-apply example', () => {
  it('plans, applies and re-plans the example host file against the in-process simulator', async () => {
    const { code, stdout } = await run([hostFile]);
    expect(code).toBe(0);
    expect(stdout).toContain('Plan: 1 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged.');
    expect(stdout).toContain('Applied.');
    expect(stdout).toContain('No changes. The VMs match the desired state.');
  });

  it('answers a missing file, missing token variables and an unreachable cluster in one line each', async () => {
    const missing = await run(['/no/such/host.yaml']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe('plan-and-apply: cannot read /no/such/host.yaml: no such file\n');

    const url = `https://127.0.0.1:${await closedPort()}`;
    const noToken = await run([hostFile], { PVE_URL: url });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('PVE_URL is set, so PVE_TOKEN_ID and PVE_TOKEN_SECRET must be too');

    const unreachable = await run([hostFile], {
      PVE_URL: url,
      PVE_TOKEN_ID: 'skyy@pve!command',
      PVE_TOKEN_SECRET: 'x',
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^plan-and-apply: PVE GET \/cluster\/resources: .*ECONNREFUSED.*\n$/);
  });
});
