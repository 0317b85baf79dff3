import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainScalar, readYamlFast } from '../src/source/yaml-fast.js';
import { readYaml, readYamlWithLibrary, type YamlResult } from '../src/source/yaml.js';
import { listIncidentFiles } from '../src/kb/files.js';
import { BENCH_CONFIG, generateIncident } from '../src/bench/generate.js';
import { RULES } from '../src/rules/index.js';
import { fixtureFiles } from './fixtures/db-kb.js';

/**
 * The fast YAML reader must give exactly the library's result — data (types and key order),
 * positions (values, keys and their order) and no problems — or nothing, so that `readYaml`
 * falls back to the library.
 */
const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.YAML_RUNS ?? 2000);
const FRONTMATTER = /^---\n([\s\S]*?)\n---(?:\n|$)/;

/** Key order all the way down (toStrictEqual ignores it). */
function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
  return typeof value;
}

/** Deep equality with prototypes, -0 and NaN told apart, and key order all the way down. */
function expectSame(actual: unknown, expected: unknown): void {
  // toStrictEqual would compare `.constructor`, which is data here for a key named so.
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
  expect(isDeepStrictEqual(actual, expected)).toBe(true);
  expect(keyOrder(actual)).toEqual(keyOrder(expected));
}

/** `readYaml` equals the library's result; returns whether the fast reader took it. */
function same(source: string, lineOffset = 1): boolean {
  const library = readYamlWithLibrary('f.md', source, lineOffset);
  const fast = readYamlFast(source, lineOffset);
  if (fast) expectSame(fast, library);
  // Else both are the library's (compared loosely: a `__proto__` key gives each its own prototype).
  else expect(readYaml('f.md', source, lineOffset)).toEqual(library);
  return fast !== undefined;
}

/** Like `same`, without vitest's expect (for the property runs: much faster). */
function sameQuick(source: string): { fast: boolean; equal: boolean } {
  const library = readYamlWithLibrary('f.md', source, 1);
  const fast = readYamlFast(source, 1);
  if (!fast) return { fast: false, equal: true };
  const equal = stableJson(fast) === stableJson(library);
  return { fast: true, equal };
}

/** JSON with key order kept, and the numbers JSON cannot write told apart. */
function stableJson(result: YamlResult): string {
  return JSON.stringify(result, (_k, v: unknown) => {
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return `number:${Object.is(v, -0) ? '-0' : String(v)}`;
    if (v === undefined) return 'undefined';
    return v;
  });
}

const frontMatter = (text: string) => FRONTMATTER.exec(text)?.[1];

