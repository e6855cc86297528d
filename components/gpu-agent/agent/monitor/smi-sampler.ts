import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { GpuReading } from '@skyy/contracts';
import type { ReadingFailure, ReadingSource, SourceListener } from './reading-source.ts';
import { CsvShapeError, parseQueryLine, readingFromRecord, SAMPLER_FIELDS } from './smi-csv.ts';
import { numberValue } from './smi-values.ts';

/**
 * ONE long-running `nvidia-smi --query-gpu=… --format=csv,noheader,nounits -lms <ms>` for all
 * GPUs, instead of a process per poll: nvidia-smi takes 50–300 ms to start on a busy host. Lines
 * are parsed as they arrive and grouped into one sample per loop (nvidia-smi prints every GPU
 * each interval; the `count` field says how many lines make one round).
 *
 * The process is restarted with exponential backoff when it exits, and killed and restarted
 * when it stops printing for `staleAfterIntervals` intervals (a hung driver call). Fields an
 * older nvidia-smi rejects are replaced by their old name or dropped, then it is started again.
 */

export interface SmiSamplerOptions {
  binary: string;
  intervalMs: number;
  env?: NodeJS.ProcessEnv;
  fields?: readonly string[];
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  staleAfterIntervals?: number;
  /** Extra time a fresh process gets for its first line (NVML init takes seconds on big hosts). Default 10 s. */
  startupGraceMs?: number;
}

export interface SamplerStatus {
  running: boolean;
  pid?: number;
  restarts: number;
  fields: string[];
  lastSampleAt?: Date;
  lastError?: string;
}

/** Names drivers before R535 use for fields the sampler asks for. */
const OLDER_NAMES: Readonly<Record<string, string>> = {
  'clocks_event_reasons.active': 'clocks_throttle_reasons.active',
  'clocks.current.graphics': 'clocks.gr',
  'clocks.current.sm': 'clocks.sm',
  'clocks.current.memory': 'clocks.mem',
};

/** Without these a line cannot be keyed or controlled; they are never dropped. */
const ESSENTIAL = new Set(['count', 'index', 'uuid', 'temperature.gpu']);

interface Batch {
  at: Date;
  expected: number;
  readings: GpuReading[];
  failures: ReadingFailure[];
  seen: Set<number>;
}

