import SearchableMap from 'minisearch/SearchableMap';
import { searchTerm } from '../search/terms.js';
import { SEARCH_OPTIONS, type SearchDocument } from './search.js';

/**
 * A MiniSearch index, serialised, without indexing each token with MiniSearch: the very JSON
 * `JSON.stringify(miniSearch)` gives (serialisation version 2) for these documents added in
 * this order with the site's options (default tokenizer, the stemming `processTerm`, no
 * stored fields), which `MiniSearch.loadJSON` reads in the page.
 *
 * Why: MiniSearch looks every token up in its radix tree while indexing, which was most of
 * the cost of a cold site build's search shards (10,000 incidents: about 7 s of CPU).
 * Here tokens are counted in hash maps, and only the distinct terms go into MiniSearch's own
 * radix tree (`SearchableMap`), in the order MiniSearch would first have met them, so that
 * the terms come out in its order too (which matters: a prefix or fuzzy search adds up the
 * scores of the terms it finds in that order). `test/search-index.test.ts` checks the bytes
 * against MiniSearch's own.
 */

/** The characters MiniSearch's default tokenizer splits at (its `SPACE_OR_PUNCTUATION` is a run of them). */
const SEPARATOR_CLASS = '[\\n\\r\\p{Z}\\p{P}]';
/** One of them. */
const ONE_SEPARATOR = new RegExp(`^${SEPARATOR_CLASS}$`, 'u');
/** A run of them: MiniSearch's `SPACE_OR_PUNCTUATION` itself. */
const SEPARATORS = new RegExp(`${SEPARATOR_CLASS}+`, 'u');
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

/**
 * Counts the tokens of a text as MiniSearch's tokenizer splits it (empty tokens too, where
 * the text starts or ends with a separator), scanning it by hand: the regular expression,
 * with its Unicode classes, costs more than all the rest of the indexing.
 */
function countTokens(text: string, counts: Map<string, number>): void {
  const n = text.length;
  let i = 0;
  for (;;) {
    const start = i;
    let code = 0;
    // up to the next separator (a code point: two UTF-16 units past the BMP)
    while (i < n && !isSeparator((code = text.codePointAt(i)!))) i += code > 0xffff ? 2 : 1;
    const token = text.slice(start, i);
    counts.set(token, (counts.get(token) ?? 0) + 1);
    if (i >= n) return;
    while (i < n && isSeparator((code = text.codePointAt(i)!))) i += code > 0xffff ? 2 : 1;
  }
}

/**
 * Counts the tokens of a text by MiniSearch's own split. Slower than `countTokens` once that is
 * optimised, but a build that analyses only an edited incident or two runs `countTokens` only
 * unoptimised: there, for one benchmark incident, ~10–20 ms against ~3 ms for the split (whose
 * work is in the regular expression engine's compiled code).
 */
function countSplit(text: string, counts: Map<string, number>): void {
  for (const token of text.split(SEPARATORS)) counts.set(token, (counts.get(token) ?? 0) + 1);
}

/** At most this many documents are analysed with `countSplit` (see `analyseAll`). */
const FEW_DOCUMENTS = 8;

/**
 * One document as the index sees it: per field id, the number of distinct tokens and the terms
 * with their counts, in the order first met (absent: the field has no text). Kept per incident
 * after an edit (`search-terms.ts`), so that a shard is indexed again from its other incidents'
 * analyses without reading or tokenising them.
 */
export type AnalysedDocument = ([length: number, terms: string[], counts: number[]] | null)[];

/** The tokens of each field of a document, stemmed into terms (what indexing costs). */
export function analyse(document: SearchDocument): AnalysedDocument {
  return analyseWith(document, countTokens);
}

/** `analyse`, `count` counting a text's tokens. */
function analyseWith(document: SearchDocument, count: typeof countTokens): AnalysedDocument {
  return SEARCH_OPTIONS.fields.map((field) => {
    const value = document[field];
    if (value == null) return null;
    const counts = new Map<string, number>();
    count(String(value), counts);
    const byTerm = new Map<string, number>();
    for (const [token, count] of counts) {
      // tokens with the same stem (whatever their case or diacritics) are one term
      const term = searchTerm(token);
      if (term) byTerm.set(term, (byTerm.get(term) ?? 0) + count);
    }
    // as MiniSearch: the length is the distinct tokens (the empty one too)
    return [counts.size, [...byTerm.keys()], [...byTerm.values()]];
  });
}

/** The analyses of these documents: the tokens of a few counted by the split (see `countSplit`), of more by the scan. */
export function analyseAll(documents: readonly SearchDocument[]): AnalysedDocument[] {
  const count = documents.length <= FEW_DOCUMENTS ? countSplit : countTokens;
  return documents.map((d) => analyseWith(d, count));
}

export function serializedIndex(documents: readonly SearchDocument[]): string {
  return serializedFromAnalysed(
    documents.map((d) => d.id),
    documents.map(analyse),
  );
}

/** The serialised index of these documents (ids and their analyses, in this order). */
export function serializedFromAnalysed(ids: readonly string[], analysed: readonly AnalysedDocument[]): string {
  const fields = SEARCH_OPTIONS.fields;
  /** Term → per field id: short document id → occurrences. */
  const terms = new Map<string, (Map<number, number> | undefined)[]>();
  const documentIds: Record<number, string> = {};
  const fieldLength: Record<number, number[]> = {};
  const averageFieldLength: number[] = [];
  analysed.forEach((document, shortId) => {
    documentIds[shortId] = ids[shortId]!;
    const lengths: number[] = [];
    fieldLength[shortId] = lengths;
    document.forEach((field, fieldId) => {
      if (!field) return;
      const [length, fieldTerms, counts] = field;
      // as MiniSearch: a running average
      lengths[fieldId] = length;
      averageFieldLength[fieldId] = ((averageFieldLength[fieldId] || 0) * shortId + length) / (shortId + 1);
      fieldTerms.forEach((term, n) => {
        let byField = terms.get(term);
        if (!byField) terms.set(term, (byField = []));
        let freqs = byField[fieldId];
        if (!freqs) byField[fieldId] = freqs = new Map();
        freqs.set(shortId, (freqs.get(shortId) ?? 0) + counts[n]!);
      });
    });
  });
  // the terms in the order of MiniSearch's tree (the same tree, built in the same order)
  const tree = new SearchableMap<(Map<number, number> | undefined)[]>();
  for (const [term, byField] of terms) tree.set(term, byField);
  const index: [string, Record<number, Record<number, number>>][] = [];
  for (const [term, byField] of tree) {
    const data: Record<number, Record<number, number>> = {};
    byField.forEach((freqs, fieldId) => {
      if (freqs) data[fieldId] = Object.fromEntries(freqs);
    });
    index.push([term, data]);
  }
  return JSON.stringify({
    documentCount: ids.length,
    nextId: ids.length,
    documentIds,
    fieldIds: Object.fromEntries(fields.map((f, n) => [f, n])),
    fieldLength,
    averageFieldLength,
    storedFields: {},
    dirtCount: 0,
    index,
    serializationVersion: 2,
  });
}
