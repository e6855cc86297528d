import { vmSchema, type DesiredVmInput } from '@skyy/contracts';
import { startProxmoxSimulator, type ProxmoxSimulator, type SimulatorOptions } from '@skyy/sim-proxmox';
import { afterEach, describe, expect, it } from 'vitest';
import { ProxmoxClient } from '../client/proxmox-client.ts';
import type { RequestEvent } from '../client/transport.ts';
import { applyPlan, type ApplyOptions, type StepRunner } from './apply-plan.ts';
import { planVms } from './plan-vms.ts';
import { readClusterSnapshot } from './snapshot.ts';
import type { DesiredHostVms, PlanOptions } from './types.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  simOptions: SimulatorOptions = {},
  onRequest?: (event: RequestEvent, sim: ProxmoxSimulator) => void,
) {
  const sim = await startProxmoxSimulator({ taskDurationMs: 3, ...simOptions });
  const [tokenId = '', tokenSecret = ''] = Object.entries(sim.state.tokens)[0] ?? [];
  const pve = new ProxmoxClient({
    baseUrl: sim.url,
    tokenId,
    tokenSecret,
    retry: { attempts: 6, baseDelayMs: 1, maxDelayMs: 4 },
    tasks: { pollIntervalMs: 3 },
    ...(onRequest ? { onRequest: (event: RequestEvent) => onRequest(event, sim) } : {}),
  });
  cleanups.push(async () => {
    await pve.close();
    await sim.close();
  });
  return { sim, pve };
}

function hosts(entries: Record<string, DesiredVmInput[]>): DesiredHostVms[] {
  return Object.entries(entries).map(([node, vms]) => ({ node, vms: vms.map((vm) => vmSchema.parse(vm)) }));
}

