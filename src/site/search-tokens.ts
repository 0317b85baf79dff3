/**
 * The tokens of a text as MiniSearch's default tokenizer splits them, counted for the site's
 * search index (`search-index.ts`).
 */

/** The characters MiniSearch's default tokenizer splits at (its `SPACE_OR_PUNCTUATION` is a run of them). */
const SEPARATOR_CLASS = '[\\n\\r\\p{Z}\\p{P}]';
/** One of them. */
const ONE_SEPARATOR = new RegExp(`^${SEPARATOR_CLASS}$`, 'u');
/** A run of them: MiniSearch's `SPACE_OR_PUNCTUATION` itself. */
export const SEPARATORS = new RegExp(`${SEPARATOR_CLASS}+`, 'u');
/** Which ASCII characters that tokenizer splits at (worked out from it, not listed by hand). */
const ASCII_SEPARATOR = Uint8Array.from({ length: 128 }, (_, c) => (ONE_SEPARATOR.test(String.fromCharCode(c)) ? 1 : 0));
/** The same for other characters (code points), as they are met. */
const otherSeparator = new Map<number, boolean>();

function isSeparator(code: number): boolean {
  if (code < 128) return ASCII_SEPARATOR[code] === 1;
  let yes = otherSeparator.get(code);
  if (yes === undefined) otherSeparator.set(code, (yes = ONE_SEPARATOR.test(String.fromCodePoint(code))));
  return yes;
}

/** What the index keeps of one text: its number of distinct tokens (the empty one too), its terms and their counts in the order first met. */
export type TextAnalysis = [length: number, terms: string[], counts: number[]];

/** FNV-1a over a token's UTF-16 units, computed while the text is scanned. */
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** The table starts again from empty, between two texts, past this many distinct tokens (~3 MB of table). */
const MAX_TOKENS = 1 << 16;
const FIRST_SIZE = 1 << 12;

/**
 * Counts tokens without making a string or a map entry per occurrence: each distinct token is
 * kept once, with its term, in an open-addressing table kept across texts (a shard's texts
 * share most of their words). A token is looked up by a hash computed while scanning and
 * compared in place (`startsWith`); a text's counts are marked with the text's number, so the
 * table is not cleared between texts. Only a token never seen before is cut out of the text
 * and given its term (`termOf`).
 */
export class TokenTable {
  private mask = 0;
  private keys: (string | undefined)[] = [];
  private hashes = new Int32Array(0);
  /** Per slot: the number of its token's term in `terms`, -1 when the token has none. */
  private termOf = new Int32Array(0);
  private counts = new Int32Array(0);
  private stamps = new Int32Array(0);
  private used = 0;
  private terms: string[] = [];
  private termNumbers = new Map<string, number>();
  private termCounts = new Int32Array(0);
  private termStamps = new Int32Array(0);
  /** The number of the text being counted (0: none yet). */
  private stamp = 0;
  /** Slots of the text's distinct tokens, first met first. */
  private readonly order: number[] = [];

  constructor(private readonly termOfToken: (token: string) => string) {
    this.reset();
  }

  analyse(text: string): TextAnalysis {
    if (this.used > MAX_TOKENS || this.stamp === 0x3fffffff) this.reset();
    this.stamp++;
    this.scan(text);
    const numbers: number[] = [];
    for (const slot of this.order) {
      const n = this.termOf[slot]!;
      if (n < 0) continue;
      // tokens with the same term (whatever their case or diacritics) count together
      if (this.termStamps[n] === this.stamp) this.termCounts[n]! += this.counts[slot]!;
      else {
        this.termStamps[n] = this.stamp;
        this.termCounts[n] = this.counts[slot]!;
        numbers.push(n);
      }
    }
    const length = this.order.length;
    this.order.length = 0;
    return [length, numbers.map((n) => this.terms[n]!), numbers.map((n) => this.termCounts[n]!)];
  }

