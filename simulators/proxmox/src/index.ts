export {
  startProxmoxSimulator,
  type FaultOptions,
  type ProxmoxSimulator,
  type SimulatorOptions,
  type SimulatorStats,
} from './server.ts';
export {
  generateCluster,
  loadState,
  saveState,
  macFor,
  type GenerateOptions,
  type SimGuest,
  type SimNode,
  type SimState,
  type SimPciDevice,
  type SimStorage,
  type SimPciMapping,
} from './state.ts';
export { generateSelfSignedCertificate, fingerprintOf, type SelfSignedCertificate } from './tls.ts';
export type { SimTask } from './tasks.ts';
