import { readFileSync } from 'node:fs';
import path from 'node:path';
import type {
  AuditEntry,
  Cluster,
  ClusterApply,
  ClusterDrift,
  ClusterPlan,
  JobDetail,
  Page,
  Problem,
} from '@skyy/contracts';
import type { ProxmoxSimulator } from '@skyy/sim-proxmox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { EventBus } from '../../core/events/event-bus.ts';
import { waitFor } from '../../core/queue/testing/queue-kit.ts';
import {
  addSimulatorCluster,
  jobLog,
  settledJob,
  shortenProxmoxTimings,
  startTlsSimulator,
} from './testing/proxmox-lab.ts';

const examples = path.resolve(import.meta.dirname, '../../../../components/proxmox/examples/cluster');
const example = (name: string) => ({ name, content: readFileSync(path.join(examples, name), 'utf8') });

/** pve1.yaml without web-01: the second VM of the file is cut off. */
const pve1WithoutWeb = () => {
  const file = example('pve1.yaml');
  return { name: file.name, content: file.content.slice(0, file.content.indexOf('  - name: web-01')) };
};

const pve3File = (names: string[]) => ({
  name: 'pve3.yaml',
  content: [
    'hostname: pve3',
    'ip_address: 10.10.0.13',
    'vms:',
    ...names.flatMap((name, i) => [
      `  - name: ${name}`,
      '    template: ubuntu-2404-cloud',
      `    cores: ${2 + i}`,
      '    memory: 2G',
      '    nics: [{ bridge: vmbr0, vlan: 60 }]',
    ]),
  ].join('\n'),
});

