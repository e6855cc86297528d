// Public surface for the backend and tools that embed or inspect the agent.
export { runAgent, type RunAgentOptions, type RunningAgent } from './agent/bootstrap/run-agent.ts';
export { parseGpuConfig, loadGpuConfigFile, BUNDLED_CONFIG } from './agent/config/load-config.ts';
export { effectiveConfig, type EffectiveGpuConfig } from './agent/config/effective-config.ts';
export { ControlEngine } from './agent/controller/control-engine.ts';
export { applyBandRule } from './agent/controller/band-rule.ts';
export { parseQueryOutput, readingFromRecord, SAMPLER_FIELDS } from './agent/monitor/smi-csv.ts';
export { parseQueryText } from './agent/monitor/smi-query-text.ts';
export { detectGpus, type DetectReport } from './utils/gpu-detect.ts';
