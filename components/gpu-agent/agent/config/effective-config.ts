import type {
  FanControlConfig,
  GpuAgentConfig,
  GpuOverride,
  PowerControlConfig,
  StartupConfig,
} from '@skyy/contracts';

/**
 * The settings that apply to one GPU: `defaults`, then every `gpus[]` entry that matches it, from
 * the least to the most specific (model, then index, then UUID), later entries of the same kind
 * winning. Indexes can change at boot, so UUID entries are the stable way to pin a card.
 */

export interface GpuIdentity {
  uuid: string;
  index: number;
  name?: string;
}

export type FanRule = Required<FanControlConfig>;
export type PowerRule = Required<PowerControlConfig>;

export interface EffectiveGpuConfig {
  /** false: read and report, never write. */
  control: boolean;
  fan: FanRule;
  power: PowerRule;
  startup: StartupConfig;
  /** Which entries applied, for /state and logs: `defaults`, `model "4080"`, `index 0`, `uuid GPU-…`. */
  matchedBy: string[];
}

export const DEFAULT_HYSTERESIS_C = 2;

function matches(entry: GpuOverride, gpu: GpuIdentity): string | undefined {
  if (entry.uuid !== undefined)
    return entry.uuid.toLowerCase() === gpu.uuid.toLowerCase() ? `uuid ${entry.uuid}` : undefined;
  if (entry.index !== undefined) return entry.index === gpu.index ? `index ${entry.index}` : undefined;
  if (entry.model !== undefined && gpu.name) {
    return gpu.name.toLowerCase().includes(entry.model.toLowerCase()) ? `model "${entry.model}"` : undefined;
  }
  return undefined;
}

const SPECIFICITY = (entry: GpuOverride) =>
  entry.uuid !== undefined ? 2 : entry.index !== undefined ? 1 : 0;

export function effectiveConfig(config: GpuAgentConfig, gpu: GpuIdentity): EffectiveGpuConfig {
  const applied = config.gpus
    .map((entry, order) => ({ entry, order, label: matches(entry, gpu) }))
    .filter((m): m is { entry: GpuOverride; order: number; label: string } => m.label !== undefined)
    .sort((a, b) => SPECIFICITY(a.entry) - SPECIFICITY(b.entry) || a.order - b.order);

  let fan: FanControlConfig = { ...config.defaults.fan_control };
  let power: PowerControlConfig = { ...config.defaults.power_control };
  let startup: StartupConfig = { ...config.defaults.startup };
  let control = true;
  for (const { entry } of applied) {
    fan = { ...fan, ...entry.fan_control };
    power = { ...power, ...entry.power_control };
    startup = { ...startup, ...entry.startup };
    if (entry.control !== undefined) control = entry.control;
  }
  return {
    control,
    fan: { hysteresis: DEFAULT_HYSTERESIS_C, floor: 0, ...fan },
    power: { unit: 'percent', hysteresis: DEFAULT_HYSTERESIS_C, ...power },
    startup,
    matchedBy: ['defaults', ...applied.map((m) => m.label)],
  };
}

/** Temperature of the warning stage: protection.warning_temp, else 5 °C below shutdown_temp. */
export function warningTemp(config: GpuAgentConfig): number {
  return config.protection.warning_temp ?? config.protection.shutdown_temp - 5;
}

/** The action at shutdown_temp; `shutdown` only ever when enable_auto_shutdown is true. */
export function shutdownAction(config: GpuAgentConfig): 'alert' | 'stop_workloads' | 'shutdown' {
  const { action, enable_auto_shutdown } = config.protection;
  if (action === 'shutdown' || action === undefined) return enable_auto_shutdown ? 'shutdown' : 'alert';
  return action;
}
