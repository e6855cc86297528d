export {
  PfSenseSimulator,
  type SimulatorOptions,
  type LatencyOptions,
  type FaultOptions,
  type RequestRecord,
} from './server.ts';
export {
  defaultState,
  defaultInterfaces,
  loadStateFile,
  saveStateFile,
  type SimState,
  type SimObject,
  type SimInterface,
} from './state.ts';
export {
  loadReference,
  choicesOf,
  type PfSenseReference,
  type ReferenceEndpoint,
  type ReferenceField,
  type ReferenceModel,
  type HttpMethod,
} from './reference.ts';
export { generateSelfSignedCertificate, type SelfSignedCertificate } from './tls.ts';
export { versionAtLeast } from './firewall.ts';
