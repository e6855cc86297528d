import { isNode, LineCounter, parseDocument } from 'yaml';

/** Line and column (1-based) of a key in a YAML text, or of the document start when absent. */
export function locateKey(text: string, key: string): { line: number; column: number } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const contents = doc.contents;
  if (isNode(contents) && 'items' in contents && Array.isArray(contents.items)) {
    for (const item of contents.items as unknown[]) {
      const pairKey =
        item && typeof item === 'object' && 'key' in item ? (item as { key: unknown }).key : null;
      if (isNode(pairKey) && 'value' in pairKey && pairKey.value === key && pairKey.range) {
        const pos = lineCounter.linePos(pairKey.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
  }
  return { line: 1, column: 1 };
}
