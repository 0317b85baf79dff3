import type { NodePosition, YamlResult } from './yaml.js';
import { UNPRINTABLE } from './unprintable.js';

/**
 * A reader for the plain YAML that incident front-matter nearly always is, with exactly the
 * result `readYaml` gets from the `yaml` library (data, positions and their order, no
 * problems). The library builds a CST, a document and a JS copy of it; for the cold database
 * build that was the largest single cost. This reader goes line by line over a small subset:
 *
 * - block mappings whose keys are plain words (letters, digits, `_`, ` `, `.`, `/`, `-`,
 *   starting with a letter or `_`), block sequences (also at their key's indent, and with
 *   `- key: value` maps), `key:` with nothing after it;
 * - one-line plain, single-quoted and double-quoted scalars, typed as the core schema does;
 * - one-line flow sequences and maps of such scalars (not nested);
 * - `>`, `>-`, `|` and `|-` block scalars whose lines all have the same indent and no
 *   blank lines between them;
 * - blank lines, comment lines and ` # comments` after a value.
 *
 * Anything else — tabs, CR, anchors, aliases, tags, `?` keys, quoted keys, duplicate keys,
 * multi-line plain or quoted scalars, nested or multi-line flow collections, document markers,
 * directives, unusual characters — makes it return undefined, and the library reads the text
 * (and reports the problems, if any). `test/yaml-fast.test.ts` checks both give the same result.
 */
export function readYamlFast(source: string, lineOffset: number): YamlResult | undefined {
  if (UNSUPPORTED.test(source) || MARKER.test(source)) return undefined;
  if (SURROGATE.test(source) && LONE_SURROGATE.test(source)) return undefined;
  try {
    return new Reader(source, lineOffset).document();
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
}

/** Thrown when the text leaves the subset (a plain object: no stack to capture). */
const BAIL = { bail: true };
function bail(): never {
  throw BAIL;
}

/**
 * Characters the subset leaves to the library: tabs, CR and other controls, NEL, line and
 * paragraph separators, BOMs, non-characters and (checked only if there are surrogates at
 * all, as that test is slow) lone surrogates.
 */
const UNSUPPORTED = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Document markers and directives. */
const MARKER = /^(?:---|\.\.\.|%)/m;
/** A block mapping key and its `:` (with the space after it, if any). */
const KEY = /([A-Za-z_][A-Za-z0-9_ ./-]*):(?: |$)/y;
/** A flow mapping key: its value must follow on the same line. */
const FLOW_KEY = /([A-Za-z_][A-Za-z0-9_ ./-]*): /y;
/** Keys the core schema would not read as strings, and `__proto__` (which, as a property, sets a prototype). */
const ODD_KEY = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|__proto__)$|\s$/;
/** Characters that cannot start a plain scalar here (`-` is checked on its own). */
const NOT_PLAIN_START = new Set([...'?:,[]{}#&*!|>\'"%@`']);
/** Characters that end a plain scalar in a flow collection, or that this reader refuses there. */
const FLOW_STOP = new Set([...',[]{}:#']);

// The core schema's scalar tests, in the library's order (see yaml/dist/schema/core).
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** First characters of every plain scalar that is not a string. */
const MAYBE_TYPED = /^[-+.0-9~nNtTfF]/;

