import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/paths.js';
import { FTS_TOKENIZE, searchTerm } from '../src/search/terms.js';

/**
 * The site stems words with a port of SQLite's Porter stemmer (`templates/search/terms.js`,
 * run by the build and by the page); here SQLite itself says what each word's term is (an
 * FTS5 table with the database's tokenizer, read through fts5vocab).
 */
function sqliteTerms(words: readonly string[]): string[] {
  const db = new Database(':memory:');
  try {
    db.exec(`CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = '${FTS_TOKENIZE}'); CREATE VIRTUAL TABLE v USING fts5vocab (t, 'instance');`);
    const insert = db.prepare('INSERT INTO t (rowid, x) VALUES (?, ?)');
    words.forEach((w, n) => insert.run(n + 1, w));
    const terms = new Map(db.prepare('SELECT doc, term FROM v').raw().all() as [number, string][]);
    return words.map((_, n) => terms.get(n + 1) ?? '');
  } finally {
    db.close();
  }
}

/** Classic Porter cases (the paper's examples and each rule's suffixes) and words of this domain. */
const PORTER_CASES = `caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized
hopping tanned falling hissing fizzed failing filing happy sky relational conditional rational valenci hesitanci
digitizer conformabli radicalli differentli vileli analogousli vietnamization predication operator feudalism
decisiveness hopefulness callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti
electrical hopeful goodness revival allowance inference airliner gyroscopic adjustable defensible irritant
replacement adjustment dependent adoption homologou communism activate angulariti homologous effective bowdlerize
probate rate cease controll roll generalization oscillators archaeology analogies apology yay boy toy syzygy ies
sses ss eed ing ed aed bed need seeing restore restored restoring restoration restores outage outages failover
failed fails failing degraded degradation throttling throttled bgp dns withdrawn withdrawal routes routing
propagated propagation deleted deletion replicas replication certificates expiry expired rollback rolled
misconfiguration configured regex backtracking latency latencies overloaded overload saturation mitigated mitigations
${'x'.repeat(64)}ing ${'x'.repeat(70)}ing ab abs`.split(/\s+/);

/** Every word of the project's own docs and sources: a few thousand real English words. */
function docWords(): string[] {
  const files = (dir: string): string[] =>
    readdirSync(join(PACKAGE_ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.(md|ts)$/.test(f))
      .map((f) => join(PACKAGE_ROOT, dir, f));
  const text = [...files('docs'), ...files('src')].map((f) => readFileSync(f, 'utf8')).join(' ');
  return [...new Set(text.toLowerCase().match(/[a-z]+/g) ?? [])].sort();
}

describe('search terms', () => {
  it('stems as SQLite FTS5 porter does, on Porter cases and every word of the docs', () => {
    const words = [...PORTER_CASES, ...docWords()];
    expect(words.length).toBeGreaterThan(3000);
    const ours = words.map((w) => `${w} → ${searchTerm(w)}`);
    const sqlite = sqliteTerms(words).map((t, n) => `${words[n]} → ${t}`);
    expect(ours).toEqual(sqlite);
  });

  it('folds case and diacritics before stemming, as the tokenizer does', () => {
    const words = [
      'Restored',
      'RESTORING',
      'BGP',
      'Café',
      'naïve',
      'Élysée',
      'Straße',
      'façades',
      'Überprüfungen',
      'İstanbul',
      'Ünicode',
      'Zürich',
      'mañana',
      'ÅNGSTRÖM',
      'dígitos',
      '日本語',
    ];
    expect(words.map(searchTerm)).toEqual(sqliteTerms(words));
    expect(searchTerm('restored')).toBe(searchTerm('restore'));
    expect(searchTerm('BGP')).toBe('bgp');
  });
});