export class SmiSampler implements ReadingSource {
  readonly kind = 'nvidia-smi' as const;
  private child: ChildProcess | undefined;
  private listener: SourceListener | undefined;
  private fields: string[];
  private intervalMs: number;
  private batch: Batch | undefined;
  private stopping = false;
  private restarts = 0;
  private failuresInARow = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastLineAt = 0;
  private childHasPrinted = false;
  private lastSampleAt: Date | undefined;
  private lastError: string | undefined;
  private stderrTail = '';
  private fieldsChanged = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly options: SmiSamplerOptions) {
    this.fields = [...(options.fields ?? SAMPLER_FIELDS)];
    this.intervalMs = options.intervalMs;
  }

  start(listener: SourceListener): void {
    this.listener = listener;
    this.stopping = false;
    this.spawnChild();
    this.watchdog = setInterval(() => this.checkHung(), this.intervalMs);
  }

  status(): SamplerStatus {
    return {
      running: this.child !== undefined,
      ...(this.child?.pid !== undefined ? { pid: this.child.pid } : {}),
      restarts: this.restarts,
      fields: [...this.fields],
      ...(this.lastSampleAt ? { lastSampleAt: this.lastSampleAt } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  setInterval(intervalMs: number): void {
    if (intervalMs === this.intervalMs) return;
    this.intervalMs = intervalMs;
    if (this.watchdog) {
      clearInterval(this.watchdog);
      this.watchdog = setInterval(() => this.checkHung(), this.intervalMs);
    }
    // -lms is fixed per process: start a new one with the new interval right away.
    this.fieldsChanged = true;
    this.child?.kill('SIGTERM');
  }

  private spawnChild(): void {
    if (this.stopping) return;
    const args = [
      `--query-gpu=${this.fields.join(',')}`,
      '--format=csv,noheader,nounits',
      '-lms',
      String(Math.max(1, Math.round(this.intervalMs))),
    ];
    const child = spawn(this.options.binary, args, {
      env: this.options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.lastLineAt = Date.now();
    this.childHasPrinted = false;
    this.batch = undefined;
    this.stderrTail = '';
    let resolveExit: () => void = () => undefined;
    this.exited = new Promise((resolve) => (resolveExit = resolve));
    const fields = [...this.fields];
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line, fields));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    child.on('error', (error) => {
      this.report(`cannot run ${this.options.binary}: ${error.message}`);
    });
    child.on('close', (code, signal) => {
      resolveExit();
      if (this.child === child) this.child = undefined;
      if (this.stopping) return;
      this.flush();
      if (this.fieldsChanged) {
        this.fieldsChanged = false;
        this.spawnChild();
        return;
      }
      const why = this.stderrTail.trim().split('\n').pop() ?? '';
      this.report(`nvidia-smi exited (${signal ?? `code ${code}`})${why ? `: ${why}` : ''}`);
      this.scheduleRestart();
    });
  }

  private onLine(line: string, fields: readonly string[]): void {
    if (line.trim() === '') return;
    const invalid = /Field "(.+)" is not a valid field to query/.exec(line);
    if (invalid?.[1]) {
      this.replaceField(invalid[1]);
      return;
    }
    this.lastLineAt = Date.now();
    this.childHasPrinted = true;
    let reading: GpuReading | undefined;
    let count = 1;
    let failure: ReadingFailure | undefined;
    try {
      const record = parseQueryLine(line, fields);
      count = numberValue(record['count']) ?? 1;
      reading = readingFromRecord(record, new Date());
      if (!reading) {
        failure = { reason: `line without UUID or index: ${line.slice(0, 120)}` };
        const index = numberValue(record['index']);
        if (index !== undefined) failure.index = index;
      }
    } catch (error) {
      failure = {
        reason: error instanceof CsvShapeError ? `unparsable line: ${error.message}` : String(error),
      };
    }
    const index = reading?.index ?? failure?.index;
    if (this.batch && index !== undefined && this.batch.seen.has(index)) this.flush();
    this.batch ??= { at: new Date(), expected: count, readings: [], failures: [], seen: new Set() };
    if (index !== undefined) this.batch.seen.add(index);
    if (reading) this.batch.readings.push(reading);
    if (failure) this.batch.failures.push(failure);
    if (this.batch.readings.length + this.batch.failures.length >= this.batch.expected) this.flush();
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = undefined;
    if (!batch || (batch.readings.length === 0 && batch.failures.length === 0)) return;
    if (batch.readings.length > 0) {
      this.failuresInARow = 0;
      this.lastSampleAt = batch.at;
    }
    this.listener?.sample({ at: batch.at, readings: batch.readings, failures: batch.failures });
  }

  private replaceField(field: string): void {
    const index = this.fields.indexOf(field);
    if (index < 0) return;
    const older = OLDER_NAMES[field];
    if (older) this.fields[index] = older;
    else if (!ESSENTIAL.has(field)) this.fields.splice(index, 1);
    else {
      this.report(`nvidia-smi does not know the essential field ${field}`);
      return;
    }
    this.report(`nvidia-smi does not know ${field}; ${older ? `using ${older}` : 'dropped it'}`);
    this.fieldsChanged = true;
  }

  private checkHung(): void {
    if (!this.child || this.stopping) return;
    const silentMs = Date.now() - this.lastLineAt;
    const grace = this.childHasPrinted ? 0 : (this.options.startupGraceMs ?? 10_000);
    const limit = (this.options.staleAfterIntervals ?? 3) * this.intervalMs + grace;
    if (silentMs > limit) {
      this.report(
        `nvidia-smi printed nothing for ${Math.round(silentMs)} ms; killing it (pid ${this.child.pid})`,
      );
      this.lastLineAt = Date.now();
      this.child.kill('SIGKILL');
    }
  }

  private scheduleRestart(): void {
    if (this.stopping || this.restartTimer) return;
    const initial = this.options.initialBackoffMs ?? 500;
    const delay = Math.min(this.options.maxBackoffMs ?? 30_000, initial * 2 ** this.failuresInARow);
    this.failuresInARow++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.restarts++;
      this.spawnChild();
    }, delay);
  }

  private report(message: string): void {
    this.lastError = message;
    this.listener?.problem(message);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.watchdog = undefined;
    this.restartTimer = undefined;
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await this.exited;
    clearTimeout(killer);
  }
}
