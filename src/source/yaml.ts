import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml';
import type { Position, Problem } from '../problems.js';
import { readYamlFast } from './yaml-fast.js';
import { unprintableProblems } from './unprintable.js';

/** Position of a value (and of its key, when it sits in a map) keyed by its path. */
export interface NodePosition {
  line: number;
  column: number;
  keyLine?: number;
  keyColumn?: number;
}

export interface YamlResult {
  /** Plain data, or undefined when the YAML could not be read safely. */
  data: unknown;
  /** Path (segments joined by '.') -> position in the file. */
  positions: Record<string, NodePosition>;
  problems: Problem[];
}

export function pathKey(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

const YAML_RULE: Record<string, string> = {
  DUPLICATE_KEY: 'yaml-duplicate-key',
};

/**
 * Reads YAML with the core schema, unique keys, no aliases and warnings as errors.
 * `lineOffset` is the number of file lines before the YAML text starts.
 * Plain YAML is read by `readYamlFast` (same result, a fraction of the time); anything
 * outside its subset by the `yaml` library.
 */
export function readYaml(file: string, source: string, lineOffset: number): YamlResult {
  return readYamlFast(source, lineOffset) ?? readYamlWithLibrary(file, source, lineOffset);
}

/** The tags of YAML's core schema: the only ones a file may write explicitly. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** `readYaml` by the `yaml` library alone: the reference the fast reader is tested against. */
export function readYamlWithLibrary(file: string, source: string, lineOffset: number): YamlResult {
  const lineCounter = new LineCounter();
  const problems: Problem[] = [];
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + lineOffset, column: col };
  };
  const doc = parseDocument(source, {
    schema: 'core',
    uniqueKeys: true,
    lineCounter,
    prettyErrors: false,
    strict: true,
    stringKeys: false,
    merge: false,
    version: '1.2',
  });
  for (const err of [...doc.errors, ...doc.warnings]) {
    const ruleId = YAML_RULE[err.code] ?? 'yaml-syntax';
    const message = ruleId === 'yaml-duplicate-key' ? 'duplicate key in YAML mapping' : `malformed YAML: ${err.message.split('\n')[0]}`;
    problems.push({ file, ...at(err.pos[0]), severity: 'error', ruleId, message });
  }
  let aliases = 0;
  let firstAlias: { start: number; name: string } | undefined;
  visit(doc, {
    Pair(_key, pair) {
      // A list or mapping as a key (`? [a, b] : c`) has no place in plain data.
      if (isMap(pair.key) || isSeq(pair.key)) {
        problems.push({
          file,
          ...at(pair.key.range?.[0] ?? 0),
          severity: 'error',
          ruleId: 'yaml-syntax',
          message: 'malformed YAML: a mapping key must be a plain value, not a list or mapping',
        });
      }
    },
    Node(_key, node) {
      // Explicit tags other than the core schema's own (`!!binary`, `!!timestamp`, `!custom`) would
      // turn text into bytes, dates or nothing; say so where the tag is instead of a wrong type.
      if (node.tag && !CORE_TAGS.has(node.tag)) {
        problems.push({
          file,
          ...at(node.range?.[0] ?? 0),
          severity: 'error',
          ruleId: 'yaml-syntax',
          message: `YAML tag ${node.tag.replace(/^tag:yaml\.org,2002:/, '!!')} is not allowed; write the value as plain text, a number, true/false, a list or a mapping`,
        });
      }
    },
    Alias(_key, node) {
      aliases++;
      firstAlias ??= { start: node.range?.[0] ?? 0, name: node.source };
      return visit.SKIP;
    },
  });
  if (firstAlias) {
    problems.push({
      file,
      ...at(firstAlias.start),
      severity: 'error',
      ruleId: 'yaml-alias',
      message: `YAML aliases are not allowed (*${firstAlias.name}${aliases > 1 ? ` and ${aliases - 1} more` : ''})`,
    });
  }
  if (problems.length > 0 || aliases > 0) return { data: undefined, positions: {}, problems };

  // Keyed by the user's keys: no prototype, so `__proto__` is a key like any other.
  const positions: Record<string, NodePosition> = Object.create(null);
  // `path` is the position's key (`pathKey` of the segments), built as the walk goes down
  const child = (path: string, segment: string | number) => (path === '' ? String(segment) : `${path}.${segment}`);
  const walk = (node: Node | null | undefined, path: string, keyNode?: Node | null) => {
    if (!node) return;
    const entry: NodePosition = at(node.range?.[0] ?? 0);
    if (keyNode?.range) {
      const k = at(keyNode.range[0]);
      entry.keyLine = k.line;
      entry.keyColumn = k.column;
    }
    positions[path] = entry;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const value = pair.value as Node | null;
        if (value) walk(value, child(path, key), pair.key as Node);
        else if (isScalar(pair.key) && pair.key.range) {
          // `key:` with nothing after it: point at the key.
          const k = at(pair.key.range[0]);
          positions[child(path, key)] = { ...k, keyLine: k.line, keyColumn: k.column };
        }
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, child(path, i)));
    } else if (isAlias(node)) {
      // unreachable: aliases were refused above
    }
  };
  walk(doc.contents as Node | null, '');
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 0 });
  } catch (e) {
    problems.push({
      file,
      line: 1 + lineOffset,
      column: 1,
      severity: 'error',
      ruleId: 'yaml-syntax',
      message: `malformed YAML: ${(e as Error).message}`,
    });
    return { data: undefined, positions: {}, problems };
  }
  // The fast reader leaves every string with such characters to the library.
  problems.push(...unprintableProblems(file, { data, positions, problems }));
  return { data, positions, problems };
}
