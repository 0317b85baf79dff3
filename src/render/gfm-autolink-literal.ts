import type { StateInline } from 'markdown-it';
import {
  isAsciiAlpha,
  isAsciiAlphanumeric,
  isAsciiControl,
  isSpaceOrLineEnding,
  isUnicodePunctuation,
  isUnicodeWhitespace,
} from './gfm-chars.js';

/**
 * GFM autolink literals (`www.example.com`, `https://example.com`, `ops@example.com`) exactly as
 * remark-gfm finds them, in its two steps:
 *
 * 1. while parsing inline text (micromark-extension-gfm-autolink-literal): `autolinkLiteralRule`
 *    below, a port of its tokenizers, so a literal takes precedence over emphasis, code and the
 *    like inside it, just as there;
 * 2. after parsing, a find-and-replace over every text outside links
 *    (mdast-util-gfm-autolink-literal): `findAutolinkLiterals`, used by the hast converter.
 */

// ---------------------------------------------------------------------------------------------
// 1. The inline tokenizers.

const at = (src: string, pos: number, max: number): number => (pos < max ? src.charCodeAt(pos) : NaN);
const isEnd = (c: number): boolean => Number.isNaN(c) || isSpaceOrLineEnding(c) || isUnicodeWhitespace(c);

const gfmAtext = (c: number): boolean => c === 43 || c === 45 || c === 46 || c === 95 || isAsciiAlphanumeric(c);
const previousEmail = (c: number): boolean => !(c === 47 || gfmAtext(c));
const previousProtocol = (c: number): boolean => !isAsciiAlpha(c);
const previousWww = (c: number): boolean =>
  Number.isNaN(c) || c === 40 || c === 42 || c === 95 || c === 91 || c === 93 || c === 126 || isSpaceOrLineEnding(c);

/** Trailing punctuation that ends a literal when nothing but more of it (or its end) follows. */
function isTrail(src: string, pos: number, max: number): boolean {
  let p = pos;
  for (;;) {
    const c = at(src, p, max);
    // ! " ' ) * , . : ; ? _ ~
    if (
      c === 33 ||
      c === 34 ||
      c === 39 ||
      c === 41 ||
      c === 42 ||
      c === 44 ||
      c === 46 ||
      c === 58 ||
      c === 59 ||
      c === 63 ||
      c === 95 ||
      c === 126
    ) {
      p++;
    } else if (c === 38) {
      // `&` + letters + `;` (looks like a character reference).
      p++;
      if (!isAsciiAlpha(at(src, p, max))) return false;
      while (isAsciiAlpha(at(src, p, max))) p++;
      if (at(src, p, max) !== 59) return false;
      p++;
    } else if (c === 93) {
      p++;
      const next = at(src, p, max);
      if (next === 40 || next === 91 || isEnd(next)) return true;
    } else {
      return c === 60 || isEnd(c);
    }
  }
}

/** End of a domain starting at `pos`, or -1. */
function domainEnd(src: string, pos: number, max: number): number {
  let underscoreInLast = false;
  let underscoreInLastLast = false;
  let seen = false;
  let p = pos;
  for (;;) {
    const c = at(src, p, max);
    if (c === 46 || c === 95) {
      if (isTrail(src, p, max)) break;
      if (c === 95) {
        underscoreInLast = true;
      } else {
        underscoreInLastLast = underscoreInLast;
        underscoreInLast = false;
      }
      p++;
      continue;
    }
    if (isEnd(c) || (c !== 45 && isUnicodePunctuation(c))) break;
    seen = true;
    p++;
  }
  return underscoreInLastLast || underscoreInLast || !seen ? -1 : p;
}

