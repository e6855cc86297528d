import type { Logger } from '../../utils/logger.ts';

/** What one request for the server config came to, as far as the loop's timing cares. */
export interface PollResult {
  /** Unreachable, 5xx, token refused, or a 404 the server did not hold: worth backing off. */
  failed: boolean;
  /** The server said it holds requests (`skyy-config-wait-max`): ask again at once. */
  serverWaits: boolean;
}

export interface PollLoopOptions {
  /** Between requests to a server that does not hold them (old servers), and the most a backoff grows to. */
  intervalMs: number;
  /** Never two requests closer than this: a server answering at once (a duplicate agent) cannot spin the loop. */
  minGapMs?: number;
  /** The first retry after a failure; doubles up to `intervalMs`. */
  firstBackoffMs?: number;
  log: Logger;
}

export interface PollLoopState {
  failures: number;
  mode: 'push' | 'interval' | undefined;
}

/**
 * How long to wait before the next request. Pure, so the table of cases is tested directly.
 * A server that holds requests answers when something changed or its wait ended: ask again right
 * away. One that answers at once is asked every `intervalMs`, as agents always did.
 */
export function nextDelayMs(
  result: PollResult,
  elapsedMs: number,
  state: PollLoopState,
  options: PollLoopOptions,
): number {
  if (result.failed) {
    state.failures += 1;
    const backoff = (options.firstBackoffMs ?? 1_000) * 2 ** (state.failures - 1);
    return Math.min(options.intervalMs, backoff);
  }
  state.failures = 0;
  if (result.serverWaits) return Math.max(0, (options.minGapMs ?? 1_000) - elapsedMs);
  return options.intervalMs;
}

/**
 * Asks the server for its config over and over until `signal` aborts: a long-poll where the server
 * supports it (changes arrive in about a second, over the agent's own outbound connection, so no
 * port is opened on the GPU host), else a poll every `intervalMs`.
 */
export async function runPollLoop(
  poll: (signal: AbortSignal) => Promise<PollResult>,
  options: PollLoopOptions,
  signal: AbortSignal,
): Promise<void> {
  const state: PollLoopState = { failures: 0, mode: undefined };
  while (!signal.aborted) {
    const startedAt = Date.now();
    let result: PollResult;
    try {
      result = await poll(signal);
    } catch (error) {
      // poll() reports server trouble as a result; anything thrown is a bug, which must not end the loop.
      options.log.error('config poll failed', { error: (error as Error).message });
      result = { failed: true, serverWaits: false };
    }
    if (signal.aborted) return;
    if (!result.failed) {
      const mode = result.serverWaits ? 'push' : 'interval';
      if (mode !== state.mode)
        options.log.info(
          mode === 'push'
            ? 'config: the server pushes changes (long-poll)'
            : `config: the server does not hold requests; asking every ${options.intervalMs / 1000} s`,
        );
      state.mode = mode;
    }
    await sleep(nextDelayMs(result, Date.now() - startedAt, state, options), signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    // Like the interval it replaces: waiting alone does not keep the process alive.
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
