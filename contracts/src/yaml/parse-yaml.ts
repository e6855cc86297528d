import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';

/** One problem found in a YAML file, located as precisely as the document allows. */
export interface YamlIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted key path, e.g. `settings.storage.ceph.osd_devices[1]`; empty for syntax errors. */
  path: string;
  message: string;
}

export type YamlParseResult<T> = { ok: true; value: T } | { ok: false; issues: YamlIssue[] };

/** `file:line:column: path: message`, the form editors and terminals turn into links. */
export function formatYamlIssue(issue: YamlIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * Parses YAML text and validates it with a zod schema, reporting every problem with the
 * line and column of the offending key (or of its nearest existing parent when the key is missing).
 */
export function parseYamlWith<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
): YamlParseResult<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => {
        const pos = at(error.pos[0]);
        return { file, line: pos.line, column: pos.col, path: '', message: firstLine(error.message) };
      }),
    };
  }

  const result = schema.safeParse(doc.toJS() ?? {});
  if (result.success) return { ok: true, value: result.data };

  return {
    ok: false,
    issues: result.error.issues.flatMap((issue) => {
      // An unknown key is located at the key itself, one issue per key, so each typo gets its line.
      const paths =
        issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
      return paths.map((path) => {
        const pos = at(offsetOfPath(doc, path));
        const message =
          issue.code === 'unrecognized_keys' ? 'unknown key (check the spelling)' : issue.message;
        return { file, line: pos.line, column: pos.col, path: formatPath(path), message };
      });
    }),
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Offset of the deepest node that exists along `path`: the key itself when present. */
function offsetOfPath(doc: Document, path: readonly PropertyKey[]): number {
  for (let depth = path.length; depth > 0; depth--) {
    const prefix = path.slice(0, depth).map((key) => (typeof key === 'symbol' ? String(key) : key));
    const parentPath = prefix.slice(0, -1);
    const key = prefix[prefix.length - 1];
    const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
    // Point at the key of a map pair (where the eye looks), else at the value node.
    if (isNode(parent) && 'items' in parent && Array.isArray(parent.items)) {
      for (const item of parent.items as unknown[]) {
        if (item && typeof item === 'object' && 'key' in item) {
          const pairKey = (item as { key: unknown }).key;
          if (isNode(pairKey) && 'value' in pairKey && pairKey.value === key && pairKey.range) {
            return pairKey.range[0];
          }
        }
      }
    }
    const node = doc.getIn(prefix, true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return isNode(doc.contents) && doc.contents.range ? doc.contents.range[0] : 0;
}
