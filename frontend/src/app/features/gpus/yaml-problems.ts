/** One problem the server found in a gpu_config.yaml, placed at its line and column. */
export interface YamlProblem {
  /** 1-based; null when the server could not place it. */
  line: number | null;
  column: number | null;
  message: string;
  /** The key it is about (`protection.shutdown_temp`), without the request's `body.yaml.` prefix. */
  key: string | null;
}

const placed = /^line (\d+), column (\d+): ([\s\S]*)$/;

/** The server's 422 `errors[]` (`message` = "line L, column C: …", `path` = `body.yaml.<key>`). */
export function yamlProblems(errors: readonly { path: string; message: string }[]): YamlProblem[] {
  return errors.map((error) => {
    const match = placed.exec(error.message);
    const key = error.path.replace(/^body\.yaml\.?/, '') || null;
    return match
      ? { line: Number(match[1]), column: Number(match[2]), message: match[3] ?? '', key }
      : { line: null, column: null, message: error.message, key };
  });
}

/** The character offset of a 1-based line and column in `text`, clamped to the text. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  const end = text.indexOf('\n', offset);
  const lineLength = (end === -1 ? text.length : end) - offset;
  return offset + Math.min(Math.max(column - 1, 0), lineLength);
}

/** The 1-based line and column of a character offset (where the cursor is). */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastBreak = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: offset - lastBreak };
}
