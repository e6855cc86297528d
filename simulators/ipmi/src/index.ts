export * from './model.ts';
export { statePath, STATE_ENV, withState, readState, writeState } from './state-store.ts';
export { runIpmitool } from './ipmitool-cli.ts';
export { runSensors, renderJson, renderText } from './sensors-cli.ts';
export type { CliIo } from '@skyy/sim-kit';