function pathEnd(src: string, pos: number, max: number): number {
  let open = 0;
  let close = 0;
  let p = pos;
  for (;;) {
    const c = at(src, p, max);
    if (c === 40) {
      open++;
      p++;
    } else if (c === 41 && close < open) {
      close++;
      p++;
    } else if (
      // ! " & ' ) * , . : ; < ? ] _ ~
      c === 33 ||
      c === 34 ||
      c === 38 ||
      c === 39 ||
      c === 41 ||
      c === 42 ||
      c === 44 ||
      c === 46 ||
      c === 58 ||
      c === 59 ||
      c === 60 ||
      c === 63 ||
      c === 93 ||
      c === 95 ||
      c === 126
    ) {
      if (isTrail(src, p, max)) return p;
      if (c === 41) close++;
      p++;
    } else if (isEnd(c)) {
      return p;
    } else {
      p++;
    }
  }
}

function emailEnd(src: string, pos: number, max: number): number {
  let p = pos;
  while (gfmAtext(at(src, p, max))) p++;
  if (at(src, p, max) !== 64) return -1;
  p++;
  let dot = false;
  let data = false;
  let last = 64;
  for (;;) {
    const c = at(src, p, max);
    if (c === 46) {
      if (!isAsciiAlphanumeric(at(src, p + 1, max))) break;
      dot = true;
      last = c;
      p++;
    } else if (c === 45 || c === 95 || isAsciiAlphanumeric(c)) {
      data = true;
      last = c;
      p++;
    } else {
      break;
    }
  }
  return data && dot && isAsciiAlpha(last) ? p : -1;
}

function wwwEnd(src: string, pos: number, max: number): number {
  for (let k = 0; k < 3; k++) {
    const c = at(src, pos + k, max);
    if (c !== 87 && c !== 119) return -1;
  }
  if (at(src, pos + 3, max) !== 46 || pos + 4 >= max) return -1;
  const domain = domainEnd(src, pos, max);
  return domain < 0 ? -1 : pathEnd(src, domain, max);
}

function protocolEnd(src: string, pos: number, max: number): number {
  let p = pos + 1;
  while (isAsciiAlpha(at(src, p, max)) && p - pos < 5) p++;
  const scheme = src.slice(pos, p).toLowerCase();
  if (at(src, p, max) !== 58 || (scheme !== 'http' && scheme !== 'https')) return -1;
  if (at(src, p + 1, max) !== 47 || at(src, p + 2, max) !== 47) return -1;
  p += 3;
  const c = at(src, p, max);
  if (isEnd(c) || isAsciiControl(c) || isUnicodePunctuation(c)) return -1;
  const domain = domainEnd(src, p, max);
  return domain < 0 ? -1 : pathEnd(src, domain, max);
}

interface Literal {
  end: number;
  url: string;
}

/** The literal micromark would tokenize at `pos` (given the character before it), if any. */
function literalAt(src: string, pos: number, max: number, previous: number): Literal | undefined {
  const c = src.charCodeAt(pos);
  if (gfmAtext(c) && previousEmail(previous)) {
    const end = emailEnd(src, pos, max);
    if (end >= 0) return { end, url: `mailto:${src.slice(pos, end)}` };
  }
  if ((c === 72 || c === 104) && previousProtocol(previous)) {
    const end = protocolEnd(src, pos, max);
    if (end >= 0) return { end, url: src.slice(pos, end) };
  }
  if ((c === 87 || c === 119) && previousWww(previous)) {
    const end = wwwEnd(src, pos, max);
    if (end >= 0) return { end, url: `http://${src.slice(pos, end)}` };
  }
  return undefined;
}

interface BracketScan {
  pos: number;
  depth: number;
}
const bracketScans = new WeakMap<StateInline, BracketScan>();
/** Literals found so far (start → end): their brackets are no labels. */
const literalRanges = new WeakMap<StateInline, Map<number, number>>();

/**
 * micromark does not start a literal while a `[` (or `![`) before it is still unclosed. Tracked
 * by scanning the source once per inline run (backslash escapes and code spans skipped).
 */
