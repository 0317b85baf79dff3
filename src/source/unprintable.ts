import type { Problem } from '../problems.js';
import { locate } from './locate.js';
import { pathKey, type YamlResult } from './yaml.js';

/**
 * Control characters (other than tab and line feed) and lone surrogates, which YAML escapes
 * such as `"\0"`, `"\e"` or `"\ud800"` can put in a string: invalid UTF-8 in the database,
 * raw bytes in a letter. Every one is reported where its value (or key) is.
 */
export const UNPRINTABLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]|\p{Cs}/u;

export function unprintableProblems(file: string, { data, positions }: YamlResult): Problem[] {
  const problems: Problem[] = [];
  const report = (text: string, path: PropertyKey[], key: boolean) => {
    const found = UNPRINTABLE.exec(text);
    if (!found) return;
    const code = found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    const what = path.length > 0 ? `\`${pathKey(path)}\`${key ? ' has a key that' : ''}` : 'the YAML';
    problems.push({
      file,
      ...locate(positions, path, { key }),
      severity: 'error',
      ruleId: 'encoding',
      message: `${what} contains U+${code}, a control character or half a surrogate pair that cannot be printed (from a YAML escape?); remove it`,
    });
  };
  const walk = (value: unknown, path: PropertyKey[]) => {
    if (typeof value === 'string') report(value, path, false);
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i]));
    else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        report(key, [...path, key], true);
        walk(item, [...path, key]);
      }
    }
  };
  walk(data, []);
  return problems;
}

/**
 * The same characters in the Markdown body, raw (pasted from a terminal, binary junk): every
 * control character but tab, line feed and carriage return (a line ending in Markdown).
 */
export const BODY_UNPRINTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
/** Beyond this many, one problem counts the rest (a binary file would give thousands). */
const MAX_BODY_PROBLEMS = 20;

/**
 * Every unprintable character of the body (`text` from `bodyStart` on), located, named by the
 * `##` section it is in. They make the incident invalid, so they never reach the database or a letter.
 */
export function bodyUnprintableProblems(
  file: string,
  text: string,
  bodyStart: number,
  sections: readonly { title: string; line: number }[],
): Problem[] {
  const problems: Problem[] = [];
  const found = [...text.slice(bodyStart).matchAll(new RegExp(BODY_UNPRINTABLE, 'g'))];
  for (const match of found.slice(0, MAX_BODY_PROBLEMS)) {
    const at = positionOf(text, bodyStart + match.index);
    const section = sections.findLast((s) => s.line <= at.line && s.title !== ''); // '': the text before the first heading
    const code = match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    problems.push({
      file,
      ...at,
      severity: 'error',
      ruleId: 'encoding',
      message: `${section ? `section "${section.title}"` : 'the body'} contains U+${code}, a control character that cannot be printed; remove it`,
    });
  }
  if (found.length > MAX_BODY_PROBLEMS) {
    const at = positionOf(text, bodyStart + found[MAX_BODY_PROBLEMS]!.index);
    problems.push({
      file,
      ...at,
      severity: 'error',
      ruleId: 'encoding',
      message: `and ${found.length - MAX_BODY_PROBLEMS} more control characters from here on (binary data?); remove them`,
    });
  }
  return problems;
}

/** Line and column (1-based, in UTF-16 code units as every position of the tool) of an offset. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return { line, column: offset - lineStart + 1 };
}