describe('the fast YAML reader gives exactly what the yaml library gives', () => {
  it('on every front-matter of the example knowledge base, all on the fast path', () => {
    const files = listIncidentFiles(ROOT);
    expect(files.length).toBeGreaterThan(10);
    const slow = files.filter((file) => !same(frontMatter(readFileSync(join(ROOT, file), 'utf8'))!));
    expect(slow).toEqual([]);
  });

  it('on the config files', () => {
    expect(same(readFileSync(join(ROOT, 'postmortem.config.yaml'), 'utf8'), 0)).toBe(true);
    expect(same(BENCH_CONFIG, 0)).toBe(true);
  });

  it('on 2,000 generated benchmark incidents, all on the fast path', () => {
    let fast = 0;
    for (let i = 0; i < 2000; i++) {
      if (same(frontMatter(generateIncident(42, i, 2000).text)!)) fast++;
    }
    expect(fast).toBe(2000);
  });

  it('on every rule example and the database fixtures (bad input included)', () => {
    const texts = [
      ...Object.entries(fixtureFiles()),
      ...RULES.flatMap((r) => [...r.examples.ok, ...r.examples.notOk].flatMap((e) => Object.entries(e.files))),
    ].flatMap(([path, content]) => {
      if (typeof content !== 'string') return [];
      if (path.endsWith('.yaml')) return [{ text: content, offset: 0 }];
      const fm = frontMatter(content);
      return fm === undefined ? [] : [{ text: fm, offset: 1 }];
    });
    expect(texts.length).toBeGreaterThan(20);
    for (const { text, offset } of texts) same(text, offset);
  });

  // Each of these is outside the subset: the library reads it (and reports any problem).
  it.each([
    ['a tab in the indent', 'a:\n\tb: 1'],
    ['a tab in a value', 'a: b\tc'],
    ['CRLF', 'a: 1\r\nb: 2'],
    ['a BOM', '\ufeffa: 1'],
    ['a control character', 'a: b\u0007'],
    ['NEL', 'a: b\u0085c'],
    ['a line separator', 'a: b\u2028c'],
    ['an anchor and an alias', 'a: &x 1\nb: *x'],
    ['a tag', 'a: !!str 1'],
    ['a local tag', 'a: !foo 1'],
    ['an explicit key', '? a\n: 1'],
    ['a quoted key', '"a": 1'],
    ['a single-quoted key', "'a': 1"],
    ['a numeric key', '1: a'],
    ['a null key', 'null: a'],
    ['a bool key', 'true: a'],
    ['a __proto__ key', '__proto__: a'],
    ['a space before the colon', 'a : 1'],
    ['a duplicate key', 'a: 1\nb: 2\na: 3'],
    ['a duplicate nested key', 'a:\n  b: 1\n  b: 2'],
    ['a duplicate flow key', 'a: {b: 1, b: 2}'],
    ['a multi-line plain scalar', 'a: one\n  two\nb: 1'],
    ['a multi-line single-quoted scalar', "a: 'one\n  two'"],
    ['a multi-line double-quoted scalar', 'a: "one\n  two"'],
    ['an escaped line break', 'a: "one\\\n  two"'],
    ['a bad escape', 'a: "a\\qb"'],
    ['a short escape', 'a: "a\\x4"'],
    ['a surrogate escape', 'a: "\\ud800"'],
    ['a control character escape', 'a: "x\\0y"'],
    ['a NEL escape', 'a: "x\\Ny"'],
    ['a document start', '---\na: 1'],
    ['a second document', 'a: 1\n---\nb: 2'],
    ['a document end', 'a: 1\n...\n'],
    ['a directive', '%YAML 1.2\n---\na: 1'],
    ['a keep block scalar', 'a: |+\n  x\n\nb: 1'],
    ['an indentation indicator', 'a: |2\n   x'],
    ['a block scalar with a comment', 'a: >- # c\n  x'],
    ['a block scalar with a blank line inside', 'a: >-\n  x\n\n  y'],
    ['a block scalar with a more-indented line', 'a: >\n  x\n    y\n  z'],
    ['a block scalar with trailing spaces', 'a: |\n  x  \n  y'],
    ['a block scalar with a spaces-only line', 'a: |\n  x\n   \n  y'],
    ['an empty block scalar', 'a: >-\nb: 1'],
    ['a block scalar at the end', 'a: >-'],
    ['a block scalar as a sequence item', 'a:\n  - >-\n    x'],
    ['a block scalar not indented past its map', '- a: >-\n  x'],
    ['a flow sequence over two lines', 'a: [x,\n  y]'],
    ['a flow mapping over two lines', 'a: {x: 1,\n  y: 2}'],
    ['a nested flow sequence', 'a: [x, [y]]'],
    ['a flow mapping in a flow sequence', 'a: [x, {y: 1}]'],
    ['a trailing comma', 'a: [x, y, ]'],
    ['an empty flow entry', 'a: [x, , y]'],
    ['a flow key without a value', 'a: {x, y: 1}'],
    ['an empty flow value', 'a: {x: , y: 1}'],
    ['a colon in a flow item', 'a: [12:30]'],
    ['a hash in a flow item', 'a: [x#y]'],
    ['a comment in a flow sequence', 'a: [x, # c\n  y]'],
    ['text after a flow sequence', 'a: [x] y'],
    ['text after a quoted scalar', 'a: "x" y'],
    ['a comment right after a quote', 'a: "x"# c'],
    ['a quoted key in a flow mapping', 'a: {"x": 1}'],
    ['a mapping on one line', 'a: b: c'],
    ['a value ending in a colon', 'a: b:'],
    ['a sequence on the key line', 'a: - b'],
    ['a compact nested sequence', '- - a\n  - b'],
    ['a scalar on the next line', 'a:\n  b'],
    ['a sequence then a deeper key', 'a:\n  - x\n  b: 1'],
    ['a wrongly indented key', 'a:\n    b: 1\n  c: 2'],
    ['a reserved character', 'a: @b'],
    ['a backtick', 'a: `b`'],
    ['a percent sign', 'a: %b'],
    ['a lone dash in a flow sequence', 'a: [-]'],
    ['a root scalar', 'just text'],
    ['a root flow sequence', '[a, b]'],
    ['an indented root', '  a: 1'],
    ['only comments', '# nothing\n'],
    ['nothing', ''],
    ['an unclosed quote', "a: 'x"],
    ['a very long key', `${'k'.repeat(1100)}: 1`],
  ])('on %s (left to the library)', (_name, text) => {
    expect(readYamlFast(text, 1)).toBeUndefined();
    same(text);
  });

  // …and these are inside it.
  it.each([
    [
      'plain scalars of every type',
      [
        'a: 007',
        'b: +1',
        'c: -1',
        'd: 1e3',
        'e: .5',
        'f: -.inf',
        'g: 0x1F',
        'h: 0o17',
        'i: Null',
        'j: TRUE',
        'k: yes',
        'l: no',
        'm: on',
        'n: 2007-04-04',
        'o: 12:30',
        'p: 1_000',
        'q: ~',
        'r: 1.50',
        's: 5.',
        't: .NaN',
        'u: +.INF',
        'v: 0X1F',
        'w: 0o8',
        'x: 1E-3',
        'y: -0',
        'z: 99999999999999999999',
        'aa: 0b101',
        'ab: nan',
        'ac: 2007-01-01T09:40:00-05:00',
        'ad: False',
        'ae: fALSE',
        'ag: 1.2.3',
        'ah: -x',
        'ai: .',
        'aj: ~x',
      ].join('\n'),
    ],
    ['empty values', 'a:\nb:   \nc: # c\nd: 1\ne:'],
    [
      'quoted strings',
      `a: ''\nb: ""\nc: "a\\"b"\nd: 'it''s'\ne: " spaced "\nf: "\\t\\x41\\u00e9\\U0001F600\\/\\\\\\_"\ng: '# not a comment'\nh: "1"`,
    ],
    ['unicode', 'title: Café résumé 日本語 😀\nb: [é, 😀]\nc: "😀"\nd: x\u00a0'],
    ['keys with spaces, dashes, dots and slashes', 'a key: 1\na-key: 2\na.key: 3\na/key: 4\n_x: 5\nyes: 6\nconstructor: 7\ntoString: 8'],
    ['deeper nesting', 'a:\n  b:\n    c:\n      d:\n        - e: 1\n          f:\n            - [x, y]\n            - {g: h}\n'],
    ["a sequence at its key's indent", 'a:\n- x\n- y: 1\n  z: 2\n-\nb: 1'],
    ['an indented sequence', 'a:\n    - x\n    -   y: 1\n        z:\n        - w\nb: 1'],
    ['nested sequences', 'a:\n  -\n    - x\n    - y\n  - # c\n    - z\n'],
    [
      'comments and blank lines',
      '# top\n\na: 1 # one\n  # deeper\n# shallower\n\nb:\n  # before\n  c: 2   # two\nd: [x, y] # flow\ne: "q" # quoted\n',
    ],
    [
      'plain scalars with punctuation',
      "a: x]\nb: x,y}\nc: it's\nd: a \"quote\"\ne: http://x.example/a?b=c#d\nf: a#b\ng: 50%\nh: 'x' \ni: b  # c",
    ],
    ['flow collections', "a: []\nb: { }\nc: [ x , 'y, z' , \"w]\" ]\nd: {k: 1, l: 'two', m: x y}\ne: [1, .5, ~, true, 0x1F]"],
    ['block scalars', 'a: >-\n  one\n  two\nb: |\n  one\n  # two\nc: >\n    x\n\n\nd: |-\n  y\n# after\n- e'.replace('\n- e', '\ne: 1')],
    ['a block scalar in a sequence item map', '- a: >-\n    one\n    two\n  b: 1'],
    ['a block scalar, blank lines and a shallower comment', 'a: |\n    x\n\n  # c\nb: >\n  y\n\n'],
    ['a no-break space before a hash', 'a: x\u00a0#c\nb: x\u00a0 # c'],
    ['a root sequence', '- a\n- b: 1'],
  ])('on %s (the fast path)', (_name, text) => {
    expect(readYamlFast(text, 1)).toBeDefined();
    same(text);
  });

  it('types plain scalars as the core schema does', () => {
    const cases: [string, unknown][] = [
      ['007', 7],
      ['+1', 1],
      ['1e3', 1000],
      ['.5', 0.5],
      ['-.inf', -Infinity],
      ['0x1F', 31],
      ['0o17', 15],
      ['Null', null],
      ['~', null],
      ['TRUE', true],
      ['False', false],
      ['yes', 'yes'],
      ['on', 'on'],
      ['2007-04-04', '2007-04-04'],
      ['12:30', '12:30'],
      ['1_000', '1_000'],
      ['.nan', NaN],
      ['0o8', '0o8'],
      ['nULL', 'nULL'],
    ];
    for (const [text, value] of cases) expect(plainScalar(text), text).toStrictEqual(value);
  });
});