function insideOpenLabel(state: StateInline, pos: number): boolean {
  const src = state.src;
  let scan = bracketScans.get(state);
  if (!scan || scan.pos > pos) {
    scan = { pos: 0, depth: 0 };
    bracketScans.set(state, scan);
  }
  let p = scan.pos;
  let depth = scan.depth;
  const literals = literalRanges.get(state);
  while (p < pos) {
    const c = src.charCodeAt(p);
    const literalEnd = literals?.get(p);
    if (literalEnd !== undefined) {
      p = literalEnd;
    } else if (c === 92) {
      p += 2;
    } else if (c === 91) {
      depth++;
      p++;
    } else if (c === 93) {
      if (depth > 0) depth--;
      p++;
    } else if (c === 96) {
      let q = p;
      while (src.charCodeAt(q) === 96) q++;
      const fence = src.slice(p, q);
      let close = src.indexOf(fence, q);
      while (close >= 0 && (src.charCodeAt(close + fence.length) === 96 || src.charCodeAt(close - 1) === 96)) {
        let r = close;
        while (src.charCodeAt(r) === 96) r++;
        close = src.indexOf(fence, r);
      }
      p = close >= 0 && close + fence.length <= pos ? close + fence.length : q;
    } else {
      p++;
    }
  }
  scan.pos = p;
  scan.depth = depth;
  return depth > 0;
}

/** Inline rule (runs before `text`): a literal starting here becomes a link. Inside a link's
 * text the label's `[` is still open, so none is found there; nor in an image's (markdown-it
 * parses that apart, `gfmInImage` tells). */
export function autolinkLiteralRule(state: StateInline, silent: boolean): boolean {
  if ((state.env as { gfmInImage?: number }).gfmInImage) return false;
  const pos = state.pos;
  const literal = literalAt(state.src, pos, state.posMax, pos > 0 ? state.src.charCodeAt(pos - 1) : NaN);
  if (!literal || insideOpenLabel(state, pos)) return false;
  let literals = literalRanges.get(state);
  if (!literals) literalRanges.set(state, (literals = new Map()));
  literals.set(pos, literal.end);
  if (!silent) {
    const open = state.push('link_open', 'a', 1);
    open.attrs = [['href', literal.url]];
    open.markup = 'linkify';
    open.info = 'auto';
    const text = state.push('text', '', 0);
    text.content = state.src.slice(pos, literal.end);
    state.push('link_close', 'a', -1).markup = 'linkify';
  }
  state.pos = literal.end;
  return true;
}

/** markdown-it's own terminators: characters where some inline rule may start. */
function isTerminator(c: number): boolean {
  switch (c) {
    case 0x0a:
    case 0x21:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
    case 0x2a:
    case 0x2b:
    case 0x2d:
    case 0x3a:
    case 0x3c:
    case 0x3d:
    case 0x3e:
    case 0x40:
    case 0x5b:
    case 0x5c:
    case 0x5d:
    case 0x5e:
    case 0x5f:
    case 0x60:
    case 0x7b:
    case 0x7d:
    case 0x7e:
      return true;
    default:
      return false;
  }
}

/**
 * The first `@` at or after a position of an inline parse's text (infinity when none), kept for
 * the rule's next calls in that parse: `[from, at]`, the first `@` at or after `from` is at `at`,
 * so it is for every position between (a link's label is scanned ahead, then the parse goes back
 * to its `[`: a position before `from` looks again). Keyed by the parse, not by its text: two
 * texts compare by their characters, and a text equal to the last one (a repeated line) cost a
 * whole comparison at every call.
 */
const atOf = new WeakMap<StateInline, { from: number; at: number }>();
function nextAt(state: StateInline, pos: number): number {
  let known = atOf.get(state);
  if (known === undefined || pos < known.from || pos > known.at) {
    const found = state.src.indexOf('@', pos);
    known = { from: pos, at: found < 0 ? Number.POSITIVE_INFINITY : found };
    atOf.set(state, known);
  }
  return known.at;
}