describe.each(testDatabases())('plan and apply declared VMs on %s', (dialect) => {
  let t: TestServer;
  let sim: ProxmoxSimulator;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  let cluster: Cluster;

  const plan = (body: Record<string, unknown>, headers = operator) =>
    t.request({ method: 'POST', url: `/api/v1/clusters/${cluster.id}/plan`, headers, body });
  const apply = (body: Record<string, unknown>) =>
    t.request({ method: 'POST', url: `/api/v1/clusters/${cluster.id}/apply`, headers: operator, body });
  const vmsNamed = (name: string) =>
    sim.state.guests.filter((g) => g.type === 'qemu' && g.config.name === name);
  const applied = async (body: Record<string, unknown>): Promise<JobDetail> => {
    const res = await apply(body);
    expect(res.status, res.body).toBe(202);
    const { jobId } = res.json<ClusterApply>();
    expect(jobId).not.toBeNull();
    return settledJob(t, operator, jobId as string, 120_000);
  };

  beforeAll(async () => {
    let fingerprint: string;
    ({ sim, fingerprint } = await startTlsSimulator());
    t = await startTestServer(dialect);
    shortenProxmoxTimings(t);
    const admin = (await signInAs(t, 'admin')).headers;
    operator = (await signInAs(t, 'operator')).headers;
    viewer = (await signInAs(t, 'viewer')).headers;
    cluster = await addSimulatorCluster(t, admin, sim, fingerprint);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.close();
  });

  it('plans the example host files: three VMs to create, rendered like Terraform', async () => {
    const res = await plan({ files: [example('pve1.yaml'), example('pve2.yaml')] });
    expect(res.status, res.body).toBe(200);
    const result = res.json<ClusterPlan>();
    expect(result.plan.summary).toMatchObject({ create: 3, update: 0, delete: 0 });
    expect(result.plan.errors).toEqual([]);
    expect(result).toMatchObject({ hasChanges: true, deletes: false });
    expect(result.rendered).toContain('+ vm "gpu-worker-01" {');
    expect(result.rendered).toContain('Plan: 3 to create, 0 to update, 0 to replace, 0 to delete');
    expect(sim.state.guests.some((g) => g.config.name === 'gpu-worker-01')).toBe(false);

    const audit = (
      await t.request({
        method: 'GET',
        url: `/api/v1/audit?targetType=cluster&limit=50`,
        headers: await adminHeaders(),
      })
    ).json<Page<AuditEntry>>();
    expect(audit.items.some((e) => e.action === 'cluster.plan' && e.targetId === cluster.id)).toBe(true);
  });

  it('answers invalid files with file:line:column errors and plans nothing', async () => {
    const res = await plan({
      files: [
        {
          name: 'broken.yaml',
          content:
            'hostname: pve1\nip_address: 10.0.0.1\nvms:\n  - name: x\n    cores: lots\n    memory: 2G\n',
        },
      ],
    });
    expect(res.status).toBe(422);
    const problem = res.json<Problem>();
    expect(problem.errors).toEqual([
      { path: 'broken.yaml:5:5', message: expect.stringMatching(/^vms\[0\]\.cores: /) },
    ]);
  });

  it('reports a GPU held by another VM as a plan error, and refuses to apply it', async () => {
    const gpuClash = {
      name: 'pve1.yaml',
      content:
        'hostname: pve1\nip_address: 10.0.0.1\nvms:\n  - name: thief\n    cores: 2\n    memory: 2G\n    gpus: [{ pci: "0000:01:00" }]\n',
    };
    const planned = (await plan({ files: [gpuClash] })).json<ClusterPlan>();
    expect(planned.plan.errors).toEqual([
      expect.objectContaining({
        vm: 'thief',
        message: expect.stringContaining('also assigned to VM vm-100'),
      }),
    ]);
    expect((await apply({ files: [gpuClash] })).status).toBe(422);
    expect(vmsNamed('thief')).toEqual([]);
  });

  it('lets viewers neither plan nor apply', async () => {
    expect((await plan({ files: [example('pve1.yaml')] }, viewer)).status).toBe(403);
  });

  it('applies as a job with a step log: the VMs exist with their GPUs, and a re-plan shows no changes', async () => {
    const files = [example('pve1.yaml'), example('pve2.yaml')];
    const progress: number[] = [];
    const unsubscribe = t.server.app.get(EventBus).subscribe((e) => {
      if (e.type === 'job.progress' && e.data.type === 'cluster.apply')
        progress.push(Number(e.data.progress));
    });
    const job = await applied({ files }).finally(unsubscribe);
    // 15 steps (3 VMs × vmid, create, configure, resize, start) move the bar from 5 % to 90 %.
    expect(progress[0]).toBe(5);
    expect(progress.at(-1)).toBe(90);
    expect(progress.length).toBeGreaterThan(10);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(job.status, job.error ?? '').toBe('succeeded');
    const log = (await jobLog(t, operator, job.id)).join('\n');
    expect(log).toContain('vm/gpu-worker-01/create');
    expect(log).toContain('re-plan: Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 3 unchanged');
    expect(job.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['plan', 'vm/web-01/start']));

    const [worker1] = vmsNamed('gpu-worker-01');
    expect(worker1).toMatchObject({ node: 'pve1', status: 'running' });
    expect(worker1?.config.tags?.split(';')).toEqual(
      expect.arrayContaining(['skyy-managed', 'skyy-created']),
    );
    expect(worker1?.config.hostpci0).toMatch(/^0000:21:00/);
    expect(vmsNamed('gpu-worker-02')[0]?.config.hostpci0).toMatch(/mapping=rtx3090/);

    const again = (await plan({ files })).json<ClusterPlan>();
    expect(again.hasChanges).toBe(false);
    const noop = await apply({ files });
    expect(noop.status).toBe(202);
    expect(noop.json<ClusterApply>().jobId).toBeNull();
  });

  it('deletes a VM Skyy created only with allowDelete and an explicit confirmation', async () => {
    const files = [pve1WithoutWeb(), example('pve2.yaml')];
    const kept = (await plan({ files })).json<ClusterPlan>();
    expect(kept.plan.summary).toMatchObject({ delete: 0, keep: 1 });

    const planned = (await plan({ files, allowDelete: true })).json<ClusterPlan>();
    expect(planned).toMatchObject({ deletes: true, plan: { summary: { delete: 1 } } });
    const unconfirmed = await apply({ files, allowDelete: true });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json<Problem>().errors?.[0]).toMatchObject({ path: 'body.confirmDeletes' });
    expect(vmsNamed('web-01')).toHaveLength(1);

    const job = await applied({ files, allowDelete: true, confirmDeletes: true });
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect(vmsNamed('web-01')).toEqual([]);
    expect(vmsNamed('gpu-worker-01')).toHaveLength(1);
  });

  it('converges with 10% injected faults (5xx, lock timeouts, failed tasks), retrying the job when needed', async () => {
    const names = ['batch-01', 'batch-02', 'batch-03', 'batch-04'];
    const files = [pve3File(names)];
    // Random 10% faults, plus every 5th task failing so that faults surely happen in this run.
    sim.setFaults({ http5xxRate: 0.1, lockTimeoutRate: 0.1, taskFailureRate: 0.1, taskFailureEvery: 5 });
    let job: JobDetail;
    try {
      job = await applied({ files });
      // A job that still failed after per-step retries resumes: finished steps are not run again.
      for (let retry = 0; job.status !== 'succeeded' && retry < 3; retry++) {
        const res = await t.request({
          method: 'POST',
          url: `/api/v1/jobs/${job.id}/retry`,
          headers: operator,
        });
        expect(res.status, res.body).toBe(200);
        job = await settledJob(t, operator, job.id, 120_000);
      }
    } finally {
      sim.setFaults({});
    }
    expect(job.status, job.error ?? '').toBe('succeeded');
    expect((await jobLog(t, operator, job.id)).join('\n')).toMatch(/attempt 1 failed .*trying again/);
    for (const name of names) expect(vmsNamed(name), name).toHaveLength(1);
    const after = (await plan({ files })).json<ClusterPlan>();
    expect(after.hasChanges).toBe(false);
  });

  it('cancels an apply between steps, says what was done and skipped, plans the rest, and resumes without duplicates', async () => {
    const names = ['batch-01', 'batch-02', 'batch-03', 'batch-04', 'resume-01', 'resume-02', 'resume-03'];
    const files = [pve3File(names)];
    const jobDetail = async (id: string) =>
      (await t.request({ method: 'GET', url: `/api/v1/jobs/${id}`, headers: operator })).json<JobDetail>();
    sim.setFaults({ latencyMs: 40 });
    let job: JobDetail;
    try {
      const res = await apply({ files });
      expect(res.status, res.body).toBe(202);
      const { jobId: id, plan: planned } = res.json<ClusterApply>();
      const jobId = id as string;
      // batch-0N exist when the test before ran; the resume-0N are new in any case.
      const creating = planned.plan.actions.filter((a) => a.action === 'create').map((a) => a.name);
      expect(creating).toEqual(expect.arrayContaining(['resume-01', 'resume-02', 'resume-03']));
      await waitFor('a VM to be created', async () =>
        (await jobDetail(jobId)).steps.some((s) => s.name.endsWith('/create') && s.status === 'succeeded'),
      );
      const cancelled = await t.request({
        method: 'POST',
        url: `/api/v1/jobs/${jobId}/cancel`,
        headers: operator,
      });
      expect(cancelled.status, cancelled.body).toBe(200);
      // What had started by the time the cancel was answered; nothing else may run.
      const startedBeforeCancel = new Set((await jobDetail(jobId)).steps.map((s) => s.name));
      const ended = await settledJob(t, operator, jobId);
      expect(ended.status).toBe('cancelled');
      const succeeded = ended.steps.filter((s) => s.status === 'succeeded').map((s) => s.name);
      expect(succeeded.filter((name) => !startedBeforeCancel.has(name))).toEqual([]);
      expect(ended.steps.filter((s) => s.status === 'running')).toEqual([]);
      expect(succeeded.length).toBeLessThan(1 + creating.length * 5);

      // The log names, per VM, the steps done and the steps skipped, matching the recorded steps.
      const log = await jobLog(t, operator, jobId);
      expect(log).toContain('cancelled: no step was started after the cancel; steps done and skipped:');
      for (const name of creating) {
        const done = succeeded.filter((s) => s.startsWith(`vm/${name}/`)).map((s) => s.split('/')[2]);
        const line = log.find((l) => l.startsWith(`vm/${name} (create): done: `));
        expect(line, name).toBeDefined();
        expect(line?.slice(`vm/${name} (create): done: `.length).split(';')[0], name).toBe(
          done.join(', ') || 'nothing',
        );
      }
      expect(log.some((l) => /skipped: (vmid, )?create, configure, resize, start$/.test(l))).toBe(true);
      expect(log.find((l) => l.startsWith('left to do: Plan: '))).toBeDefined();

      // A plan now shows the remaining work: VMs whose create step never ran are still to create.
      const remaining = (await plan({ files })).json<ClusterPlan>();
      expect(remaining.hasChanges).toBe(true);
      for (const name of creating) {
        const action = remaining.plan.actions.find((a) => a.name === name)?.action;
        if (!succeeded.includes(`vm/${name}/create`)) expect(action, name).toBe('create');
        else if (succeeded.includes(`vm/${name}/start`)) expect(action, name).toBe('unchanged');
      }

      sim.setFaults({});
      const retried = await t.request({
        method: 'POST',
        url: `/api/v1/jobs/${jobId}/retry`,
        headers: operator,
      });
      expect(retried.status, retried.body).toBe(200);
      job = await settledJob(t, operator, jobId, 120_000);
    } finally {
      sim.setFaults({});
    }
    const log = (await jobLog(t, operator, job.id)).join('\n');
    expect(job.status, log).toBe('succeeded');
    expect(log).toContain('step "plan" already done in an earlier attempt');
    expect(log).toMatch(/step "vm\/resume-0\d\/create" already done in an earlier attempt/);
    for (const name of names) expect(vmsNamed(name), name).toHaveLength(1);
    expect((await plan({ files })).json<ClusterPlan>().hasChanges).toBe(false);
  });

  it('refuses a second apply on the cluster while one runs', async () => {
    const existing = ['batch-01', 'batch-02', 'batch-03', 'batch-04', 'resume-01', 'resume-02', 'resume-03'];
    sim.setFaults({ latencyMs: 40 });
    try {
      const first = await apply({ files: [pve3File([...existing, 'late-01'])] });
      expect(first.status, first.body).toBe(202);
      const jobId = first.json<ClusterApply>().jobId as string;
      const second = await apply({ files: [pve3File([...existing, 'late-02'])] });
      expect(second.status).toBe(409);
      expect(second.json<Problem>().detail).toContain(jobId);
      expect((await settledJob(t, operator, jobId)).status).toBe('succeeded');
    } finally {
      sim.setFaults({});
    }
    expect(vmsNamed('late-01')).toHaveLength(1);
    expect(vmsNamed('late-02')).toEqual([]);
  });

  it('shows drift of the VMs declared in the imported host files of the cluster', async () => {
    const imported = await t.request({
      method: 'POST',
      url: '/api/v1/hosts/import',
      headers: operator,
      body: { files: [example('pve1.yaml'), example('pve2.yaml')] },
    });
    expect(imported.status, imported.body).toBe(200);
    const synced = await t.request({
      method: 'POST',
      url: `/api/v1/clusters/${cluster.id}/sync`,
      headers: operator,
    });
    expect((await settledJob(t, operator, synced.json<{ jobId: string }>().jobId)).status).toBe('succeeded');

    const res = await t.request({
      method: 'GET',
      url: `/api/v1/clusters/${cluster.id}/drift`,
      headers: viewer,
    });
    expect(res.status, res.body).toBe(200);
    const drift = res.json<ClusterDrift>();
    expect(drift.files).toEqual(['pve1.yaml', 'pve2.yaml']);
    // web-01 was deleted by an earlier test; the imported pve1.yaml still declares it.
    expect(drift.plan.actions.filter((a) => a.action !== 'unchanged').map((a) => [a.action, a.name])).toEqual(
      [['create', 'web-01']],
    );
    expect(drift.hasChanges).toBe(true);
  });

  async function adminHeaders() {
    return (await signInAs(t, 'admin')).headers;
  }
});