// ---- Random documents from the subset's grammar (and a little beyond it) ----

/** Plain scalars the fast reader takes, many of them easy to type wrongly. */
const PLAIN = [
  'x',
  'hello world',
  'SEV4',
  'final',
  'Alert rollback dashboard.',
  'R1',
  'dc-east',
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  'true',
  'True',
  'TRUE',
  'tRUE',
  'false',
  'False',
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  '0',
  '007',
  '-0',
  '+1',
  '-1',
  '+0',
  '1e3',
  '1E-3',
  '1e+3',
  '.5',
  '5.',
  '-.inf',
  '+.INF',
  '.Inf',
  '.NaN',
  '.nan',
  '.Nan',
  'nan',
  'inf',
  '0x1F',
  '0X1F',
  '0xg',
  '0o17',
  '0o8',
  '0o',
  '0x',
  '0b101',
  '1_000',
  '1,000',
  '12:30',
  '12:30:45',
  '2007-04-04',
  '2007-01-01T09:40:00-05:00',
  '1.0',
  '1.50',
  '1e',
  'e1',
  '.',
  '0.',
  '+',
  '-+1',
  '1-2',
  '99999999999999999999',
  '1e400',
  'a  b',
  'a:b',
  'a#b',
  '-a',
  '--',
  '...x',
  "it's",
  'say "hi"',
  'a\\b',
  'é',
  '日本',
  '😀',
  '\u00a0x',
  'x\u00a0',
  '\u2003',
  'a | b',
  'a > b',
  'http://x.example/a?b=c#d',
  'a - b',
  'x y z.',
  'a,',
  '__proto__',
  'constructor',
];
/** Plain scalars in flow collections: no `,[]{}:#`. */
const FLOW_PLAIN = PLAIN.filter((p) => !/[,[\]{}:#]/.test(p));
/** Text the fast reader refuses (or the library rejects) as a plain scalar. */
const ODD = [
  'a: b',
  'a:',
  'a #b',
  '#a',
  '- a',
  '-',
  '---',
  '...',
  'a]',
  'a}',
  '[a]',
  '{a}',
  "'",
  '"',
  '&a',
  '*a',
  '!a',
  '?a',
  '? a',
  ':a',
  '%a',
  '@a',
  '`a',
  '|',
  '>',
  '>-',
  'a\tb',
  ',a',
  'a[b',
  'a{b',
  'a ',
  ' a',
];
const KEYS = ['id', 'a', 'b', 'c', 'title', 'a b', 'a-b', 'a_b', 'a.b', 'x/y', '_', 'k1', 'on', 'yes', 'constructor', 'toString', 'status'];
const ODD_KEYS = ['null', 'True', '1', '1a', '-a', 'a ', '__proto__', '"q"', "'q'", '?', 'a:b', '日本', 'a#b', '&a a', 'a b:'];
const ESCAPES = ['\\x41', '\\u00e9', '\\U0001F600', '\\t', '\\/', '\\N', '\\_', '\\ ', '\\"', '\\\\', '\\0', '\\e'];
const ODD_ESCAPES = ['\\q', '\\uD800', '\\x4', '\\U00110000'];
const BLOCK_LINES = ['text', 'more text here.', '# not a comment', 'a: b', '- x', "it's", '日本', '[x]', '---x'];
const ODD_BLOCK_LINES = ['  indented', '', 'trailing ', '   '];

/** Mostly values the fast reader takes, now and then one it must refuse. */
function mostly<T>(usual: readonly T[], odd: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 80, arbitrary: fc.constantFrom(...usual) }, { weight: 1, arbitrary: fc.constantFrom(...odd) });
}