const gpuWorker: DesiredVmInput = {
  name: 'gpu-1',
  template: 'ubuntu-2404-cloud',
  cores: 8,
  memory: '16G',
  cpu_type: 'host',
  disks: [{ storage: 'ceph-vm', size: '64G' }],
  nics: [{ bridge: 'vmbr1', vlan: 502, mac: '02:00:2e:8c:5e:78', ip: '69.1.1.2/24', gateway: '69.1.1.1' }],
  gpus: [{ model: 'RTX 3090' }],
  cloud_init: { user: 'skyy', ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ops@example'] },
  onboot: true,
};
const web: DesiredVmInput = {
  name: 'web-1',
  cores: 2,
  memory: 2048,
  disks: [{ storage: 'local-lvm', size: 20 }],
  nics: [{ bridge: 'vmbr0', ip: 'dhcp' }],
  tags: ['web'],
};
const db: DesiredVmInput = {
  name: 'db-1',
  template: 'ubuntu-2404-cloud',
  cores: 4,
  memory: '8G',
  disks: [{ storage: 'ceph-vm', size: '32G' }],
  gpus: [{ mapping: 'rtx3090' }],
  protect: true,
};

const fast: ApplyOptions = { retryDelayMs: 1 };

async function plan(pve: ProxmoxClient, desired: DesiredHostVms[], options: PlanOptions = {}) {
  return planVms(desired, await readClusterSnapshot(pve, desired), options);
}

function skyyVms(sim: ProxmoxSimulator) {
  return sim.state.guests.filter((g) => g.config.tags?.includes('skyy-managed'));
}

describe('applyPlan against the simulator', () => {
  it('creates, updates and deletes VMs exactly as planned, GPUs included, and a re-plan shows no changes', async () => {
    const { sim, pve } = await setup();
    const desired = hosts({ pve1: [gpuWorker], pve2: [web, db] });
    const first = await plan(pve, desired);
    expect(first.errors).toEqual([]);
    expect(first.summary).toMatchObject({ create: 3, update: 0, delete: 0 });

    const result = await applyPlan(pve, first, fast);
    expect(result.vms.filter((vm) => vm.status !== 'done')).toEqual([]);
    const again = await plan(pve, desired);
    expect(again.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, keep: 0, unchanged: 3 });

    const gpu1 = sim.state.guests.find((g) => g.config.name === 'gpu-1');
    expect(gpu1).toMatchObject({ node: 'pve1', status: 'running' });
    // GPU 0000:01:00 belongs to vm-100 on pve1, so the free RTX 3090 is the one at 21:00.
    expect(gpu1?.activePci).toEqual(['0000:21:00.0', '0000:21:00.1']);
    expect(gpu1?.config).toMatchObject({
      cores: '8',
      memory: '16384',
      cpu: 'host',
      machine: 'q35',
      hostpci0: '0000:21:00,pcie=1',
      net0: 'virtio=02:00:2E:8C:5E:78,bridge=vmbr1,tag=502',
      ipconfig0: 'ip=69.1.1.2/24,gw=69.1.1.1',
      ciuser: 'skyy',
      onboot: '1',
      tags: 'skyy-created;skyy-managed;skyy-template.ubuntu-2404-cloud',
    });
    expect(gpu1?.config.scsi0).toMatch(/^ceph-vm:vm-\d+-disk-0,iothread=1,size=64G$/);
    expect(gpu1?.config.description).toBeUndefined();
    const db1 = sim.state.guests.find((g) => g.config.name === 'db-1');
    expect(db1).toMatchObject({
      node: 'pve2',
      status: 'running',
      config: { hostpci0: 'mapping=rtx3090,pcie=1', protection: '1' },
    });
    const web1 = sim.state.guests.find((g) => g.config.name === 'web-1');
    expect(web1?.config).toMatchObject({
      scsi0: expect.stringMatching(/^local-lvm:vm-\d+-disk-0,iothread=1,size=20G$/),
      ide2: expect.stringContaining('cloudinit'),
      tags: 'skyy-created;skyy-managed;skyy-no-template;web',
    });

    // Change the running GPU worker (needs a restart) and drop web-1.
    const changed = hosts({
      pve1: [{ ...gpuWorker, cores: 12, disks: [{ storage: 'ceph-vm', size: '100G' }] }],
      pve2: [db],
    });
    const second = await plan(pve, changed, { allowDelete: true });
    expect(second.summary).toMatchObject({ update: 1, delete: 1, unchanged: 1 });
    const update = second.actions.find((a) => a.action === 'update');
    expect(update?.action === 'update' && update.rebootRequired).toBe(true);
    expect((await applyPlan(pve, second, { ...fast, restartWhenNeeded: true })).ok).toBe(true);
    expect(sim.state.guests.some((g) => g.config.name === 'web-1')).toBe(false);
    const restarted = sim.state.guests.find((g) => g.config.name === 'gpu-1');
    expect(restarted?.config.cores).toBe('12');
    expect(restarted?.pending).toEqual({});
    expect(restarted?.config.scsi0).toMatch(/size=100G$/);
    expect((await plan(pve, changed, { allowDelete: true })).summary).toMatchObject({
      update: 0,
      delete: 0,
      unchanged: 2,
    });
  });

  it('changes nothing when the same plan is applied twice', async () => {
    const { sim, pve } = await setup();
    const desired = hosts({ pve1: [gpuWorker], pve2: [web] });
    const once = await plan(pve, desired);
    expect((await applyPlan(pve, once, fast)).ok).toBe(true);
    const before = JSON.stringify(sim.state.guests);
    const twice = await applyPlan(pve, once, fast);
    expect(twice.ok).toBe(true);
    expect(
      twice.vms.flatMap((vm) => vm.steps.filter((s) => s.step.endsWith('/create')).map((s) => s.detail)),
    ).toEqual([
      expect.stringMatching(/^found VMID \d+ from an earlier run$/),
      expect.stringMatching(/^found VMID \d+ from an earlier run$/),
    ]);
    expect(JSON.stringify(sim.state.guests)).toBe(before);
  });

  it('survives injected lock timeouts, 5xx answers and failing tasks, converging without duplicates', async () => {
    const failures: RequestEvent[] = [];
    const { sim, pve } = await setup({ seed: 11 }, (event) => {
      if (event.error) failures.push(event);
    });
    // 10% of everything, and every 10th task fails for certain so the test always meets one.
    sim.setFaults({ http5xxRate: 0.1, lockTimeoutRate: 0.1, taskFailureRate: 0.1, taskFailureEvery: 10 });
    const desired = hosts({
      pve1: [gpuWorker, { ...web, name: 'web-2' }],
      pve2: [web, db],
      pve3: [
        { ...web, name: 'web-3', template: 'ubuntu-2404-cloud', disks: [{ storage: 'ceph-vm', size: 10 }] },
      ],
    });
    let rounds = 0;
    for (; rounds < 4; rounds++) {
      const current = await plan(pve, desired);
      expect(current.errors).toEqual([]);
      if (current.summary.unchanged === 5) break;
      await applyPlan(pve, current, { ...fast, stepAttempts: 6 });
    }
    expect(rounds).toBeLessThan(4);
    sim.setFaults({});
    // The faults did happen: answered 503, lock timeouts, and tasks that ended in error.
    // Which kinds a run meets depends on timing; that faults were met and survived is what counts.
    expect(failures.some((e) => e.status === 503 || /can't lock file/.test(e.error?.message ?? ''))).toBe(
      true,
    );
    const failedTasks = sim.state.nodes
      .flatMap((n) => sim.tasks.list(n.name))
      .filter((t) => t.exitstatus?.includes('injected'));
    expect(failedTasks.length).toBeGreaterThan(0);
    const names = skyyVms(sim)
      .map((g) => g.config.name)
      .sort();
    expect(names).toEqual(['db-1', 'gpu-1', 'web-1', 'web-2', 'web-3']);
    expect(
      sim.state.guests.filter((g) => g.config.description?.startsWith('skyy-managed: creating')),
    ).toEqual([]);
  });

  it('re-reads and re-plans when someone edits the config between read and write', async () => {
    let armed = false;
    let edited = false;
    const { sim, pve } = await setup({}, (event, s) => {
      // Another admin edits web-1 right after Skyy read its config for the update.
      if (armed && !edited && event.method === 'GET' && /\/qemu\/\d+\/config$/.test(event.path)) {
        const guest = s.state.guests.find((g) => g.config.name === 'web-1' && g.config.cores === '2');
        if (guest) {
          guest.config.description = 'edited by hand';
          edited = true;
        }
      }
    });
    const desired = hosts({ pve2: [web] });
    expect((await applyPlan(pve, await plan(pve, desired), fast)).ok).toBe(true);
    const log: string[] = [];
    const update = await plan(pve, hosts({ pve2: [{ ...web, cores: 4 }] }));
    armed = true;
    expect((await applyPlan(pve, update, { ...fast, log: (line) => log.push(line) })).ok).toBe(true);
    expect(edited).toBe(true);
    expect(log).toContain('vm/web-1/configure: the config changed meanwhile; reading it again');
    const guest = sim.state.guests.find((g) => g.config.name === 'web-1');
    // web-1 runs: the new core count waits in the pending section, the hand edit is kept.
    expect({ ...guest?.config, ...guest?.pending }).toMatchObject({
      cores: '4',
      description: 'edited by hand',
    });
  });

  it('resumes a killed apply from its recorded steps without creating a second VM', async () => {
    const { sim, pve } = await setup();
    const desired = hosts({ pve2: [web] });
    const thePlan = await plan(pve, desired);
    const recorded = new Map<string, unknown>();
    const persisting =
      (killAfter?: string): StepRunner =>
      async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
        if (recorded.has(name)) return recorded.get(name) as T;
        const result = await fn();
        recorded.set(name, result);
        if (name === killAfter) throw new Error('killed');
        return result;
      };
    const killed = await applyPlan(pve, thePlan, { ...fast, runStep: persisting('vm/web-1/create') });
    expect(killed.vms[0]?.steps.map((s) => `${s.step} ${s.status}`)).toEqual([
      'vm/web-1/vmid done',
      'vm/web-1/create failed',
      'vm/web-1/configure skipped',
      'vm/web-1/resize skipped',
      'vm/web-1/start skipped',
    ]);
    expect(sim.state.guests.filter((g) => g.config.name === 'web-1')).toHaveLength(1);

    const resumed = await applyPlan(pve, thePlan, { ...fast, runStep: persisting() });
    expect(resumed.ok).toBe(true);
    expect(sim.state.guests.filter((g) => g.config.name === 'web-1')).toHaveLength(1);
    expect((await plan(pve, desired)).summary.unchanged).toBe(1);
  });

  it('stops between steps when cancelled: no step starts afterwards, the rest is reported skipped and planned again', async () => {
    const { sim, pve } = await setup({ faults: { latencyMs: 5 } });
    const names = ['web-1', 'web-2', 'web-3'];
    const desired = hosts({ pve2: names.map((name) => ({ ...web, name })) });
    const thePlan = await plan(pve, desired);
    const controller = new AbortController();
    const startedAfterCancel: string[] = [];
    // The operator cancels while web-1's create step runs; web-2 runs beside it (2 per node).
    const runStep: StepRunner = async (name, fn) => {
      if (controller.signal.aborted) startedAfterCancel.push(name);
      const value = await fn();
      if (name === 'vm/web-1/create') controller.abort(new Error('cancelled by the operator'));
      return value;
    };
    const result = await applyPlan(pve, thePlan, { ...fast, runStep, signal: controller.signal });

    expect(result).toMatchObject({ ok: false, cancelled: true });
    expect(startedAfterCancel).toEqual([]);
    const web1 = result.vms.find((vm) => vm.name === 'web-1');
    expect(web1?.status).toBe('cancelled');
    expect(
      web1?.steps.map((s) => `${s.step} ${s.status}${s.status === 'skipped' ? `: ${s.detail}` : ''}`),
    ).toEqual([
      'vm/web-1/vmid done',
      'vm/web-1/create done',
      'vm/web-1/configure skipped: the apply was cancelled',
      'vm/web-1/resize skipped: the apply was cancelled',
      'vm/web-1/start skipped: the apply was cancelled',
    ]);
    // web-3 waited for a slot on pve2 and never started.
    expect(result.vms.find((vm) => vm.name === 'web-3')?.steps.every((s) => s.status === 'skipped')).toBe(
      true,
    );
    expect(result.vms.some((vm) => vm.status === 'failed')).toBe(false);

    // A new plan shows what is left: VMs never created are created, web-1 (cloned, not configured) is finished.
    const created = (name: string) =>
      result.vms
        .find((vm) => vm.name === name)
        ?.steps.some((s) => s.step.endsWith('/create') && s.status === 'done');
    const after = await plan(pve, desired);
    expect(after.errors).toEqual([]);
    for (const name of names) {
      const action = after.actions.find((a) => a.name === name)?.action;
      expect(action, name).toBe(created(name) ? 'update' : 'create');
    }
    expect((await applyPlan(pve, after, fast)).ok).toBe(true);
    expect((await plan(pve, desired)).summary.unchanged).toBe(3);
    for (const name of names)
      expect(
        sim.state.guests.filter((g) => g.config.name === name),
        name,
      ).toHaveLength(1);
  });

  it('records the template of a VM it creates, and replaces the VM when the declared template changes', async () => {
    const { sim, pve } = await setup();
    const template = sim.state.guests.find((g) => g.vmid === 9000);
    if (!template) throw new Error('the simulator has no template 9000');
    // A newer image, as an operator would add one.
    sim.state.guests.push({
      ...structuredClone(template),
      vmid: 9001,
      config: {
        ...template.config,
        name: 'ubuntu-2604-cloud',
        scsi0: 'ceph-vm:base-9001-disk-0,iothread=1,size=4G',
      },
    });
    const worker = {
      ...web,
      name: 'app-1',
      template: 'ubuntu-2404-cloud',
      disks: [{ storage: 'ceph-vm', size: 10 }],
    };
    const first = hosts({ pve2: [worker, { ...web, name: 'fresh-1' }] });
    expect((await applyPlan(pve, await plan(pve, first), fast)).ok).toBe(true);
    const tagsOf = (name: string) =>
      sim.state.guests.find((g) => g.config.name === name)?.config.tags?.split(';') ?? [];
    expect(tagsOf('app-1')).toContain('skyy-template.ubuntu-2404-cloud');
    expect(tagsOf('fresh-1')).toContain('skyy-no-template');
    const oldVmid = sim.state.guests.find((g) => g.config.name === 'app-1')?.vmid;

    const second = hosts({
      pve2: [
        { ...worker, template: 'ubuntu-2604-cloud' },
        { ...web, name: 'fresh-1' },
      ],
    });
    expect((await plan(pve, second)).errors.map((e) => e.message)).toEqual([
      "VM 'app-1' must be replaced (cloned from template ubuntu-2404-cloud, declared template ubuntu-2604-cloud) but deleting is not allowed (pass allowDelete / --allow-delete)",
    ]);
    const replace = await plan(pve, second, { allowDelete: true });
    expect(replace.summary).toMatchObject({ replace: 1, unchanged: 1 });
    expect((await applyPlan(pve, replace, fast)).ok).toBe(true);
    const apps = sim.state.guests.filter((g) => g.config.name === 'app-1');
    expect(apps).toHaveLength(1);
    // Destroyed and cloned again (PVE may hand out the same VMID again).
    const tasks = sim.tasks.list('pve2').filter((t) => t.id === String(oldVmid));
    expect(tasks.map((t) => t.type)).toEqual(expect.arrayContaining(['qmdestroy']));
    expect(tagsOf('app-1')).toContain('skyy-template.ubuntu-2604-cloud');
    expect((await plan(pve, second, { allowDelete: true })).summary.unchanged).toBe(2);
  });

  it('with 10% faults, a run killed inside a create step resumes from its records without duplicates and converges', async () => {
    const { sim, pve } = await setup({ seed: 23 });
    sim.setFaults({ http5xxRate: 0.1, lockTimeoutRate: 0.1, taskFailureRate: 0.1, taskFailureEvery: 10 });
    const desired = hosts({
      pve1: [gpuWorker, { ...web, name: 'web-2' }],
      pve2: [web, db],
      pve3: [
        { ...web, name: 'web-3', template: 'ubuntu-2404-cloud', disks: [{ storage: 'ceph-vm', size: 10 }] },
      ],
    });
    const thePlan = await plan(pve, desired);
    expect(thePlan.summary.create).toBe(5);

    // The job's persisted steps. The process dies inside the first create step that succeeds:
    // the VM exists in PVE, but its result was never recorded; nothing runs or records afterwards.
    const recorded = new Map<string, unknown>();
    let killedIn: string | undefined;
    const killing: StepRunner = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      if (killedIn) throw new Error('killed');
      if (recorded.has(name)) return recorded.get(name) as T;
      const value = await fn();
      if (!killedIn && name.endsWith('/create')) killedIn = name;
      if (killedIn) throw new Error('killed');
      recorded.set(name, value);
      return value;
    };
    const killed = await applyPlan(pve, thePlan, { ...fast, stepAttempts: 6, runStep: killing });
    expect(killed.ok).toBe(false);
    expect(killedIn).toBeDefined();
    const killedVm = killedIn?.split('/')[1] ?? '';
    expect(sim.state.guests.filter((g) => g.config.name === killedVm)).toHaveLength(1);

    // Resumed runs of the same plan (as retries of the job), until every step is done.
    const resuming: StepRunner = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
      if (recorded.has(name)) return recorded.get(name) as T;
      const value = await fn();
      recorded.set(name, value);
      return value;
    };
    const details: string[] = [];
    let resumed = killed;
    for (let run = 0; run < 4 && !resumed.ok; run++) {
      resumed = await applyPlan(pve, thePlan, { ...fast, stepAttempts: 6, runStep: resuming });
      details.push(...resumed.vms.flatMap((vm) => vm.steps.map((st) => `${st.step}: ${st.detail ?? ''}`)));
    }
    expect(resumed.ok).toBe(true);
    sim.setFaults({});
    // The killed create step ran again and found the VM of the killed run instead of cloning twice.
    expect(details).toContainEqual(
      expect.stringMatching(new RegExp(`^${killedIn}: found VMID \\d+ from an earlier run$`)),
    );
    const after = await plan(pve, desired);
    expect(after.errors).toEqual([]);
    expect(after.summary.unchanged).toBe(5);
    for (const name of ['db-1', 'gpu-1', 'web-1', 'web-2', 'web-3'])
      expect(
        sim.state.guests.filter((g) => g.config.name === name),
        name,
      ).toHaveLength(1);
    expect(
      sim.state.guests.filter((g) => g.config.description?.startsWith('skyy-managed: creating')),
    ).toEqual([]);
  });

  it('refuses to apply a plan with errors', async () => {
    const { pve } = await setup();
    const bad = await plan(pve, hosts({ pve1: [{ ...web, template: 'missing' }] }));
    await expect(applyPlan(pve, bad)).rejects.toThrow(/the plan has 1 error/);
  });
});
