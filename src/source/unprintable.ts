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
      file, ...locate(positions, path, { key }), severity: 'error', ruleId: 'encoding',
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