type Doc =
  | { kind: 'scalar'; text: string }
  | { kind: 'empty'; after: string }
  | { kind: 'block'; header: string; indent: number; lines: string[] }
  | { kind: 'map'; entries: [string, Doc][]; step: number; comment: string }
  | { kind: 'seq'; items: Doc[]; step: number; compact: boolean; comment: string };

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
const doubleQuote = (s: string, escape: string) => `"${s.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}${escape}"`;
const quotedArb = (pool: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...pool).map(quote),
    fc.tuple(fc.constantFrom(...pool), fc.oneof(fc.constant(''), mostly(ESCAPES, ODD_ESCAPES))).map(([s, e]) => doubleQuote(s, e)),
  );
const scalarTextArb = fc.oneof(
  { weight: 40, arbitrary: mostly(PLAIN, ODD) },
  { weight: 10, arbitrary: quotedArb([...PLAIN, ...ODD]) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ab1.-: #\'"[]{},'), minLength: 1, maxLength: 6 }) },
);
const flowItemArb = fc.oneof({ weight: 4, arbitrary: mostly(FLOW_PLAIN, ODD) }, { weight: 1, arbitrary: quotedArb([...PLAIN, ...ODD]) });
const flowArb = fc.oneof(
  fc
    .tuple(fc.array(flowItemArb, { maxLength: 4 }), mostly([', ', ',', ' , ', ',  '], [' ,, ', ', [']))
    .map(([items, sep]) => `[${items.join(sep)}]`),
  fc.array(fc.tuple(mostly(KEYS, ODD_KEYS), flowItemArb), { maxLength: 3 }).map((es) => `{${es.map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
);
const commentArb = fc.constantFrom('', '', '', '', ' # c', '  #c', ' #', '   ');
const valueTextArb = fc
  .tuple(fc.oneof({ weight: 4, arbitrary: scalarTextArb }, { weight: 1, arbitrary: flowArb }), commentArb)
  .map(([text, comment]) => ({ kind: 'scalar' as const, text: text + comment }));
const leafArb: fc.Arbitrary<Doc> = fc.oneof(
  { weight: 12, arbitrary: valueTextArb },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '  # c').map((after) => ({ kind: 'empty' as const, after })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('block' as const),
      header: mostly(['>-', '>', '|', '|-'], ['|+', '>2', '>- # c']),
      indent: fc.constantFrom(1, 2, 4),
      lines: fc.array(mostly(BLOCK_LINES, ODD_BLOCK_LINES), { minLength: 1, maxLength: 3 }),
    }),
  },
);
const { doc: docArb } = fc.letrec<{ doc: Doc; map: Doc; seq: Doc }>((tie) => ({
  doc: fc.oneof({ depthSize: 'small' }, leafArb, tie('map'), tie('seq')),
  map: fc.record({
    kind: fc.constant('map' as const),
    // Unique keys, bar now and then the first one again.
    entries: fc
      .tuple(
        fc.uniqueArray(fc.tuple(mostly(KEYS, ODD_KEYS), tie('doc')), { minLength: 1, maxLength: 5, selector: ([k]) => k }),
        mostly([false], [true]),
      )
      .map(([entries, again]) => (again ? [...entries, entries[0]!] : entries)),
    step: fc.constantFrom(2, 2, 1, 4),
    comment: commentArb,
  }) as fc.Arbitrary<Doc>,
  seq: fc.record({
    kind: fc.constant('seq' as const),
    items: fc.array(tie('doc'), { minLength: 1, maxLength: 4 }),
    step: fc.constantFrom(0, 2, 2, 1, 4),
    compact: fc.boolean(),
    comment: commentArb,
  }) as fc.Arbitrary<Doc>,
}));

/** Lines of a collection whose entries start at column `indent`. */
function render(doc: Doc, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (doc.kind === 'map') {
    return doc.entries.flatMap(([key, value]) => [...renderAfter(`${pad}${key}:`, value, indent, true)]);
  }
  if (doc.kind === 'seq') {
    return doc.items.flatMap((item) => {
      if (doc.compact && item.kind === 'map') {
        // `- key: value`: the item's first line shares the dash's line.
        const lines = render(item, indent + 2);
        return [`${pad}- ${lines[0]!.slice(indent + 2)}`, ...lines.slice(1)];
      }
      // Block scalars are for keys (in sequences they are left to the library), so only now and then.
      return renderAfter(`${pad}-`, item.kind === 'block' && item.lines.length !== 2 ? { kind: 'scalar', text: 'x' } : item, indent, false);
    });
  }
  return [pad + (doc.kind === 'scalar' ? doc.text : '~')];
}

/** A key's or dash's line and what follows it. */
function renderAfter(head: string, value: Doc, indent: number, isKey: boolean): string[] {
  switch (value.kind) {
    case 'scalar':
      return [`${head} ${value.text}`];
    case 'empty':
      return [head + value.after];
    case 'block':
      return [`${head} ${value.header}`, ...value.lines.map((l) => (l === '' ? '' : ' '.repeat(indent + value.indent) + l))];
    case 'map':
      return [head + value.comment, ...render(value, indent + Math.max(value.step, 1))];
    case 'seq':
      return [head + value.comment, ...render(value, indent + (isKey ? value.step : Math.max(value.step, 1)))];
  }
}

/** Blank and comment lines to put between the others (or, now and then, `- - x`). */
const extrasArb = fc.array(fc.tuple(fc.nat(), mostly(['', '   ', '# c', '  # c', '      #x', ' #'], ['- - x', '---', '  - - x'])), {
  maxLength: 3,
});

const documentArb = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: docArb.filter((d) => d.kind === 'map') }, { weight: 1, arbitrary: docArb }),
    extrasArb,
    fc.boolean(),
  )
  .map(([doc, extras, trailingNewline]) => {
    const lines = render(doc, 0);
    for (const [at, line] of extras) lines.splice(at % (lines.length + 1), 0, line);
    return lines.join('\n') + (trailingNewline ? '\n' : '');
  });

/** Small edits: a character in, a character out, or two lines swapped. */
const editArb = fc.tuple(
  fc.nat(),
  fc.constantFrom(
    '',
    ' ',
    '  ',
    '\n',
    ':',
    '-',
    '#',
    '"',
    "'",
    '[',
    ']',
    '{',
    '}',
    ',',
    '>',
    '|',
    '&',
    '*',
    '!',
    '?',
    '\t',
    'x',
    '1',
    '.',
    '\\',
  ),
  fc.boolean(),
);

describe('the fast YAML reader on random documents (property)', () => {
  it(`gives the library's result on documents of the subset's grammar (${RUNS} runs)`, () => {
    let fast = 0;
    fc.assert(
      fc.property(documentArb, (text) => {
        const r = sameQuick(text);
        if (r.fast) fast++;
        if (!r.equal) expect(readYamlFast(text, 1)).toEqual(readYamlWithLibrary('f.md', text, 1));
        return r.equal;
      }),
      { numRuns: RUNS },
    );
    // Most of the documents are inside the subset, or the property would prove little.
    expect(fast).toBeGreaterThan(RUNS * 0.3);
  }, 120_000);

  it(`gives the library's result on short strings of YAML's punctuation (${RUNS * 5} runs)`, () => {
    const unit = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom('a', 'b: ', 'c:', '\n', '\n  ', '\n- ', '- ', ' ', '1', 'x y') },
      { weight: 1, arbitrary: fc.constantFrom(...':-#[]{},\'"|>.~\\', ' #', ', ') },
    );
    let fast = 0;
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (text) => {
        const r = sameQuick(text);
        if (r.fast) fast++;
        if (!r.equal) expect(readYamlFast(text, 1)).toEqual(readYamlWithLibrary('f.md', text, 1));
        return r.equal;
      }),
      { numRuns: RUNS * 5 },
    );
    expect(fast).toBeGreaterThan(RUNS * 0.25);
  }, 120_000);

  it(`gives the library's result on documents with random edits (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(documentArb, fc.array(editArb, { minLength: 1, maxLength: 3 }), (text, edits) => {
        let edited = text;
        for (const [at, ch, remove] of edits) {
          const p = at % (edited.length + 1);
          edited = edited.slice(0, p) + ch + edited.slice(remove ? p + 1 : p);
        }
        const r = sameQuick(edited);
        if (!r.equal) expect(readYamlFast(edited, 1)).toEqual(readYamlWithLibrary('f.md', edited, 1));
        return r.equal;
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
