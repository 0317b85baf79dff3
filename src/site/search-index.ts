import SearchableMap from 'minisearch/SearchableMap';
import { searchTerm } from '../search/terms.js';
import { SEARCH_OPTIONS, type SearchDocument } from './search.js';
import { SEPARATORS, TokenTable, type TextAnalysis } from './search-tokens.js';

/**
 * A MiniSearch index, serialised, without indexing each token with MiniSearch: the very JSON
 * `JSON.stringify(miniSearch)` gives (serialisation version 2) for these documents added in
 * this order with the site's options (default tokenizer, the stemming `processTerm`, no
 * stored fields), which `MiniSearch.loadJSON` reads in the page.
 *
 * Why: MiniSearch looks every token up in its radix tree while indexing, which was most of
 * the cost of a cold site build's search shards (10,000 incidents: about 7 s of CPU).
 * Here tokens are counted in a table of the tokens seen (`search-tokens.ts`), and only the distinct terms go into MiniSearch's own
 * radix tree (`SearchableMap`), in the order MiniSearch would first have met them, so that
 * the terms come out in its order too (which matters: a prefix or fuzzy search adds up the
 * scores of the terms it finds in that order). `test/search-index.test.ts` checks the bytes
 * against MiniSearch's own.
 */

/**
 * A text's analysis by MiniSearch's own split, in maps. Slower than the token table once that
 * is optimised, but a build that analyses only an edited incident or two runs the table's code
 * only unoptimised: there, for one benchmark incident, ~10–20 ms against ~3 ms for the split
 * (whose work is in the regular expression engine's compiled code).
 */
function analyseSplit(text: string): TextAnalysis {
  const counts = new Map<string, number>();
  for (const token of text.split(SEPARATORS)) counts.set(token, (counts.get(token) ?? 0) + 1);
  const byTerm = new Map<string, number>();
  for (const [token, count] of counts) {
    // tokens with the same stem (whatever their case or diacritics) are one term
    const term = searchTerm(token);
    if (term) byTerm.set(term, (byTerm.get(term) ?? 0) + count);
  }
  // as MiniSearch: the length is the distinct tokens (the empty one too)
  return [counts.size, [...byTerm.keys()], [...byTerm.values()]];
}

/** At most this many documents are analysed with `analyseSplit` (see `analyseAll`). */
const FEW_DOCUMENTS = 8;

/**
 * One document as the index sees it: per field id, the number of distinct tokens and the terms
 * with their counts, in the order first met (absent: the field has no text). Kept per incident
 * after an edit (`search-terms.ts`), so that a shard is indexed again from its other incidents'
 * analyses without reading or tokenising them.
 */
export type AnalysedDocument = (TextAnalysis | null)[];

/** This thread's tokens seen, with their terms (see `TokenTable`). */
const tokens = new TokenTable(searchTerm);
const analyseScanned = (text: string) => tokens.analyse(text);

/** The tokens of each field of a document, stemmed into terms (what indexing costs). */
export function analyse(document: SearchDocument): AnalysedDocument {
  return analyseWith(document, analyseScanned);
}

/** `analyse`, `text` analysing each field's text. */
function analyseWith(document: SearchDocument, text: (text: string) => TextAnalysis): AnalysedDocument {
  return SEARCH_OPTIONS.fields.map((field) => {
    const value = document[field];
    return value == null ? null : text(String(value));
  });
}

/** The analyses of these documents: a few by the split (see `analyseSplit`), more by the token table. */
export function analyseAll(documents: readonly SearchDocument[]): AnalysedDocument[] {
  const text = documents.length <= FEW_DOCUMENTS ? analyseSplit : analyseScanned;
  return documents.map((d) => analyseWith(d, text));
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
  /** Term → per field id: short document id → occurrences (an object: its integer keys come out in order, as from MiniSearch's maps). */
  const terms = new Map<string, (Record<number, number> | undefined)[]>();
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
        if (!freqs) byField[fieldId] = freqs = {};
        freqs[shortId] = (freqs[shortId] ?? 0) + counts[n]!;
      });
    });
  });
  // the terms in the order of MiniSearch's tree (the same tree, built in the same order)
  const tree = new SearchableMap<(Record<number, number> | undefined)[]>();
  for (const [term, byField] of terms) tree.set(term, byField);
  const index: [string, Record<number, Record<number, number>>][] = [];
  for (const [term, byField] of tree) {
    const data: Record<number, Record<number, number>> = {};
    byField.forEach((freqs, fieldId) => {
      if (freqs) data[fieldId] = freqs;
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
