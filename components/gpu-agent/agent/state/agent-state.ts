import type { ChassisState, GpuAgentEvent, GpuAgentGpuState, GpuAgentState } from '@skyy/contracts';
import type { EngineEvent } from '../controller/control-engine.ts';

/**
 * What the agent knows right now: the latest decisions per GPU (with their readings), recent
 * events, where readings and config come from, and whether readings are stale. `/state`,
 * `/metrics`, `/health` and the heartbeat to Skyy Command all read from here.
 */

const MAX_EVENTS = 200;

export class AgentState {
  gpus: GpuAgentGpuState[] = [];
  configSource: GpuAgentState['configSource'] = 'local';
  configLoadedAt: Date | undefined;
  lastSampleAt: Date | undefined;
  stale = false;
  /** The chassis fan controller's state, when one runs (agent/chassis/). */
  chassis: () => ChassisState | undefined = () => undefined;
  private readonly events: GpuAgentEvent[] = [];
  private readonly eventListeners: ((event: GpuAgentEvent) => void)[] = [];

  constructor(
    readonly host: string,
    readonly version: string,
    readonly mode: GpuAgentState['mode'],
    public source: GpuAgentState['source'],
  ) {}

  addEvent(event: EngineEvent, at: Date): GpuAgentEvent {
    const stored: GpuAgentEvent = { at: at.toISOString(), ...event };
    this.events.push(stored);
    if (this.events.length > MAX_EVENTS) this.events.splice(0, this.events.length - MAX_EVENTS);
    for (const listener of this.eventListeners) listener(stored);
    return stored;
  }

  onEvent(listener: (event: GpuAgentEvent) => void): void {
    this.eventListeners.push(listener);
  }

  recentEvents(limit = 50): GpuAgentEvent[] {
    return this.events.slice(-limit);
  }

  snapshot(): GpuAgentState {
    const chassis = this.chassis();
    return {
      host: this.host,
      version: this.version,
      mode: this.mode,
      source: this.source,
      configSource: this.configSource,
      ...(this.configLoadedAt ? { configLoadedAt: this.configLoadedAt.toISOString() } : {}),
      ...(this.lastSampleAt ? { lastSampleAt: this.lastSampleAt.toISOString() } : {}),
      stale: this.stale,
      gpus: this.gpus,
      ...(chassis ? { chassis } : {}),
      events: this.recentEvents(),
    };
  }
}
