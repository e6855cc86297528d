import { offsetOf, positionOf, yamlProblems } from './yaml-problems.ts';

describe('YAML problems', () => {
  it('reads the line, column and key of each server error', () => {
    expect(
      yamlProblems([
        {
          path: 'body.yaml.protection.shutdown_temp',
          message: 'line 4, column 3: Expected number, received string',
        },
        { path: 'body.yaml', message: 'the file is empty' },
      ]),
    ).toEqual([
      { line: 4, column: 3, message: 'Expected number, received string', key: 'protection.shutdown_temp' },
      { line: null, column: null, message: 'the file is empty', key: null },
    ]);
  });

  it('finds the character of a line and column, and back', () => {
    const text = 'a: 1\nprotection:\n  shutdown_temp: hot\n';
    const offset = offsetOf(text, 3, 3);
    expect(text.slice(offset)).toMatch(/^shutdown_temp/);
    expect(positionOf(text, offset)).toEqual({ line: 3, column: 3 });
    // Past the end of a line or of the text: the end, never another line.
    expect(offsetOf(text, 1, 99)).toBe(4);
    expect(offsetOf(text, 99, 1)).toBe(text.length);
  });
});
