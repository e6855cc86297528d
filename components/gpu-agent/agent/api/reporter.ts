import type { GpuAgentState } from '@skyy/contracts';
import type { Logger } from '../../utils/logger.ts';

/**
 * Heartbeats to Skyy Command: the agent's /state, POSTed to
 * `<server>/api/v1/gpu-agents/<host>/heartbeat` with the agent token. Failures are logged once
 * per distinct reason and never affect control.
 */

export interface ReporterOptions {
  url: string;
  host: string;
  token?: string;
  intervalMs: number;
  state: () => GpuAgentState;
  log: Logger;
  fetch?: typeof fetch;
  /** How often to look for the first reading after start (default 200 ms). */
  firstCheckMs?: number;
}

export function heartbeatUrl(url: string, host: string): string {
  return `${url.replace(/\/+$/, '')}/api/v1/gpu-agents/${encodeURIComponent(host)}/heartbeat`;
}

export class Reporter {
  private timer: NodeJS.Timeout | undefined;
  private firstTimer: NodeJS.Timeout | undefined;
  private lastProblem: string | undefined;

  constructor(private readonly options: ReporterOptions) {}

  /**
   * Heartbeats every interval, and the first one as soon as the agent has something to say:
   * until then Skyy Command shows the agent as never-seen, which used to last a whole interval.
   */
  start(): void {
    this.timer = setInterval(() => void this.send(), this.options.intervalMs);
    this.timer.unref();
    this.firstTimer = setInterval(() => {
      if (hasSomethingToSay(this.options.state())) void this.send();
    }, this.options.firstCheckMs ?? 200);
    this.firstTimer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.stopWaitingForFirst();
  }

  private stopWaitingForFirst(): void {
    if (this.firstTimer) clearInterval(this.firstTimer);
    this.firstTimer = undefined;
  }

  /** One heartbeat; returns whether the server accepted it. */
  async send(): Promise<boolean> {
    // Whichever goes first (first reading, interval, a caller) is the first heartbeat.
    this.stopWaitingForFirst();
    const url = heartbeatUrl(this.options.url, this.options.host);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.token) headers['authorization'] = `Bearer ${this.options.token}`;
    let problem: string | undefined;
    try {
      const response = await (this.options.fetch ?? fetch)(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(this.options.state()),
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) problem = `HTTP ${response.status}`;
    } catch (error) {
      problem = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    }
    if (problem && problem !== this.lastProblem)
      this.options.log.warn(`heartbeat to ${url} failed: ${problem}`);
    if (!problem && this.lastProblem) this.options.log.info(`heartbeats to ${url} work again`);
    this.lastProblem = problem;
    return problem === undefined;
  }
}

/**
 * The first reading has been through the control step (its GPUs, even failed ones, are in the
 * state), or the host has no GPU to wait for (chassis fans only).
 */
function hasSomethingToSay(state: GpuAgentState): boolean {
  return state.gpus.length > 0 || state.source === 'none';
}
