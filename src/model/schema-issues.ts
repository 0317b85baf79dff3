import type { z } from 'zod';
import type { Problem } from '../problems.js';
import { locate } from '../source/locate.js';
import type { NodePosition } from '../source/yaml.js';

/** Turns schema issues into located problems, one rule id per kind of issue. */
export function schemaProblems(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  positions: Record<string, NodePosition>,
  rootLine = 1,
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) problems.push(...issueProblems(file, issue, data, positions, rootLine));
  return problems;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function hasPath(data: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return true;
  const parent = valueAt(data, path.slice(0, -1));
  return parent !== null && typeof parent === 'object'
    && Object.prototype.hasOwnProperty.call(parent, path[path.length - 1]!);
}

export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out || 'front-matter';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (ArrayBuffer.isView(value)) return 'binary data';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? value.slice(0, 37) + '...' : value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false',
  array: 'a list', object: 'a mapping',
};

function issueProblems(
  file: string,
  issue: z.core.$ZodIssue,
  data: unknown,
  positions: Record<string, NodePosition>,
  rootLine: number,
): Problem[] {
  const path = issue.path as PropertyKey[];
  const name = fieldName(path);
  const at = (p: readonly PropertyKey[], key = false) => locate(positions, p, { key, rootLine });
  const make = (ruleId: string, message: string, p = path, key = false, severity: 'error' | 'warning' = 'error'): Problem =>
    ({ file, ...at(p, key), severity, ruleId, message });

  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && !hasPath(data, path)) {
    return [make('required-field', `missing required field \`${name}\``)];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) =>
        make('unknown-field', `unknown field \`${fieldName([...path, key])}\``, [...path, key], true, 'warning'));
    case 'invalid_type': {
      const value = valueAt(data, path);
      return [make('field-type', `\`${name}\` must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describe(value)}`)];
    }
    case 'invalid_value': {
      const value = valueAt(data, path);
      const allowed = issue.values.map((v) => String(v)).join(', ');
      return [make('enum-value', `\`${name}\` must be one of ${allowed}; got ${describe(value)}`)];
    }
    case 'invalid_union': {
      const value = valueAt(data, path);
      if (value && typeof value === 'object' && 'type' in value) {
        return [make('enum-value', `\`${name}.type\` is not a known kind; got ${describe((value as { type: unknown }).type)}`, [...path, 'type'])];
      }
      return [make('field-type', `\`${name}\` has the wrong shape`)];
    }
    case 'too_small': {
      if (issue.origin === 'array') {
        return [make('required-field', `\`${name}\` must list at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`)];
      }
      if (issue.origin === 'string') return [make('required-field', `\`${name}\` must not be empty`)];
      return [make('field-value', `\`${name}\` must be at least ${String(issue.minimum)}`)];
    }
    case 'too_big':
      return [make('field-value', `\`${name}\` must be at most ${String(issue.maximum)}`)];
    case 'invalid_format':
      return [make('field-value', `\`${name}\` ${issue.message.startsWith('must') ? issue.message : `is not valid (${issue.message})`}`)];
    default:
      return [make('field-value', `\`${name}\`: ${issue.message}`)];
  }
}
