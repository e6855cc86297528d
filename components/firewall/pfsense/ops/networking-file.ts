import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { macAddressSchema } from '@skyy/contracts';
import type { DesiredEntry } from '../lib/desired.ts';
import { normalizeMac, parseIpv4 } from '../utils/net-utils.ts';
import type { Finding } from './findings.ts';

/**
 * Reads a networking file in the user's format (`ips:` list of `{public_ip, internal_ip, mac}`)
 * keeping the line of every entry and key, and checks each entry on its own: keys, IPv4 and MAC
 * formats. Unlike a plain schema parse it keeps going past a bad entry, so that one run reports
 * every problem of the file with its line.
 */

export interface NetworkingFileEntry {
  /** Position in `ips:`. */
  index: number;
  /** Line of the entry's first key. */
  line: number;
  /** Line of each key present. */
  keyLines: Record<string, number>;
  /** The entry as written (values as YAML gave them). */
  raw: Record<string, unknown>;
  /** Set when the entry is well-formed. */
  entry?: DesiredEntry;
}

export interface LoadedNetworkingFile {
  file: string;
  entries: NetworkingFileEntry[];
  findings: Finding[];
}

const REQUIRED = ['public_ip', 'internal_ip', 'mac'] as const;
const OPTIONAL = ['description', 'vip'] as const;
const KNOWN: readonly string[] = [...REQUIRED, ...OPTIONAL];

export function loadNetworkingFile(text: string, file: string): LoadedNetworkingFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (node: Node | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  const findings: Finding[] = [];
  const at = (line: number, entry?: number) => ({ file, line, ...(entry === undefined ? {} : { entry }) });

  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      findings.push({
        severity: 'error',
        code: 'yaml-syntax',
        message: error.message.split('\n')[0] ?? error.message,
        fix: 'Correct the YAML syntax (indentation, quotes, colons) at this line.',
        ...at(lineCounter.linePos(error.pos[0]).line),
      });
    }
    return { file, entries: [], findings };
  }

  const root = doc.contents;
  const ips = isMap(root) ? root.get('ips', true) : undefined;
  if (!isMap(root) || (ips !== undefined && ips !== null && !isSeq(ips))) {
    findings.push({
      severity: 'error',
      code: 'file-shape',
      message: 'The file must be a map with an `ips:` list.',
      fix: 'Start the file with `ips:` followed by entries like `- public_ip: …`, `internal_ip: …`, `mac: "…"`.',
      ...at(lineOf(isMap(root) && isSeq(ips) ? ips : (root as Node | null))),
    });
    return { file, entries: [], findings };
  }
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (key !== 'ips') {
      findings.push({
        severity: 'error',
        code: 'unknown-key',
        message: `Unknown top-level key \`${key}\`.`,
        fix: 'Only `ips:` belongs at the top of a networking file; remove or rename this key.',
        ...at(lineOf(pair.key as Node)),
      });
    }
  }

  const entries: NetworkingFileEntry[] = [];
  const items = isSeq(ips) ? ips.items : [];
  items.forEach((item, index) => {
    const line = lineOf(item as Node);
    if (!isMap(item)) {
      findings.push({
        severity: 'error',
        code: 'file-shape',
        message: `Entry ${index + 1} is not a map of public_ip, internal_ip and mac.`,
        fix: 'Write the entry as `- public_ip: …` with `internal_ip:` and `mac:` below it.',
        ...at(line, index),
      });
      return;
    }
    const raw: Record<string, unknown> = {};
    const keyLines: Record<string, number> = {};
    for (const pair of item.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      keyLines[key] = lineOf(pair.key as Node);
      raw[key] = isScalar(pair.value) ? pair.value.value : (pair.value as Node | null)?.toJSON();
    }
    const first = Math.min(...Object.values(keyLines), line);
    entries.push({
      index,
      line: first,
      keyLines,
      raw,
      ...checkEntry(file, index, first, raw, keyLines, findings),
    });
  });
  return { file, entries, findings };
}

function checkEntry(
  file: string,
  index: number,
  line: number,
  raw: Record<string, unknown>,
  keyLines: Record<string, number>,
  findings: Finding[],
): { entry?: DesiredEntry } {
  const before = findings.length;
  const where = (key?: string) => ({ file, line: (key && keyLines[key]) || line, entry: index });

  for (const key of Object.keys(raw)) {
    if (KNOWN.includes(key)) continue;
    const suggestion = closest(key, KNOWN);
    findings.push({
      severity: 'error',
      code: 'unknown-key',
      message: `Unknown key \`${key}\`.`,
      fix: suggestion ? `Did you mean \`${suggestion}\`? Rename the key.` : `Use only ${KNOWN.join(', ')}.`,
      ...where(key),
    });
  }
  for (const key of REQUIRED) {
    if (raw[key] === undefined || raw[key] === null || raw[key] === '') {
      findings.push({
        severity: 'error',
        code: 'missing-key',
        message: `Entry has no \`${key}\`.`,
        fix: `Add \`${key}:\` to this entry.`,
        ...where(),
      });
    }
  }

  for (const key of ['public_ip', 'internal_ip'] as const) {
    const value = raw[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string' || parseIpv4(value) === null) {
      findings.push({
        severity: 'error',
        code: 'malformed-ip',
        message: `\`${key}\` is \`${String(value)}\`, not an IPv4 address.`,
        fix: 'Write four numbers from 0 to 255 separated by dots, e.g. 38.247.82.2.',
        ...where(key),
      });
    }
  }

  let mac: string | null = null;
  if (raw.mac !== undefined && raw.mac !== null && raw.mac !== '') {
    // The contracts schema decides what is a MAC (the same answer `skyy validate` gives).
    mac = macAddressSchema.safeParse(raw.mac).success ? normalizeMac(String(raw.mac)) : null;
    if (mac === null) {
      findings.push({
        severity: 'error',
        code: 'malformed-mac',
        message: `\`mac\` is \`${String(raw.mac)}\`, not a MAC address.`,
        fix: 'Write six hex pairs separated by colons and quote it, e.g. mac: "02:00:2e:8c:5e:78".',
        ...where('mac'),
      });
    }
  }
  if (raw.description !== undefined && typeof raw.description !== 'string') {
    findings.push({
      severity: 'error',
      code: 'file-shape',
      message: '`description` must be text.',
      fix: 'Quote the description.',
      ...where('description'),
    });
  }
  if (raw.vip !== undefined && typeof raw.vip !== 'boolean') {
    findings.push({
      severity: 'error',
      code: 'file-shape',
      message: '`vip` must be true or false.',
      fix: 'Write `vip: false` to skip the VIP for this address, or remove the key.',
      ...where('vip'),
    });
  }

  if (findings.length > before || mac === null) return {};
  return {
    entry: {
      publicIp: String(raw.public_ip),
      internalIp: String(raw.internal_ip),
      mac,
      ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
      vip: raw.vip !== false,
      source: { file, line },
    },
  };
}

/** The known key within two edits of a misspelt one, if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(key.toLowerCase(), name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
