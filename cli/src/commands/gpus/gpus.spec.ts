import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { GpuFleet } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentState, gpuConfigYaml } from '../../../../backend/src/app/gpus/testing/gpu-state.ts';
import { testDatabases } from '../../../../backend/test/test-databases.ts';
import {
  adminLoggedIn,
  cliFor,
  startCliTestServer,
  type CliTestServer,
} from '../../testing/cli-test-server.ts';

const UUID = 'GPU-5eed0000-0000-4000-8000-00000000000a';

describe.each(testDatabases())('skyy gpus on %s', (dialect) => {
  let t: CliTestServer;
  let skyy: ReturnType<typeof cliFor>;
  const file = (name: string, text: string) => writeFileSync(path.join(t.workDir, name), text);

  beforeAll(async () => {
    t = await startCliTestServer(dialect);
    skyy = cliFor(t);
    await adminLoggedIn(t);
  });
  afterAll(() => t.close());

  it('writes a host’s agent token to a private file, and refuses a second one for the same host', async () => {
    const run = await skyy(['gpus', 'token', 'gpu-cli-host', '--out', 'agent.token']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const tokenFile = path.join(t.workDir, 'agent.token');
    expect(readFileSync(tokenFile, 'utf8')).toMatch(/^skyyga_[A-Za-z0-9_-]+\n$/);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const again = await skyy(['gpus', 'token', 'gpu-cli-host']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^skyy: 409 Conflict: Host gpu-cli-host already has an agent token/);
  });

  it('prints each problem of an invalid config at its file, line and column, and saves nothing', async () => {
    file('bad.yaml', gpuConfigYaml({ shutdownTemp: 900 }));
    const run = await skyy(['gpus', 'config', 'set', 'bad.yaml', '--host', 'gpu-cli-host']);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toMatch(/^bad\.yaml:4:3: protection\.shutdown_temp: /);
    const get = await skyy(['gpus', 'config', 'get', '--host', 'gpu-cli-host']);
    expect(get.code).toBe(1);
    expect(get.stderr).toBe(
      'skyy: no GPU config is stored for gpu-cli-host and no fleet default either — store one with `skyy gpus config set <gpu_config.yaml> --host gpu-cli-host`\n',
    );
    const fleet = await skyy(['gpus', 'config', 'get']);
    expect(fleet.code).toBe(1);
    expect(fleet.stderr).toBe(
      'skyy: no fleet default GPU config is stored yet — store one with `skyy gpus config set <gpu_config.yaml>`\n',
    );
  });

  it('stores the fleet default, which a host without its own then gets', async () => {
    file('fleet.yaml', gpuConfigYaml({ shutdownTemp: 86 }));
    const set = await skyy(['gpus', 'config', 'set', 'fleet.yaml']);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    const get = await skyy(['gpus', 'config', 'get', '--host', 'gpu-cli-host']);
    expect(get.stdout).toBe(gpuConfigYaml({ shutdownTemp: 86 }));
  });

  it('lists the GPUs the agent reported, with their temperature and agent mode', async () => {
    const token = readFileSync(path.join(t.workDir, 'agent.token'), 'utf8').trim();
    const res = await fetch(`${t.url}/api/v1/gpu-agents/gpu-cli-host/heartbeat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(agentState('gpu-cli-host', [{ uuid: UUID, temperatureC: 63, fanPct: 55 }])),
    });
    expect(res.status).toBe(204);
    const table = await skyy(['gpus', 'list']);
    expect(table.code).toBe(0);
    const line = table.stdout.split('\n').find((l) => l.startsWith('gpu-cli-host'));
    expect(line).toMatch(
      /gpu-cli-host\s+0\s+NVIDIA GeForce RTX 4080 SUPER\s+ok\s+63 °C\s+55%\s+200\/320 W\s+90%\s+dry-run/,
    );
    const json = await skyy(['gpus', 'list', '--host', 'gpu-cli-host', '-o', 'json']);
    expect(json.json<GpuFleet>().items.map((g) => [g.uuid, g.temperatureC])).toEqual([[UUID, 63]]);
  });
});
