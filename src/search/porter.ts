/**
 * The Porter stemmer exactly as SQLite's FTS5 `porter` tokenizer applies it (`fts5_tokenize.c`),
 * so that the site's search stems words as `postmortem search` does.
 *
 * Why a port and not an npm stemmer: Porter implementations differ in small ways (SQLite's
 * has the later `logi`→`log` and `bli`→`ble` rules, counts `y` as a vowel anywhere but first,
 * passes words under 3 or over 64 bytes through, and works on UTF-8 bytes), and a term that
 * is stemmed differently on the page from the database finds different incidents.
 * `test/search-terms.test.ts` checks it against SQLite itself on a word list.
 *
 * `porterStemmer` is self-contained (no reference outside its body) because its source text
 * is also written into the site's search script (see `terms.ts`): the page runs this very code.
 */
export function porterStemmer(): (word: string) => string {
  const A = 97, E = 101, I = 105, L = 108, O = 111, S = 115, T = 116, U = 117, W = 119, X = 120, Y = 121, Z = 122;
  const MAX_BYTES = 64;
  type Condition = (b: number[], n: number) => boolean;
  /** A rule: this suffix, if what is before it meets the condition, becomes the replacement. */
  type Rule = [suffix: number[], replacement: number[], condition: Condition | null];

  const isVowel = (c: number | undefined, yIsVowel: boolean) => c === A || c === E || c === I || c === O || c === U || (yIsVowel && c === Y);
  /** Past the first vowel-then-consonant run of b[from, from + n): its end (from `from`, counting 1 for the first), or 0. */
  function gobbleVC(b: number[], from: number, n: number, previousConsonant: boolean): number {
    let consonant = previousConsonant;
    let i = 0;
    for (; i < n; i++) if (!(consonant = !isVowel(b[from + i], consonant))) break;
    for (i++; i < n; i++) if ((consonant = !isVowel(b[from + i], consonant))) return i + 1;
    return 0;
  }
  const mGt0: Condition = (b, n) => gobbleVC(b, 0, n, false) > 0;
  const mGt1: Condition = (b, n) => {
    const k = gobbleVC(b, 0, n, false);
    return k > 0 && gobbleVC(b, k, n - k, true) > 0;
  };
  const mEq1: Condition = (b, n) => {
    const k = gobbleVC(b, 0, n, false);
    return k > 0 && gobbleVC(b, k, n - k, true) === 0;
  };
  /** Ends consonant-vowel-consonant, the last not w, x or y. */
  const oStar: Condition = (b, n) => {
    const last = b[n - 1];
    if (last === W || last === X || last === Y) return false;
    let mask = 0;
    let consonant = false;
    for (let i = 0; i < n; i++) {
      consonant = !isVowel(b[i], consonant);
      mask = ((mask << 1) | (consonant ? 1 : 0)) & 7;
    }
    return mask === 5;
  };
  const hasVowel: Condition = (b, n) => {
    for (let i = 0; i < n; i++) if (isVowel(b[i], i > 0)) return true;
    return false;
  };
  const mGt1AndSOrT: Condition = (b, n) => (b[n - 1] === S || b[n - 1] === T) && mGt1(b, n);

  const codes = (s: string) => Array.from(s, (ch) => ch.charCodeAt(0));
  const rules = (condition: Condition | null, pairs: string): Rule[] =>
    pairs.split(' ').map((pair) => {
      const [suffix = '', replacement = ''] = pair.split('>');
      return [codes(suffix), codes(replacement), condition];
    });
  const STEP_1B: Rule[] = [...rules(mGt0, 'eed>ee'), ...rules(hasVowel, 'ed> ing>')];
  const STEP_1B2: Rule[] = rules(null, 'at>ate bl>ble iz>ize');
  const STEP_2: Rule[] = rules(mGt0, 'ational>ate tional>tion enci>ence anci>ance izer>ize logi>log bli>ble alli>al entli>ent eli>e '
    + 'ousli>ous ization>ize ation>ate ator>ate alism>al iveness>ive fulness>ful ousness>ous aliti>al iviti>ive biliti>ble');
  const STEP_3: Rule[] = rules(mGt0, 'ical>ic ness> icate>ic iciti>ic ful> ative> alize>al');
  const STEP_4: Rule[] = [
    ...rules(mGt1, 'al> ance> ence> er> ic> able> ible> ant> ement> ment> ent>'),
    ...rules(mGt1AndSOrT, 'ion>'),
    ...rules(mGt1, 'ou> ism> ate> iti> ous> ive> ize>'),
  ];

  /**
   * Applies the first rule whose suffix ends the word (with at least one letter before it);
   * its condition decides whether it changes the word. The new length, or -1 when no rule applied.
   */
  function apply(b: number[], n: number, list: readonly Rule[]): number {
    for (const [suffix, replacement, condition] of list) {
      const stem = n - suffix.length;
      if (stem < 1 || suffix.some((c, k) => b[stem + k] !== c)) continue;
      if (condition && !condition(b, stem)) return -1;
      replacement.forEach((c, k) => (b[stem + k] = c));
      return stem + replacement.length;
    }
    return -1;
  }
  const applyOr = (b: number[], n: number, list: readonly Rule[]) => {
    const m = apply(b, n, list);
    return m < 0 ? n : m;
  };

  function stem(b: number[]): number {
    let n = b.length;
    if (b[n - 1] === S) {
      if (b[n - 2] === E) n -= (n > 4 && b[n - 4] === S && b[n - 3] === S) || (n > 3 && b[n - 3] === I) ? 2 : 1;
      else if (b[n - 2] !== S) n -= 1;
    }
    const after1b = apply(b, n, STEP_1B);
    // -ed and -ing (two or three letters off; not eed → ee, one letter) go on to the tidying
    if (after1b >= 0 && n - after1b > 1) {
      n = after1b;
      const after1b2 = apply(b, n, STEP_1B2);
      if (after1b2 >= 0) n = after1b2;
      else {
        const c = b[n - 1];
        if (!isVowel(c, false) && c !== L && c !== S && c !== Z && c === b[n - 2]) n--;
        else if (mEq1(b, n) && oStar(b, n)) b[n++] = E;
      }
    } else if (after1b >= 0) n = after1b;
    // step 1c
    if (b[n - 1] === Y && hasVowel(b, n - 1)) b[n - 1] = I;
    n = applyOr(b, n, STEP_2);
    n = applyOr(b, n, STEP_3);
    n = applyOr(b, n, STEP_4);
    // step 5a, 5b
    if (b[n - 1] === E && (mGt1(b, n - 1) || (mEq1(b, n - 1) && !oStar(b, n - 1)))) n--;
    if (n > 1 && b[n - 1] === L && b[n - 2] === L && mGt1(b, n - 1)) n--;
    return n;
  }

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  return (word: string) => {
    if (/^[\x00-\x7f]*$/.test(word)) {
      if (word.length < 3 || word.length > MAX_BYTES) return word;
      const b = codes(word);
      return String.fromCharCode(...b.slice(0, stem(b)));
    }
    const bytes = encoder.encode(word); // SQLite stems UTF-8 bytes: other characters are consonants
    if (bytes.length < 3 || bytes.length > MAX_BYTES) return word;
    const b = Array.from(bytes);
    return decoder.decode(Uint8Array.from(b.slice(0, stem(b))));
  };
}
