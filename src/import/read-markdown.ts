import { readYamlWithLibrary } from '../source/yaml.js';
import type { Problem } from '../problems.js';
import type { ForeignRecord } from './facts.js';
import type { InputFile } from './inputs.js';

const FRONTMATTER = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

/** One Markdown file with foreign front-matter: its fields with their positions, and its body. */
export function readMarkdownRecord(input: InputFile): { records: ForeignRecord[]; problems: Problem[] } {
  const fail = (message: string, line = 1) => ({
    records: [],
    problems: [{ file: input.shown, line, column: 1, severity: 'error' as const, ruleId: 'import-syntax', message }],
  });
  const m = FRONTMATTER.exec(input.text);
  if (!m) return fail('no front-matter: the file does not start with a "---" line and end it with another');
  const yaml = readYamlWithLibrary(input.shown, m[1] ?? '', 1);
  if (yaml.problems.some((p) => p.severity === 'error')) return { records: [], problems: yaml.problems };
  if (yaml.data === null || typeof yaml.data !== 'object' || Array.isArray(yaml.data))
    return fail('the front-matter is not a mapping of fields', 2);
  const positions: ForeignRecord['positions'] = {};
  for (const key of Object.keys(yaml.data)) {
    const p = yaml.positions[key];
    if (p) positions[key] = { line: p.keyLine ?? p.line, column: p.keyColumn ?? p.column };
  }
  const body = input.text.slice(m[0].length).trim();
  return {
    records: [
      { file: input.shown, at: { line: 1, column: 1 }, values: yaml.data as Record<string, unknown>, positions, ...(body ? { body } : {}) },
    ],
    problems: yaml.problems,
  };
}
