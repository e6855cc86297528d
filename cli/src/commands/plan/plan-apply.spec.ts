import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterPlan } from '@skyy/contracts';
import type { ProxmoxSimulator } from '@skyy/sim-proxmox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClustersService } from '../../../../backend/src/app/clusters/clusters.service.ts';
import {
  SIM_TOKEN,
  shortenProxmoxTimings,
  startTlsSimulator,
} from '../../../../backend/src/app/clusters/testing/proxmox-lab.ts';
import { systemCaller } from '../../../../backend/src/core/http/caller.ts';
import { testDatabases } from '../../../../backend/test/test-databases.ts';
import {
  adminLoggedIn,
  cliFor,
  startCliTestServer,
  type CliTestServer,
} from '../../testing/cli-test-server.ts';

const examples = path.resolve(import.meta.dirname, '../../../../components/proxmox/examples/cluster');

describe.each(testDatabases())('skyy plan and skyy apply against the Proxmox simulator on %s', (dialect) => {
  let t: CliTestServer;
  let sim: ProxmoxSimulator;
  let skyy: ReturnType<typeof cliFor>;

  beforeAll(async () => {
    let fingerprint: string;
    ({ sim, fingerprint } = await startTlsSimulator());
    t = await startCliTestServer(dialect);
    // The helper takes a TestServer; only its `server` is used.
    shortenProxmoxTimings({ server: t.server } as Parameters<typeof shortenProxmoxTimings>[0]);
    await t.server.app.get(ClustersService).create(systemCaller(), {
      name: 'lab',
      type: 'proxmox',
      site: null,
      apiUrl: `${sim.url}/api2/json`,
      tokenId: SIM_TOKEN.id,
      tokenSecret: SIM_TOKEN.secret,
      tls: { caFile: null, fingerprint, insecure: false },
    });
    skyy = cliFor(t);
    await adminLoggedIn(t);
    cpSync(examples, path.join(t.workDir, 'hosts'), { recursive: true });
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('prints the plan like Terraform, and as data with --output json', async () => {
    const run = await skyy(['plan', 'hosts', '--cluster', 'lab']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('+ vm "gpu-worker-01" {');
    expect(run.stdout).toContain('Plan: 3 to create, 0 to update, 0 to replace, 0 to delete, 0 unchanged.');

    const json = await skyy(['plan', 'hosts/pve2.yaml', '--cluster', 'lab', '--output', 'json']);
    expect(json.code).toBe(0);
    expect(json.json<ClusterPlan>().plan.actions.map((a) => [a.action, a.name])).toEqual([
      ['create', 'gpu-worker-02'],
    ]);
  });

  it('prints invalid files as local file:line:column errors and exits 1', async () => {
    mkdirSync(path.join(t.workDir, 'broken'));
    writeFileSync(
      path.join(t.workDir, 'broken', 'pve1.yaml'),
      'hostname: pve1\nip_address: 10.0.0.1\nvms:\n  - name: x\n    cores: lots\n    memory: 2G\n',
    );
    const run = await skyy(['plan', 'broken', '--cluster', 'lab']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^broken\/pve1\.yaml:5:5: vms\[0\]\.cores: /m);
  });

  it('refuses an unknown cluster and an apply without a terminal or --yes', async () => {
    const unknown = await skyy(['plan', 'hosts', '--cluster', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no cluster named nope — did you mean lab?');
    const unconfirmed = await skyy(['apply', 'hosts', '--cluster', 'lab']);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('add --yes');
    expect(sim.state.guests.some((g) => g.config.name === 'gpu-worker-01')).toBe(false);
  });

  it('applies with --yes, following the job log, and then plans no changes', async () => {
    const run = await skyy(['apply', 'hosts', '--cluster', 'lab', '--yes', '--poll-ms', '20']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Applying \(job [0-9a-f-]{36}\):/);
    expect(run.stdout).toContain('vm/gpu-worker-01/start');
    expect(run.stdout).toContain('Apply complete.');
    for (const name of ['gpu-worker-01', 'web-01', 'gpu-worker-02'])
      expect(
        sim.state.guests.filter((g) => g.config.name === name),
        name,
      ).toHaveLength(1);

    const again = await skyy(['plan', 'hosts', '--cluster', 'lab']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes. The VMs match the desired state.');
  });

  it('exits 1 when the apply job fails', async () => {
    writeFileSync(
      path.join(t.workDir, 'pve3.yaml'),
      'hostname: pve3\nip_address: 10.0.0.3\nvms:\n  - name: doomed\n    cores: 2\n    memory: 2G\n',
    );
    sim.setFaults({ taskFailureRate: 1 });
    try {
      const run = await skyy(['apply', 'pve3.yaml', '--cluster', 'lab', '--yes', '--poll-ms', '20']);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('vm/doomed/create: failed');
      expect(run.stdout).toMatch(/Apply failed: 1 VM\(s\) failed: doomed/);
    } finally {
      sim.setFaults({});
    }
  });
});
