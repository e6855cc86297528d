import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile } from '../../utils/package-files.ts';
import {
  formatYamlIssue,
  gpuAgentConfigSchema,
  parseYamlWith,
  type GpuAgentConfig,
  type YamlIssue,
} from '@skyy/contracts';

/** gpu_config.yaml text → validated config, or every problem with its key and line. */

export type ConfigResult = { ok: true; config: GpuAgentConfig } | { ok: false; issues: YamlIssue[] };

/** local_config/gpu_config.yaml shipped with the agent: the last fallback. */
export const BUNDLED_CONFIG = packageFile(join('local_config', 'gpu_config.yaml'));

export function parseGpuConfig(text: string, file: string): ConfigResult {
  const result = parseYamlWith(gpuAgentConfigSchema, text, file);
  return result.ok ? { ok: true, config: result.value } : { ok: false, issues: result.issues };
}

export function loadGpuConfigFile(path: string): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      issues: [{ file: path, line: 0, column: 0, path: '', message: (error as Error).message }],
    };
  }
  return parseGpuConfig(text, path);
}

export class ConfigError extends Error {
  constructor(readonly issues: YamlIssue[]) {
    super(issues.map(formatYamlIssue).join('\n'));
    this.name = 'ConfigError';
  }
}

/** The config or a ConfigError listing every issue as `file:line:column: key: message`. */
export function requireConfig(result: ConfigResult): GpuAgentConfig {
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}