/** A plain scalar's value, resolved as the core schema resolves it. */
export function plainScalar(s: string): unknown {
  if (!MAYBE_TYPED.test(s)) return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return parseInt(s.substring(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.substring(2), 16);
  if (FLOAT_NAN.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}

/** Double-quoted escapes with a fixed meaning (as in the library's resolve-flow-scalar). */
const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};
const HEX = /^[0-9a-fA-F]+$/;

const SPACE = 0x20;
const HASH = 0x23;

function indentOf(line: string): number {
  let n = 0;
  while (line.charCodeAt(n) === SPACE) n++;
  return n;
}

/** `-` followed by a space or the end of the line at `col`: a block sequence entry. */
function isEntry(line: string, col: number): boolean {
  return line.charCodeAt(col) === 0x2d && (col + 1 === line.length || line.charCodeAt(col + 1) === SPACE);
}

const child = (path: string, segment: string | number) => (path === '' ? String(segment) : `${path}.${segment}`);

class Reader {
  private readonly lines: string[];
  /** Each line's indent, or -1 for a blank or comment-only line. */
  private readonly indent: Int32Array;
  private readonly positions: Record<string, NodePosition> = Object.create(null);
  /** The line being read (the last one consumed). */
  private i = 0;

  constructor(
    source: string,
    private readonly lineOffset: number,
  ) {
    this.lines = source.split('\n');
    this.indent = new Int32Array(this.lines.length);
    this.lines.forEach((line, j) => {
      const n = indentOf(line);
      this.indent[j] = n === line.length || line.charCodeAt(n) === HASH ? -1 : n;
    });
  }

  document(): YamlResult {
    const first = this.nextContent(0);
    if (first === this.lines.length || this.indent[first] !== 0) bail();
    this.i = first;
    this.record('', first, 0);
    const data = this.collection(0, '');
    if (this.nextContent(this.i + 1) !== this.lines.length) bail();
    return { data, positions: this.positions, problems: [] };
  }

  /** The first line at or after `from` with content, or the number of lines. */
  private nextContent(from: number): number {
    const { indent } = this;
    let j = from;
    while (j < indent.length && indent[j] === -1) j++;
    return j;
  }

  /** Records a value's position (0-based line and column in, 1-based file position out). */
  private record(path: string, line: number, column: number, keyLine = -1, keyColumn = -1): void {
    const { lineOffset } = this;
    this.positions[path] =
      keyLine < 0
        ? { line: line + 1 + lineOffset, column: column + 1 }
        : { line: line + 1 + lineOffset, column: column + 1, keyLine: keyLine + 1 + lineOffset, keyColumn: keyColumn + 1 };
  }

  /** The block sequence or mapping starting at column `col` of the current line. */
  private collection(col: number, path: string): unknown {
    return isEntry(this.lines[this.i]!, col) ? this.sequence(col, path) : this.mapping(col, path);
  }

  /** A block mapping whose keys are at column `col`, the first on the current line. */
  private mapping(col: number, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let first = true; ; first = false) {
      if (!first) {
        const j = this.nextContent(this.i + 1);
        if (j === this.lines.length || this.indent[j]! < col) break;
        if (this.indent[j]! > col) bail();
        this.i = j;
      }
      const text = this.lines[this.i]!;
      KEY.lastIndex = col;
      const m = KEY.exec(text);
      if (!m) bail();
      const key = m[1]!;
      // Duplicates are the library's to report; it also limits the length of keys.
      if (key.length > 500 || ODD_KEY.test(key) || Object.hasOwn(out, key)) bail();
      let v = col + m[0].length;
      while (text.charCodeAt(v) === SPACE) v++;
      out[key] = this.mapValue(v, col, child(path, key));
    }
    return out;
  }

  /** The value at column `v` of the current line, after a key at column `col`. */
  private mapValue(v: number, col: number, path: string): unknown {
    const keyLine = this.i;
    const text = this.lines[keyLine]!;
    if (v === text.length || text.charCodeAt(v) === HASH) {
      // Nothing more on the line: a collection on the next lines (a sequence may sit at the
      // key's own indent), else null, placed where the value would have started.
      const j = this.nextContent(keyLine + 1);
      if (j < this.lines.length) {
        const n = this.indent[j]!;
        if (n > col || (n === col && isEntry(this.lines[j]!, n))) {
          this.record(path, j, n, keyLine, col);
          this.i = j;
          return this.collection(n, path);
        }
      }
      this.record(path, keyLine, v, keyLine, col);
      return null;
    }
    this.record(path, keyLine, v, keyLine, col);
    const c = text[v];
    if (c === '|' || c === '>') return this.blockScalar(v, col);
    return this.inline(v, path);
  }

  /** A block sequence whose `-` are at column `col`, the first on the current line. */
  private sequence(col: number, path: string): unknown[] {
    const out: unknown[] = [];
    for (let first = true; ; first = false) {
      if (!first) {
        const j = this.nextContent(this.i + 1);
        if (j === this.lines.length || this.indent[j]! < col) break;
        if (this.indent[j]! > col) bail();
        // A key at a sequence's indent ends it: the caller decides whether that is right.
        if (!isEntry(this.lines[j]!, col)) break;
        this.i = j;
      }
      const line = this.i;
      const text = this.lines[line]!;
      const itemPath = child(path, out.length);
      let v = col + 1;
      while (text.charCodeAt(v) === SPACE) v++;
      if (v === text.length || text.charCodeAt(v) === HASH) {
        const j = this.nextContent(line + 1);
        if (j < this.lines.length && this.indent[j]! > col) {
          this.record(itemPath, j, this.indent[j]!);
          this.i = j;
          out.push(this.collection(this.indent[j]!, itemPath));
        } else {
          this.record(itemPath, line, v);
          out.push(null);
        }
        continue;
      }
      if (isEntry(text, v)) bail(); // `- - x`
      this.record(itemPath, line, v);
      KEY.lastIndex = v;
      out.push(KEY.test(text) ? this.mapping(v, itemPath) : this.inline(v, itemPath));
    }
    return out;
  }

  /**
   * A scalar or flow collection at column `v` of the current line, which must end the line
   * (a comment may follow).
   */
  private inline(v: number, path: string): unknown {
    const text = this.lines[this.i]!;
    const c = text[v]!;
    let value: unknown;
    let end: number;
    if (c === '[' || c === '{') {
      [value, end] = this.flow(text, v, path);
    } else if (c === '"' || c === "'") {
      [value, end] = quoted(text, v);
    } else {
      if (NOT_PLAIN_START.has(c) || isEntry(text, v)) bail();
      let stop = text.indexOf(' #', v);
      if (stop < 0) stop = text.length;
      while (text.charCodeAt(stop - 1) === SPACE) stop--;
      const s = text.slice(v, stop);
      // `a: b: c` is an error, and `a: b:` a nested key: both the library's to judge.
      if (s.includes(': ') || s.endsWith(':')) bail();
      return plainScalar(s);
    }
    // After a quoted scalar or flow collection: spaces, then nothing or a comment.
    let p = end;
    while (text.charCodeAt(p) === SPACE) p++;
    if (p < text.length && (p === end || text.charCodeAt(p) !== HASH)) bail();
    return value;
  }

  /** A one-line flow sequence or mapping of scalars at column `v`, and the column after it. */
  private flow(text: string, v: number, path: string): [unknown, number] {
    const isMap = text[v] === '{';
    const close = isMap ? '}' : ']';
    const map: Record<string, unknown> = {};
    const seq: unknown[] = [];
    let p = v + 1;
    while (text.charCodeAt(p) === SPACE) p++;
    if (text[p] === close) return [isMap ? map : seq, p + 1];
    for (;;) {
      let key = '';
      let keyColumn = -1;
      if (isMap) {
        FLOW_KEY.lastIndex = p;
        const m = FLOW_KEY.exec(text);
        if (!m) bail();
        key = m[1]!;
        if (ODD_KEY.test(key) || Object.hasOwn(map, key)) bail();
        keyColumn = p;
        p += m[0].length;
        while (text.charCodeAt(p) === SPACE) p++;
      }
      const start = p;
      const c = text[p];
      let value: unknown;
      if (c === '"' || c === "'") {
        [value, p] = quoted(text, p);
      } else {
        // `-` starts a plain scalar only if what follows could continue one.
        if (c === undefined || NOT_PLAIN_START.has(c) || (c === '-' && (text[p + 1] === ' ' || FLOW_STOP.has(text[p + 1] ?? ',')))) bail();
        while (p < text.length && !FLOW_STOP.has(text[p]!)) p++;
        const stop = text[p];
        if (stop !== ',' && stop !== close) bail(); // end of line, nesting, `:` or `#`
        let e = p;
        while (text.charCodeAt(e - 1) === SPACE) e--;
        value = plainScalar(text.slice(start, e));
      }
      if (isMap) {
        map[key] = value;
        this.record(child(path, key), this.i, start, this.i, keyColumn);
      } else {
        this.record(child(path, seq.length), this.i, start);
        seq.push(value);
      }
      while (text.charCodeAt(p) === SPACE) p++;
      if (text[p] === close) return [isMap ? map : seq, p + 1];
      if (text[p] !== ',') bail();
      p++;
      while (text.charCodeAt(p) === SPACE) p++;
      if (text[p] === close || text[p] === ',') bail(); // empty entries
    }
  }

  /**
   * A `>`, `>-`, `|` or `|-` block scalar whose header is at column `v` of the current line,
   * the value of a key in a mapping at column `col`: only lines of one indent, deeper than
   * `col`, with no blank lines between them and no trailing spaces.
   */
  private blockScalar(v: number, col: number): string {
    const header = this.lines[this.i]!.slice(v);
    if (header !== '>' && header !== '>-' && header !== '|' && header !== '|-') bail();
    const { lines } = this;
    let j = this.i + 1;
    if (j === lines.length) bail();
    const indent = indentOf(lines[j]!);
    if (indent <= col || indent === lines[j]!.length) bail();
    const parts: string[] = [];
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line === '') break;
      const n = indentOf(line);
      if (n === line.length || n > indent) bail(); // spaces-only or more-indented lines
      if (n < indent) break;
      if (line.charCodeAt(line.length - 1) === SPACE) bail();
      parts.push(line.slice(indent));
    }
    // Blank lines may end it, but not separate its lines.
    let k = j;
    while (k < lines.length && lines[k] === '') k++;
    if (k > j && k < lines.length) {
      const n = indentOf(lines[k]!);
      if (n >= indent || n === lines[k]!.length) bail();
    }
    this.i = j - 1;
    const text = parts.join(header[0] === '>' ? ' ' : '\n');
    return header.length === 1 ? `${text}\n` : text;
  }
}

