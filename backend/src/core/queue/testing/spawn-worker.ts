import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { DatabaseOptions } from '../../database/database.ts';
import type { QueueSettings } from '../job-types.ts';

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves once the worker is up and taking jobs. */
  ready: Promise<void>;
  /** SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill. */
  kill(): Promise<void>;
}

/** Starts testing/worker-process.ts as a separate Node process. */
export function spawnWorker(spec: {
  database: Partial<DatabaseOptions> & { dataDir: string };
  redisUrl?: string;
  queue: Partial<QueueSettings>;
}): WorkerProcess {
  const script = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, SKYY_TEST_WORKER: JSON.stringify(spec), LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) resolve();
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`worker process exited early (${code ?? signal}): ${stderr.slice(-2000)}`)),
    );
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
