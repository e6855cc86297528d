import type { ChassisConfig, ChassisState } from '@skyy/contracts';
import { isDeepStrictEqual } from 'node:util';
import { ChassisController, type ChassisControllerOptions } from './chassis-controller.ts';

/**
 * Follows the `chassis:` block through config reloads: an enabled block starts the controller,
 * a changed one reconfigures it (the level in force carries over), `enabled: false` or a removed
 * block stops it and gives the BMC its automatic mode back. GPU-only changes leave it alone.
 */

export type SupervisorOptions = Omit<ChassisControllerOptions, 'config'>;

export class ChassisSupervisor {
  private controller: ChassisController | undefined;
  private config: ChassisConfig | undefined;
  /** Reloads arrive from timers and the API: each waits for the one before. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: SupervisorOptions) {}

  apply(config: ChassisConfig | undefined): Promise<void> {
    this.queue = this.queue.then(() => this.switchTo(config?.enabled ? config : undefined));
    return this.queue;
  }

  private async switchTo(next: ChassisConfig | undefined): Promise<void> {
    if (isDeepStrictEqual(next, this.config)) return;
    this.config = next;
    if (!next) {
      const stopping = this.controller;
      this.controller = undefined;
      await stopping?.stop({ restore: true });
      return;
    }
    if (this.controller) {
      this.controller.reconfigure(next);
      return;
    }
    this.controller = new ChassisController({ ...this.options, config: next });
    this.controller.start();
  }

  state(): ChassisState | undefined {
    return this.controller?.state();
  }

  /** The running controller, for tests that drive it poll by poll. */
  get current(): ChassisController | undefined {
    return this.controller;
  }

  async stop(options: { restore?: boolean } = {}): Promise<void> {
    await this.queue;
    const stopping = this.controller;
    this.controller = undefined;
    this.config = undefined;
    await stopping?.stop(options);
  }
}