/**
 * Replaces markdown-it's `text` rule: plain text runs up to the next terminator, and also stop
 * where a literal may start (the start of a word that could be `www.`, `http(s)://` or an email
 * address), so `autolinkLiteralRule` gets to look there.
 */
export function textRule(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const max = state.posMax;
  let pos = state.pos;
  if (isTerminator(src.charCodeAt(pos))) return false;
  let previous = src.charCodeAt(pos);
  pos++;
  // No email address starts before here: the `@` an address needs is not in the text, or the
  // word scanned last ends without one (and so does the rest of that word). Each word start
  // scanned its word for an `@`: the rule's own time in a worker thread's profile went from 167
  // to ~80 ms per 500 pages (docs/performance.md, "cold13render").
  let noEmailBefore = nextAt(state, pos) > max ? max : pos;
  while (pos < max) {
    const c = src.charCodeAt(pos);
    if (isTerminator(c)) break;
    // after an ASCII letter no literal starts (most characters of a text: the checks below are skipped)
    if (isAsciiAlpha(previous)) {
      previous = c;
      pos++;
      continue;
    }
    if (((c === 72 || c === 104) && previousProtocol(previous)) || ((c === 87 || c === 119) && previousWww(previous))) break;
    if (pos >= noEmailBefore && gfmAtext(c) && previousEmail(previous)) {
      let q = pos + 1;
      while (q < max && gfmAtext(src.charCodeAt(q))) q++;
      if (src.charCodeAt(q) === 64) break;
      noEmailBefore = q;
    }
    previous = c;
    pos++;
  }
  if (!silent) state.pending += src.slice(state.pos, pos);
  state.pos = pos;
  return true;
}

// ---------------------------------------------------------------------------------------------
// 2. The find-and-replace over text.

/** A piece of a text node after the find-and-replace: plain text, or a link. */
export type TextPiece = string | { url: string; text: string };

type Replace = (match: RegExpExecArray) => TextPiece[] | false;

const isPunctuationOrSpace = (c: number) => isUnicodeWhitespace(c) || isUnicodePunctuation(c);

function previousOk(match: RegExpExecArray): boolean {
  return match.index === 0 || isPunctuationOrSpace(match.input.charCodeAt(match.index - 1));
}

function isCorrectDomain(domain: string): boolean {
  const parts = domain.split('.');
  const bad = (part: string | undefined) => part !== undefined && part !== '' && (/_/.test(part) || !/[\dA-Za-z]/.test(part));
  return !(parts.length < 2 || bad(parts[parts.length - 1]) || bad(parts[parts.length - 2]));
}

function count(value: string, character: string): number {
  let n = 0;
  for (let i = value.indexOf(character); i >= 0; i = value.indexOf(character, i + 1)) n++;
  return n;
}

function splitUrl(url: string): [string, string | undefined] {
  let index = url.length;
  while (index > 0) {
    const c = url.charCodeAt(index - 1);
    if (
      c === 33 ||
      c === 34 ||
      c === 38 ||
      c === 39 ||
      c === 41 ||
      c === 44 ||
      c === 46 ||
      c === 58 ||
      c === 59 ||
      c === 60 ||
      c === 62 ||
      c === 63 ||
      c === 93 ||
      c === 125
    ) {
      index--;
    } else {
      break;
    }
  }
  if (index === url.length) return [url, undefined];
  let trail = url.slice(index);
  let head = url.slice(0, index);
  let closing = trail.indexOf(')');
  const opening = count(head, '(');
  let closed = count(head, ')');
  while (closing !== -1 && opening > closed) {
    head += trail.slice(0, closing + 1);
    trail = trail.slice(closing + 1);
    closing = trail.indexOf(')');
    closed++;
  }
  return [head, trail];
}

