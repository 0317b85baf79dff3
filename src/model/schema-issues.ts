import type { z } from 'zod';
import type { Problem } from '../problems.js';
import { didYouMean } from '../rules/nearest.js';
import { locate } from '../source/locate.js';
import type { NodePosition } from '../source/yaml.js';

/**
 * Turns schema issues into located problems, one rule id per kind of issue. With the schema,
 * unknown keys get the nearest known key as a suggestion; `extraKey` names where facts without
 * a field of their own belong.
 */
export function schemaProblems(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  positions: Record<string, NodePosition>,
  rootLine = 1,
  schema?: z.ZodType,
  extraKey?: string,
): Problem[] {
  const problems: Problem[] = [];
  const context: Context = { file, data, positions, rootLine, schema, extraKey };
  for (const issue of issues) problems.push(...issueProblems(context, issue));
  return problems;
}

interface Context {
  file: string;
  data: unknown;
  positions: Record<string, NodePosition>;
  rootLine: number;
  schema?: z.ZodType;
  extraKey?: string;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  /** A part made on first use (`schema/on-use.ts`). */
  getter?: () => z.ZodType;
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas a value at `path` may be checked against (through optionals, defaults, lists, unions). */
function objectsAt(schema: z.ZodType, path: readonly PropertyKey[]): Record<string, z.ZodType>[] {
  const def = defOf(schema);
  const inner = def.innerType ?? def.in ?? def.getter?.();
  if (inner) return objectsAt(inner, path);
  if (def.type === 'union') return def.options!.flatMap((o) => objectsAt(o, path));
  if (path.length === 0) return def.type === 'object' ? [def.shape!] : [];
  const [head, ...rest] = path;
  if (def.type === 'array' && typeof head === 'number') return objectsAt(def.element!, rest);
  if (def.type === 'object' && typeof head === 'string' && def.shape![head]) return objectsAt(def.shape![head], rest);
  return [];
}

/** The problem for an unknown key: the nearest known key, else where such facts go. */
function unknownKeyMessage(context: Context, path: readonly PropertyKey[], key: string): string {
  const name = fieldName([...path, key]);
  const known = context.schema ? objectsAt(context.schema, path).flatMap((shape) => Object.keys(shape)) : [];
  const suggestion = didYouMean(key, known).replace(/"([^"]+)"/, (_, k: string) => `\`${fieldName([...path, k])}\``);
  if (suggestion) return `unknown field \`${name}\`${suggestion}`;
  return context.extraKey
    ? `unknown field \`${name}\`; to keep a fact that has no field, put it under \`${context.extraKey}:\``
    : `unknown field \`${name}\``;
}

/** For text where a {category, summary} mapping belongs: the mapping to write instead. */
function shapeHint(context: Context, path: readonly PropertyKey[], value: unknown): string {
  if (typeof value !== 'string' || !context.schema) return '';
  const shape = objectsAt(context.schema, path)[0];
  if (!shape || !('summary' in shape) || !('category' in shape)) return '';
  return `; write it as {category: <a category>, summary: ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}}`;
}

/**
 * The issues of the union branch the value was meant for: the branches that accept its shape
 * (mapping or list), and of those the one with the fewest issues; undefined when none does.
 */
function branchIssues(issue: z.core.$ZodIssueInvalidUnion): z.core.$ZodIssue[] | undefined {
  const shaped = issue.errors.filter((branch) => !branch.some((i) => i.path.length === 0 && i.code === 'invalid_type'));
  if (shaped.length === 0) return undefined;
  const best = shaped.reduce((a, b) => (b.length < a.length ? b : a));
  return best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }) as z.core.$ZodIssue);
}

/** Issues with each union issue replaced by those of the branch the value was meant for (when there is one). */
export function flattenUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    const branch = issue.code === 'invalid_union' ? branchIssues(issue) : undefined;
    return branch ? flattenUnions(branch) : [issue];
  });
}

/**
 * The data without the keys that `issues` report as unknown, at their paths (nested mappings
 * and list items included), so the rest can be used. Other values are left as they are.
 */
export function withoutUnknownKeys(data: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const unknown = new Set<string>();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) unknown.add(JSON.stringify([...issue.path.map(String), key]));
    }
  }
  const strip = (value: unknown, path: string[]): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => strip(v, [...path, String(i)]));
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = [...path, k];
      // defineProperty: a key such as `__proto__` stays a plain (unknown) key
      if (!unknown.has(JSON.stringify(p)))
        Object.defineProperty(out, k, { value: strip(v, p), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return unknown.size === 0 ? data : strip(data, []);
}

/** What the branches of a union accept, e.g. "text or a list", from their top-level type issues. */
function unionExpected(issue: z.core.$ZodIssueInvalidUnion): string {
  const kinds = issue.errors.flatMap((branch) =>
    branch
      .filter((i) => i.path.length === 0 && i.code === 'invalid_type')
      .map((i) => EXPECTED[(i as z.core.$ZodIssueInvalidType).expected] ?? String((i as z.core.$ZodIssueInvalidType).expected)),
  );
  return [...new Set(kinds)].join(' or ');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!Object.hasOwn(v, seg)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function hasPath(data: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return true;
  const parent = valueAt(data, path.slice(0, -1));
  return parent !== null && typeof parent === 'object' && Object.hasOwn(parent, path[path.length - 1]!);
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
  if (typeof value === 'string') return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

function issueProblems(context: Context, issue: z.core.$ZodIssue): Problem[] {
  const { file, data, positions, rootLine } = context;
  const path = issue.path as PropertyKey[];
  const name = fieldName(path);
  const at = (p: readonly PropertyKey[], key = false) => locate(positions, p, { key, rootLine });
  const make = (ruleId: string, message: string, p = path, key = false, severity: 'error' | 'warning' = 'error'): Problem => ({
    file,
    ...at(p, key),
    severity,
    ruleId,
    message,
  });

  if ((issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union') && !hasPath(data, path)) {
    return [make('required-field', `missing required field \`${name}\``)];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => make('unknown-field', unknownKeyMessage(context, path, key), [...path, key], true, 'warning'));
    case 'invalid_type': {
      const value = valueAt(data, path);
      return [
        make(
          'field-type',
          `\`${name}\` must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${describe(value)}${shapeHint(context, path, value)}`,
        ),
      ];
    }
    case 'invalid_value': {
      const value = valueAt(data, path);
      const allowed = issue.values.map((v) => String(v)).join(', ');
      return [make('enum-value', `\`${name}\` must be one of ${allowed}; got ${describe(value)}`)];
    }
    case 'invalid_union': {
      const value = valueAt(data, path);
      if (value && typeof value === 'object' && !Array.isArray(value) && 'type' in value) {
        return [
          make('enum-value', `\`${name}.type\` is not a known kind; got ${describe((value as { type: unknown }).type)}`, [...path, 'type']),
        ];
      }
      const branch = branchIssues(issue);
      if (branch) return branch.flatMap((i) => issueProblems(context, i));
      const expected = unionExpected(issue);
      return [make('field-type', expected ? `\`${name}\` must be ${expected}, not ${describe(value)}` : `\`${name}\` has the wrong shape`)];
    }
    case 'too_small': {
      if (issue.origin === 'array') {
        return [
          make('required-field', `\`${name}\` must list at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`),
        ];
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