  /** Each token of `text`, split as MiniSearch does (empty tokens too, where the text starts or ends with a separator). */
  private scan(text: string): void {
    const n = text.length;
    let i = 0;
    for (;;) {
      const start = i;
      let hash = FNV_OFFSET;
      // up to the next separator (a code point: two UTF-16 units past the BMP)
      while (i < n) {
        const unit = text.charCodeAt(i);
        if (unit < 128) {
          if (ASCII_SEPARATOR[unit] === 1) break;
          hash = Math.imul(hash ^ unit, FNV_PRIME);
          i++;
          continue;
        }
        const code = text.codePointAt(i)!;
        if (isSeparator(code)) break;
        hash = Math.imul(hash ^ unit, FNV_PRIME);
        if (code > 0xffff) hash = Math.imul(hash ^ text.charCodeAt(i + 1), FNV_PRIME);
        i += code > 0xffff ? 2 : 1;
      }
      this.add(text, start, i, hash);
      if (i >= n) return;
      for (let code = 0; i < n && isSeparator((code = text.codePointAt(i)!)); ) i += code > 0xffff ? 2 : 1;
    }
  }

  /** Counts the token `text[start, end)`. */
  private add(text: string, start: number, end: number, hash: number): void {
    const length = end - start;
    let slot = hash & this.mask;
    for (let key = this.keys[slot]; key !== undefined; key = this.keys[slot]) {
      if (this.hashes[slot] === hash && key.length === length && text.startsWith(key, start)) {
        if (this.stamps[slot] === this.stamp) this.counts[slot]!++;
        else this.firstInText(slot);
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    const token = text.slice(start, end);
    this.keys[slot] = token;
    this.hashes[slot] = hash;
    this.termOf[slot] = this.termNumber(token);
    this.firstInText(slot);
    if (++this.used * 2 > this.keys.length) this.grow();
  }

  private firstInText(slot: number): void {
    this.stamps[slot] = this.stamp;
    this.counts[slot] = 1;
    this.order.push(slot);
  }

  private termNumber(token: string): number {
    const term = this.termOfToken(token);
    if (!term) return -1;
    let n = this.termNumbers.get(term);
    if (n === undefined) {
      this.termNumbers.set(term, (n = this.terms.length));
      this.terms.push(term);
      if (n >= this.termCounts.length) {
        this.termCounts = grown(this.termCounts, n * 2);
        this.termStamps = grown(this.termStamps, n * 2);
      }
    }
    return n;
  }

  /** Twice the slots, every token moved to its place in them (the text's `order` too). */
  private grow(): void {
    const { keys, hashes, termOf, counts, stamps } = this;
    this.allocate(keys.length * 2);
    const moved = new Int32Array(keys.length);
    keys.forEach((key, from) => {
      if (key === undefined) return;
      let slot = hashes[from]! & this.mask;
      while (this.keys[slot] !== undefined) slot = (slot + 1) & this.mask;
      this.keys[slot] = key;
      this.hashes[slot] = hashes[from]!;
      this.termOf[slot] = termOf[from]!;
      this.counts[slot] = counts[from]!;
      this.stamps[slot] = stamps[from]!;
      moved[from] = slot;
    });
    this.order.forEach((from, k) => (this.order[k] = moved[from]!));
  }

  private allocate(size: number): void {
    this.mask = size - 1;
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.hashes = new Int32Array(size);
    this.termOf = new Int32Array(size);
    this.counts = new Int32Array(size);
    this.stamps = new Int32Array(size);
  }

  /** Nothing seen yet. */
  private reset(): void {
    this.allocate(FIRST_SIZE);
    this.used = 0;
    this.stamp = 0;
    this.terms = [];
    this.termNumbers = new Map();
    this.termCounts = new Int32Array(256);
    this.termStamps = new Int32Array(256);
  }
}

function grown(array: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(size);
  bigger.set(array);
  return bigger;
}
