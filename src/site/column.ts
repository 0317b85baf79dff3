/**
 * Strings joined by a separator, read one at a time: the state keeps per-incident strings
 * (digests, titles, links) this way, because splitting 10,000 of each into separate strings
 * on every build — and collecting them as garbage — costs more than the few that are read.
 * Where each entry starts is kept with the text (finding it again costs a scan of the text).
 * The values must not contain the separator.
 */
/** Entries compared at a time by `Column.differences`. */
const DIFFERENCES_BLOCK = 128;

export class Column {
  private offsets?: Uint32Array;

  /**
   * `count` entries (an empty text is no entries when `count` is 0, one empty entry when 1);
   * `offsets`, when known: where each entry starts, then where the one after the last would.
   */
  constructor(
    readonly text: string,
    readonly separator: string,
    readonly count: number,
    offsets?: Uint32Array,
  ) {
    this.offsets = offsets;
  }

  static of(values: readonly string[], separator: string): Column {
    const offsets = new Uint32Array(values.length + 1);
    let at = 0;
    values.forEach((v, n) => {
      offsets[n] = at;
      at += v.length + separator.length;
    });
    offsets[values.length] = at;
    return new Column(values.join(separator), separator, values.length, offsets);
  }

  /** A column again from its structured clone (sent to a worker thread), which keeps the fields but not the class. */
  static revive(clone: Column): Column {
    const c = clone as unknown as { text: string; separator: string; count: number; offsets?: Uint32Array };
    return new Column(c.text, c.separator, c.count, c.offsets);
  }

  get length(): number {
    return this.count;
  }

  /** Where each entry starts, and (last) where the one after the last would. */
  index(): Uint32Array {
    if (!this.offsets) {
      const o = new Uint32Array(this.count + 1);
      let at = 0;
      for (let n = 0; n < this.count; n++) {
        o[n] = at;
        const end = this.text.indexOf(this.separator, at);
        at = end < 0 ? this.text.length + this.separator.length : end + this.separator.length;
      }
      o[this.count] = at;
      this.offsets = o;
    }
    return this.offsets;
  }

  /**
   * Whether the text and the offsets agree (a damaged state is not used). The loop reads each
   * offset once, into locals: it runs once per column of the state (11 × 10,000 at 10,000
   * incidents, cold code), where reading the separator's length and two offsets a step cost twice
   * as much (5.6 → 2.7 ms for the 11 columns, medians of 12 fresh processes, load ~15).
   */
  valid(): boolean {
    const o = this.index();
    const count = this.count;
    if (o.length !== count + 1) return false;
    if (count === 0) return this.text === '';
    const gap = this.separator.length;
    let at = o[0]!;
    if (at !== 0) return false;
    for (let n = 1; n <= count; n++) {
      const next = o[n]!;
      if (next < at + gap) return false;
      at = next;
    }
    return at === this.text.length + gap;
  }

  get(n: number): string {
    const o = this.index();
    return this.text.slice(o[n]!, o[n + 1]! - this.separator.length);
  }

  /** The entry in which character `at` of the text lies (a separator goes with the entry before it): a binary search of the offsets. */
  entryAt(at: number): number {
    const o = this.index();
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (o[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Whether entry `n` is `value`, without making a string of it. */
  equals(n: number, value: string): boolean {
    const o = this.index();
    return o[n + 1]! - this.separator.length - o[n]! === value.length && this.text.startsWith(value, o[n]!);
  }

  /**
   * The positions whose entries differ from `other`'s (a column of as many entries, with the
   * same separator), in order. A block of entries whose text is the same in both is skipped
   * with one comparison (the values hold no separator: the same text is the same entries), so
   * that one edit among 10,000 does not make a string of each entry.
   */
  differences(other: Column): number[] {
    const found: number[] = [];
    if (this.text === other.text) return found;
    const a = this.index();
    const b = other.index();
    for (let from = 0; from < this.count; from += DIFFERENCES_BLOCK) {
      const to = Math.min(from + DIFFERENCES_BLOCK, this.count);
      if (this.text.slice(a[from], a[to]) === other.text.slice(b[from], b[to])) continue;
      for (let n = from; n < to; n++) if (!this.equals(n, other.get(n))) found.push(n);
    }
    return found;
  }

  values(): string[] {
    return this.count === 0 ? [] : this.text.split(this.separator);
  }

  /** The same entries with some replaced (by position). */
  with(changes: ReadonlyMap<number, string>): Column {
    if (changes.size === 0) return this;
    const o = this.index();
    const offsets = o.slice();
    let text = '';
    let last = 0;
    let shift = 0;
    let from = 0;
    for (const n of [...changes.keys()].sort((a, b) => a - b)) {
      const value = changes.get(n)!;
      // entries up to this one move by what the changes before them added
      for (let k = from; k <= n; k++) offsets[k] = o[k]! + shift;
      text += this.text.slice(last, o[n]) + value;
      last = o[n + 1]! - this.separator.length;
      shift += value.length - (o[n + 1]! - this.separator.length - o[n]!);
      from = n + 1;
    }
    for (let k = from; k <= this.count; k++) offsets[k] = o[k]! + shift;
    return new Column(text + this.text.slice(last), this.separator, this.count, offsets);
  }
}

/** A column as kept in a file: its text, its number of entries and where they start. */
export type Kept = [text: string, count: number, offsets: Uint32Array];

export const keptColumn = (c: Column): Kept => [c.text, c.count, c.index()];

export const columnOf = (k: Kept, separator: string): Column => new Column(k[0], separator, k[1], k[2]);