const findUrl: Replace = (match) => {
  let protocol = match[1]!;
  let domain = match[2]!;
  const path = match[3]!;
  if (!previousOk(match)) return false;
  let prefix = '';
  if (/^w/i.test(protocol)) {
    domain = protocol + domain;
    protocol = '';
    prefix = 'http://';
  }
  if (isUnicodePunctuation(domain.charCodeAt(0)) || !isCorrectDomain(domain)) return false;
  const [url, trail] = splitUrl(domain + path);
  const link = { url: prefix + protocol + url, text: protocol + url };
  return trail ? [link, trail] : [link];
};

const findXmpp: Replace = (match) => {
  const [value, atext, label, resource] = match as unknown as [string, string, string, string | undefined];
  if (/[\d\-_]$/.test(label) || (resource && (!/[A-Za-z]$/.test(resource) || match.input.charAt(match.index + value.length) === '@'))) {
    return false;
  }
  const text = `xmpp:${atext}@${label}${resource ?? ''}`;
  return [{ url: text, text }];
};

const findMailto: Replace = (match) => {
  if (/[\d\-_]$/.test(match[2]!)) return false;
  const text = `mailto:${match[1]!}@${match[2]!}`;
  return [{ url: text, text }];
};

const findEmail: Replace = (match) => {
  if (/[\d\-_]$/.test(match[2]!)) return false;
  const text = `${match[1]!}@${match[2]!}`;
  return [{ url: `mailto:${text}`, text }];
};

/** Each pass: what it finds, what it makes of a match, and a character every match holds (a text without it is not searched). */
const PASSES: Array<[RegExp, Replace, string]> = [
  [/(?<![\da-z])(https?:\/\/|www(?=\.))([\w-]*\.[\w\-.]*)([^\t\n\r ]*)/gi, findUrl, '.'],
  [/(?<![\w+\-.@])xmpp:([\w+\-.]+)@([\w-]+(?:\.[\w-]+)+)(\/(?:[\w\-/]|\.(?=[\dA-Za-z]))*)?/g, findXmpp, '@'],
  [/(?<![\w+\-.@])mailto:([\w+\-.]+)@([\w-]+(?:\.[\w-]+)+)/g, findMailto, '@'],
  [/(?<![\w+\-.]|(?:^|[^\d@A-Za-z])(?:mailto|xmpp):)([\w+\-.]+)@([\w-]+(?:\.[\w-]+)+)/g, findEmail, '@'],
];

/** mdast-util-find-and-replace on one text value, for one pattern. */
function replaceIn(value: string, find: RegExp, replace: Replace): TextPiece[] {
  const pieces: TextPiece[] = [];
  const add = (piece: TextPiece) => {
    const last = pieces.length - 1;
    if (typeof piece === 'string' && typeof pieces[last] === 'string') pieces[last] += piece;
    else pieces.push(piece);
  };
  let start = 0;
  let changed = false;
  find.lastIndex = 0;
  let match = find.exec(value);
  while (match) {
    const position = match.index;
    const result = replace(match);
    if (result === false) {
      find.lastIndex = position + 1;
    } else {
      if (start !== position) add(value.slice(start, position));
      for (const piece of result) add(piece);
      start = position + match[0].length;
      changed = true;
    }
    match = find.exec(value);
  }
  if (!changed) return [value];
  if (start < value.length) add(value.slice(start));
  return pieces;
}

/** The pieces remark-gfm's autolink-literal transform makes of one text node (outside links). */
export function findAutolinkLiterals(value: string): TextPiece[] {
  let pieces: TextPiece[] = [value];
  for (const [find, replace, needs] of PASSES) {
    const next: TextPiece[] = [];
    for (const piece of pieces) {
      // (the e-mail pattern, with no character to start from, tries every position of a text)
      if (typeof piece === 'string' && piece.includes(needs)) next.push(...replaceIn(piece, find, replace));
      else next.push(piece);
    }
    pieces = next;
  }
  return pieces;
}
