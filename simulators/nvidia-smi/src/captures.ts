import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Real nvidia-smi output recorded on GPU hosts (nvidia_gpu_exporter's capture format): a header,
 * then sections introduced by `# <phase> :: <title>` and `# $ <command>` between rows of `#`.
 * The simulator answers `-q` from them; the agent's parser tests run over every section.
 */

export interface CaptureSection {
  /** `capabilities`, `idle` or `load`. */
  phase: string;
  title: string;
  /** The command that produced the body, e.g. `nvidia-smi -q`; absent for derived sections. */
  command?: string;
  body: string;
}

export interface Capture {
  file: string;
  /** From the file name: `nvidia-geforce-rtx-2080-super`. */
  model: string;
  driverVersion: string;
  sections: CaptureSection[];
}

export const CAPTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'captures');

export function captureFiles(dir = CAPTURES_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .map((name) => join(dir, name));
}

export function readCapture(file: string): Capture {
  const name = file.split('/').pop() ?? file;
  // <os>-<arch>__<model>__<driver>.txt; the arch itself may hold one underscore (x86_64).
  const [, model = 'unknown', driver = 'unknown'] = name.replace(/\.txt$/, '').split('__');
  return { file, model, driverVersion: driver, sections: parseCapture(readFileSync(file, 'utf8')) };
}

const RULE = /^#{20,}$/;

export function parseCapture(text: string): CaptureSection[] {
  const lines = text.split('\n');
  const sections: CaptureSection[] = [];
  let i = 0;
  while (i < lines.length) {
    const heading = /^# (\S+) :: (.+)$/.exec(lines[i] ?? '');
    if (!heading || !RULE.test(lines[i - 1] ?? '')) {
      i++;
      continue;
    }
    const commandLine = /^# \$ (.*)$/.exec(lines[i + 1] ?? '');
    let start = i + 1;
    while (start < lines.length && !RULE.test(lines[start] ?? '')) start++;
    start++;
    let end = start;
    while (end < lines.length && !(RULE.test(lines[end] ?? '') && /^# \S+ :: /.test(lines[end + 1] ?? '')))
      end++;
    sections.push({
      phase: heading[1] ?? '',
      title: (heading[2] ?? '').trim(),
      ...(commandLine ? { command: (commandLine[1] ?? '').trim() } : {}),
      body: lines.slice(start, end).join('\n').replace(/\n+$/, '\n'),
    });
    i = end;
  }
  return sections;
}

/** The first section whose command starts with `prefix` in `phase`. */
export function findSection(
  capture: Capture,
  phase: string,
  commandPrefix: string,
): CaptureSection | undefined {
  return capture.sections.find(
    (section) => section.phase === phase && (section.command ?? '').startsWith(commandPrefix),
  );
}
