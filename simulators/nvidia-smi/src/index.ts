export * from './captures.ts';
export * from './model.ts';
export * from './presets.ts';
export * from './sim-host.ts';
export { statePath, STATE_ENV, withState, readState, writeState } from './state-store.ts';
export { runNvidiaSmi, type CliIo } from './nvidia-smi-cli.ts';
export { runNvidiaSettings } from './nvidia-settings-cli.ts';
