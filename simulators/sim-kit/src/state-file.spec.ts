import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scaledElapsedSec, StateFile, StateFileError, stateFilePath } from './state-file.ts';

interface Counter {
  count: number;
}

const counterFile = new StateFile<Counter>({
  parse: (raw) => {
    const count = (raw as { count?: unknown }).count;
    if (typeof count !== 'number') throw new Error('count: expected a number');
    return { count };
  },
  create: () => ({ count: 0 }),
});

/** Another process incrementing the same file `times` times, as a second fake tool would. */
function incrementIn(path: string, times: number): Promise<number | null> {
  const script = `
    const { StateFile } = await import(${JSON.stringify(new URL('./state-file.ts', import.meta.url).href)});
    const file = new StateFile({ parse: (raw) => raw, create: () => ({ count: 0 }) });
    for (let i = 0; i < ${times}; i++) file.update(${JSON.stringify(path)}, (s) => { s.count++; });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: 'inherit',
  });
  return new Promise((resolve) => child.on('exit', resolve));
}

describe('StateFile: one simulated host shared by separate processes', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sim-kit-'));
    path = join(dir, 'host', 'state.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a missing file as the default host and keeps what an update changed', () => {
    expect(counterFile.read(path)).toEqual({ count: 0 });
    expect(counterFile.update(path, (s) => ++s.count)).toBe(1);
    expect(counterFile.read(path)).toEqual({ count: 1 });
  });

  it('loses no update when two processes write at the same time', async () => {
    counterFile.write(path, { count: 0 });
    const exits = await Promise.all([incrementIn(path, 2000), incrementIn(path, 2000)]);
    expect(exits).toEqual([0, 0]);
    expect(counterFile.read(path).count).toBe(4000);
  }, 60_000);

  it('takes over a lock left by a process killed while holding it', () => {
    counterFile.write(path, { count: 5 });
    writeFileSync(`${path}.lock`, '');
    const old = new Date(Date.now() - 10_000);
    utimesSync(`${path}.lock`, old, old);
    expect(counterFile.update(path, (s) => ++s.count)).toBe(6);
  });

  it('rejects a file that does not parse, naming the problem', () => {
    writeFileSync(path.replace('host/state.json', 'bad.json'), '{"count":"x"}');
    expect(() => counterFile.read(join(dir, 'bad.json'))).toThrow('count: expected a number');
  });

  it('names the file and the way out when it is not JSON at all (a truncated or hand-edited file)', () => {
    const bad = join(dir, 'truncated.json');
    writeFileSync(bad, '{"count":');
    expect(() => counterFile.read(bad)).toThrow(StateFileError);
    expect(() => counterFile.read(bad)).toThrow(
      new RegExp(
        `^${bad.replaceAll('.', '\\.')} is not a valid simulator state \\(.*JSON.*\\); fix it, or delete it`,
      ),
    );
  });
});

describe('scaledElapsedSec and stateFilePath', () => {
  it('runs the model timeScale times faster than the wall clock, never more than an hour at once', () => {
    expect(scaledElapsedSec(1_000, 3_000, 10)).toBe(20);
    expect(scaledElapsedSec(5_000, 3_000, 10)).toBe(0);
    expect(scaledElapsedSec(0, 86_400_000, 1)).toBe(3600);
  });

  it('takes the path from the environment, else a folder in the temp dir', () => {
    expect(stateFilePath('SIM_STATE', 'skyy-sim-x', { SIM_STATE: '/x/s.json' })).toBe('/x/s.json');
    expect(stateFilePath('SIM_STATE', 'skyy-sim-x', {})).toBe(join(tmpdir(), 'skyy-sim-x', 'state.json'));
  });
});