/** A one-line quoted scalar starting at column `v`, and the column after its closing quote. */
function quoted(text: string, v: number): [string, number] {
  let out = '';
  let p = v + 1;
  if (text[v] === "'") {
    for (;;) {
      const q = text.indexOf("'", p);
      if (q < 0) bail(); // continues on the next line
      out += text.slice(p, q);
      if (text[q + 1] !== "'") return [out, q + 1];
      out += "'";
      p = q + 2;
    }
  }
  for (;;) {
    const q = text.slice(p).search(/["\\]/);
    if (q < 0) bail();
    out += text.slice(p, p + q);
    p += q;
    if (text[p] === '"') return [out, p + 1];
    const e = text[p + 1];
    if (e === undefined) bail(); // an escaped line break
    const fixed = ESCAPES[e];
    if (fixed !== undefined) {
      // An escaped control character is the library's to read (and `readYaml` reports it).
      if (UNPRINTABLE.test(fixed)) bail();
      out += fixed;
      p += 2;
      continue;
    }
    const length = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    const hex = text.slice(p + 2, p + 2 + length);
    if (length === 0 || hex.length !== length || !HEX.test(hex)) bail();
    const code = parseInt(hex, 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) bail();
    const char = String.fromCodePoint(code);
    if (UNPRINTABLE.test(char)) bail();
    out += char;
    p += 2 + length;
  }
}
