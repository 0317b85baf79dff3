import { porterStemmer } from './porter.js';

/**
 * How a word becomes a search term, the same way on both sides: the database's FTS5 tokenizer
 * `porter unicode61 remove_diacritics 2` lower-cases a word, drops its diacritics and stems it;
 * the site's MiniSearch index and the page's queries go through `termProcessor` for the same.
 */
export const FTS_TOKENIZE = 'porter unicode61 remove_diacritics 2';

/**
 * The term of one word (as MiniSearch's tokenizer splits text): lower case, diacritics removed
 * (as unicode61 does for Latin letters: the combining marks of the decomposed form are
 * dropped), Porter-stemmed as SQLite stems. Self-contained for the same reason as
 * `porterStemmer`: the page script is built from its source.
 */
export function termProcessor(stem: (word: string) => string): (word: string) => string {
  const marks = /[\u0300-\u036f]/g;
  return (word: string) => stem(word.toLowerCase().normalize('NFD').replace(marks, '').normalize('NFC'));
}

/** The term of a word, in this process (cached: a shard meets the same words over and over). */
export function searchTerm(word: string): string {
  let term = cache.get(word);
  if (term === undefined) {
    if (cache.size > 100_000) cache.clear();
    cache.set(word, (term = processTerm(word)));
  }
  return term;
}
const processTerm = termProcessor(porterStemmer());
const cache = new Map<string, string>();

/** JavaScript that evaluates, in the page, to the same function as `searchTerm`. */
export const SEARCH_TERM_SCRIPT = `(${termProcessor.toString()})((${porterStemmer.toString()})())`;
