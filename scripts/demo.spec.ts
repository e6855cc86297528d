import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gpuAgentListSchema, gpuConfigSchema, gpuFleetSchema, type GpuFleet } from '@skyy/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { USER_GPU_CONFIG } from './demo/gpu-agents.ts';
import { startDemo, type Demo } from './demo/start-demo.ts';

/**
 * `npm run demo` shows simulated GPUs live: the real agents' heartbeats reach the console's API
 * within seconds, the loaded GPU heats up, and stopping leaves no process behind.
 */

const demoScript = fileURLToPath(new URL('./demo.ts', import.meta.url));

/** Every process below `pid` (children, grandchildren, …), from one `ps` listing. */
function descendants(pid: number): { pid: number; args: string }[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .flatMap((line) => {
      const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
      // Leaves out this very listing.
      return match && !match[3]?.startsWith('ps -eo')
        ? [{ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] ?? '' }]
        : [];
    });
  const found: { pid: number; args: string }[] = [];
  const parents = [pid];
  for (let parent = parents.shift(); parent !== undefined; parent = parents.shift()) {
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push({ pid: row.pid, args: row.args });
      parents.push(row.pid);
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Signs in over HTTP as the console does; returns a GET that parses with a contract schema. */
async function signIn(url: string, password: string) {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .join('; ');
  return async <T>(route: string, schema: { parse(value: unknown): T }): Promise<T> => {
    const response = await fetch(`${url}${route}`, { headers: { cookie } });
    if (!response.ok) throw new Error(`GET ${route}: ${response.status}`);
    return schema.parse(await response.json());
  };
}

describe('npm run demo: simulated GPUs', () => {
  const dirs: string[] = [];
  let demo: Demo | undefined;
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skyy-demo-'));
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    await demo?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('shows both hosts’ GPUs with live readings, the user’s config and the chassis, then stops every process', async () => {
    const before = new Set(descendants(process.pid).map((p) => p.pid));
    const agentLines: string[] = [];
    demo = await startDemo({
      dataDir: tempDir(),
      port: 0,
      host: '127.0.0.1',
      agentLog: (line) => agentLines.push(line),
    });
    const get = await signIn(demo.url, demo.password);

    const fleet = await until(
      'every simulated GPU with a reading',
      async () => {
        const answer = await get('/api/v1/gpus', gpuFleetSchema);
        const read = answer.items.filter((g) => g.temperatureC !== null && g.agent !== null);
        return read.length === 6 ? answer : undefined;
      },
      60_000,
    );
    const perHost = (f: GpuFleet) =>
      Object.fromEntries(
        ['puma-proxmox-005', 'puma-proxmox-006'].map((host) => [
          host,
          f.items.filter((g) => g.host === host).map((g) => g.name),
        ]),
      );
    expect(perHost(fleet)).toEqual({
      'puma-proxmox-005': Array(2).fill('NVIDIA GeForce RTX 2080 SUPER'),
      'puma-proxmox-006': Array(4).fill('NVIDIA GeForce RTX 4080 SUPER'),
    });
    expect(new Set(fleet.items.map((g) => g.uuid)).size).toBe(6);
    for (const gpu of fleet.items) {
      expect(gpu.agent).toMatchObject({ mode: 'dry-run', configSource: 'server', stale: false });
      expect(gpu.fanDecisions.length).toBeGreaterThan(0);
    }

    // Live: the GPU under full load heats up while one watches.
    const loaded = (f: GpuFleet) =>
      f.items.find((g) => g.host === 'puma-proxmox-006' && g.index === 0)?.temperatureC ?? null;
    const first = loaded(fleet) ?? 0;
    await until(
      'the loaded GPU to get hotter',
      async () => {
        const now = loaded(await get('/api/v1/gpus', gpuFleetSchema));
        return now !== null && now >= first + 2 ? now : undefined;
      },
      60_000,
    );

    const config = await get('/api/v1/gpus/config', gpuConfigSchema);
    expect(config.yaml).toBe(readFileSync(USER_GPU_CONFIG, 'utf8'));

    const agents = await get('/api/v1/gpu-agents', gpuAgentListSchema);
    const chassisHost = agents.items.find((a) => a.host === 'puma-proxmox-005');
    expect(chassisHost?.chassis?.status).toBe('ok');
    expect(chassisHost?.chassis?.zones.map((z) => z.zone)).toEqual(['0x00', '0x01']);
    expect(agents.items.find((a) => a.host === 'puma-proxmox-006')?.chassis).toBeNull();

    const simulators = descendants(process.pid).filter((p) => !before.has(p.pid));
    expect(simulators.filter((p) => p.args.includes('nvidia-smi')).length).toBe(2);
    await demo.stop();
    demo = undefined;
    const left = descendants(process.pid).filter((p) => !before.has(p.pid));
    expect(left).toEqual([]);
    expect(simulators.filter((p) => alive(p.pid))).toEqual([]);
    expect(agentLines.filter((line) => /heartbeat|failed/i.test(line))).toEqual([]);
  }, 180_000);

  it('Ctrl-C ends the script with exit 0 and leaves no child process behind', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', demoScript], {
      env: { ...process.env, SKYY_DEMO_DIR: tempDir(), PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(
        'the demo summary',
        async () => (output.includes('Ctrl-C stops') ? true : undefined),
        90_000,
      );
      expect(output).toMatch(/GPUs +http:\/\/127\.0\.0\.1:\d+\/gpus/);
      expect(output).toMatch(/puma-proxmox-005 +2 × NVIDIA GeForce RTX 2080 SUPER/);
      expect(output).toMatch(/puma-proxmox-006 +4 × NVIDIA GeForce RTX 4080 SUPER/);
      const running = descendants(child.pid ?? -1);
      expect(running.filter((p) => p.args.includes('nvidia-smi')).length).toBe(2);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      // Orphans would have been handed to init: look for each process by its id. Some end a moment
      // after the demo (tsx's esbuild service notices its closed pipe), so give them a few seconds.
      await until(
        "the demo's processes to end",
        async () => (running.some((p) => alive(p.pid)) ? undefined : true),
        10_000,
      ).catch(() => undefined);
      expect(running.filter((p) => alive(p.pid))).toEqual([]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
