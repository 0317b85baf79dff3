import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { DEFAULT_TEMPLATES } from '../paths.js';

/**
 * How a word becomes a search term, the same way on both sides: the database's FTS5 tokenizer
 * lower-cases a word, drops its diacritics and stems it (Porter); the site's index and the
 * page's queries do the same with `templates/search/terms.js`, one script that the build runs
 * here and the site ships to the page (so that both run the very same code).
 */
export const FTS_TOKENIZE = 'porter unicode61 remove_diacritics 2';

/** The page script that defines `PMKB_SEARCH_TERM` (a word's term) and `PMKB_SEARCH_PREFIX` (which query words are prefixes). */
export const SEARCH_TERMS_SCRIPT = readFileSync(join(DEFAULT_TEMPLATES, 'search', 'terms.js'), 'utf8');

interface TermsScript {
  PMKB_SEARCH_TERM: (word: string) => string;
  PMKB_SEARCH_PREFIX: (term: string, i: number, terms: string[]) => boolean;
}
const script: TermsScript = (() => {
  const context = { TextEncoder, TextDecoder } as unknown as TermsScript;
  runInNewContext(SEARCH_TERMS_SCRIPT, context, { filename: 'templates/search/terms.js' });
  return context;
})();

/** Which words of a query are also prefixes (the last one: the page searches as you type). */
export const searchPrefix = script.PMKB_SEARCH_PREFIX;

const cache = new Map<string, string>();
/** The term of a word (cached: a shard meets the same words over and over). */
export function searchTerm(word: string): string {
  let term = cache.get(word);
  if (term === undefined) {
    if (cache.size > 100_000) cache.clear();
    cache.set(word, (term = script.PMKB_SEARCH_TERM(word)));
  }
  return term;
}
