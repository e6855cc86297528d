export * from './captures.ts';
export * from './model.ts';
export * from './presets.ts';
export * from './sim-host.ts';
export { statePath, STATE_ENV, withState, readState, writeState } from './state-store.ts';
export { runNvidiaSmi } from './nvidia-smi-cli.ts';
export type { CliIo } from '@skyy/sim-kit';
export { runNvidiaSettings } from './nvidia-settings-cli.ts';
