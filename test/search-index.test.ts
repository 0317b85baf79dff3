import fc from 'fast-check';
import MiniSearch from 'minisearch';
import { describe, expect, it } from 'vitest';
import { analyseAll, serializedFromAnalysed, serializedIndex } from '../src/site/search-index.js';
import { SEARCH_OPTIONS, type SearchDocument } from '../src/site/search.js';
import { generateIncident } from '../src/bench/generate.js';
import { propertyRuns } from './helpers/runs.js';

/**
 * The site's search shards are written by `serializedIndex`, not by MiniSearch's indexing:
 * the JSON must be MiniSearch's own, byte for byte, and the page's searches must find the
 * same incidents with the same scores.
 */
function miniSearchJson(documents: readonly SearchDocument[]): string {
  const index = new MiniSearch<SearchDocument>(SEARCH_OPTIONS);
  index.addAll(documents);
  return JSON.stringify(index);
}

/** The index from analyses made a document at a time: each document's tokens counted as an edit's are (`analyseAll` of a few). */
const oneByOne = (documents: readonly SearchDocument[]) =>
  serializedFromAnalysed(
    documents.map((d) => d.id),
    documents.map((d) => analyseAll([d])[0]!),
  );

function expectSameIndex(documents: readonly SearchDocument[]) {
  const theirs = miniSearchJson(documents);
  expect(serializedIndex(documents)).toBe(theirs);
  expect(oneByOne(documents)).toBe(theirs);
}

const doc = (id: string, text: string, more: Partial<SearchDocument> = {}): SearchDocument => ({
  id,
  title: more.title ?? `Title of ${id}`,
  impact: more.impact ?? '',
  'root-cause': more['root-cause'] ?? '',
  section: text,
});

/** Documents like the benchmark's: the generator's front-matter and body as one text. */
function benchDocuments(count: number): SearchDocument[] {
  return Array.from({ length: count }, (_, i) => {
    const g = generateIncident(7, i, count);
    const title = /^title: (.*)$/m.exec(g.text)?.[1] ?? '';
    return doc(`bench-${String(i).padStart(4, '0')}`, g.text, {
      title,
      impact: g.text.slice(0, 200),
      'root-cause': g.text.slice(200, 320),
    });
  });
}

describe('search shards without MiniSearch', () => {
  it('writes the index MiniSearch writes for benchmark documents', () => {
    expectSameIndex(benchDocuments(300));
  });

  it('splits and counts tokens as MiniSearch does at the edges of its tokenizer', () => {
    const texts = [
      '',
      ' ',
      '.',
      'a',
      ' a',
      'a ',
      '...a...',
      'a\tb',
      'a\u00a0b',
      'a\u2003b\u3000c',
      'a\u2028b\u2029c',
      'Mail MAIL mail mAiL',
      'x$y+z<w=v>u^t`s|r~q',
      'e-mail e_mail e.mail e/mail e\\mail',
      'IP 10.0.0.1:25, port 587!',
      'Straße STRASSE',
      'İstanbul ıI',
      'naïve café — “quoted” «guillemets» ¿qué?',
      'emoji 📫 mail📫box 📫',
      '𐄀 aegean 𐄀word𐄀separator',
      'lone \ud800 high and \udc00 low surrogates',
      'CR\rLF\r\nLF\n\n',
      '٫٬ arabic ، comma',
      '    ',
      '\n\n\n',
      'repeated repeated repeated Repeated',
    ];
    expectSameIndex(texts.map((t, n) => doc(`edge-${n}`, t, { title: texts[(n + 3) % texts.length]!, impact: t.toUpperCase() })));
  });

  it('matches MiniSearch on random text (property)', () => {
    const pieces = [
      'a',
      'B',
      'mail',
      'MAIL',
      'restored',
      'Restoring',
      'restore',
      'ies',
      'sses',
      'Café',
      'naïve',
      'BGP',
      'routes',
      'routing',
      ' ',
      '  ',
      '.',
      ',',
      '-',
      '_',
      '\t',
      '\n',
      '\r',
      '\u00a0',
      '—',
      '’',
      'é',
      'É',
      'ß',
      'İ',
      '📫',
      '𐄀',
      '\ud800',
      '1',
      '+',
      '$',
      '|',
      '٫',
      '、',
      '「',
      'x',
    ];
    const text = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join(''));
    // some fields absent (an incident without a trigger, factors or remediations)
    const fields = fc.record(
      { title: text, impact: text, 'root-cause': text, trigger: text, factor: text, timeline: text, remediation: text, section: text },
      { requiredKeys: ['title'] },
    );
    fc.assert(
      fc.property(fc.array(fields, { minLength: 1, maxLength: 6 }), (docs) => {
        const documents = docs.map((d, n) => ({ id: `p-${n}`, ...d }));
        expectSameIndex(documents);
      }),
      { numRuns: propertyRuns(2000) },
    );
  });

  it('counts the same tokens when its table of tokens seen grows within a text and starts again between texts', () => {
    // distinct words written out of letters (base 26), some repeated in another case or with a diacritic
    const word = (n: number) => n.toString(26).replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)]!);
    const text = (from: number, count: number) =>
      Array.from({ length: count }, (_, k) => (k % 7 === 0 ? `${word(from + k).toUpperCase()} ${word(from + k)}` : word(from + k))).join(
        ' ',
      );
    // one text of 5,000 distinct tokens (more than the table's first 4,096 slots hold), then
    // texts that take the tokens seen past 65,536 (the table starts again), then the first ones again
    const documents = [
      doc('grow', text(0, 5_000), { title: 'Café café CAFE' }),
      ...Array.from({ length: 14 }, (_, n) => doc(`many-${String(n).padStart(2, '0')}`, text(5_000 + n * 4_800, 4_800))),
      doc('again', `${text(0, 300)} ${text(70_000, 300)}`, { title: 'naïve NAIVE' }),
    ];
    expectSameIndex(documents);
    // and nothing of those carried over to the next documents
    expectSameIndex(benchDocuments(20));
  });

  it('gives the same search results once loaded by MiniSearch', () => {
    const documents = benchDocuments(200);
    const ours = MiniSearch.loadJSON<SearchDocument>(serializedIndex(documents), SEARCH_OPTIONS);
    const theirs = MiniSearch.loadJSON<SearchDocument>(miniSearchJson(documents), SEARCH_OPTIONS);
    const words = [...new Set(documents.flatMap((d) => (d.section ?? '').split(/\W+/).filter((w) => w.length > 3)))].slice(0, 120);
    expect(words.length).toBeGreaterThan(50);
    for (const query of [
      ...words,
      'mail relay',
      'disk array',
      'dns',
      'imap timeout',
      'zzz-nothing',
      'restored',
      'Restoring relays',
      'caf',
    ]) {
      expect(ours.search(query)).toEqual(theirs.search(query));
    }
  });

  it('is the same bytes for the same documents', () => {
    const documents = benchDocuments(50);
    expect(serializedIndex(documents)).toBe(serializedIndex(structuredClone(documents)));
  });
});
