import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  formatYamlIssue,
  gpuAgentConfigSchema,
  parseYamlWith,
  type GpuAgentConfig,
  type YamlIssue,
} from '@skyy/contracts';

/** gpu_config.yaml text → validated config, or every problem with its key and line. */

export type ConfigResult = { ok: true; config: GpuAgentConfig } | { ok: false; issues: YamlIssue[] };

export const BUNDLED_CONFIG = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'local_config',
  'gpu_config.yaml',
);

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
