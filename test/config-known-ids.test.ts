import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/kb/config.js';
import { idsOfFiles, knownIdsOf } from '../src/kb/files.js';
import { BASE_CONFIG } from '../src/rules/fixtures.js';

const FILES = ['incidents/2007-06-04-lb.md', 'incidents/2008/2008-01-02-dns.MD', 'incidents/notes.txt', 'incidents/a/b/2009-x.md'];

/** Files that fail if anything reads them: the ids were made. */
const untouchable = new Proxy([] as string[], {
  get() {
    throw new Error('the files were read');
  },
});

describe("the config's incident ids (`knownIdsOf`)", () => {
  it('answers as the set of the files’ ids', () => {
    const known = knownIdsOf(FILES);
    const ids = idsOfFiles(FILES);
    for (const id of ['2007-06-04-lb', '2008-01-02-dns', 'notes.txt', '2009-x', 'b', 'incidents', '2007-06-04-lb.md', ''])
      expect([id, known.has(id)]).toEqual([id, ids.has(id)]);
  });

  it('reads the files only when the config names an incident, and reports the unknown ones', () => {
    expect(parseConfig(BASE_CONFIG, undefined, knownIdsOf(untouchable)).problems).toEqual([]);
    const config = `${BASE_CONFIG}documents:\n  - {type: letter, name: a, incidents: [2007-06-04-lb, nope], date: 2007-07-01}\n`;
    expect(() => parseConfig(config, undefined, knownIdsOf(untouchable))).toThrow('the files were read');
    const problems = parseConfig(config, undefined, knownIdsOf(FILES)).problems;
    expect(problems.map((p) => [p.ruleId, p.message])).toEqual([
      ['related-exists', 'letter "a" names incident "nope", which is not in incidents/'],
    ]);
  });
});
