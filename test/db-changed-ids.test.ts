import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { updateKnowledgeBase } from '../src/db/knowledge-base.js';
import { readPrevious } from '../src/db/database-file.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { DST, fixtureFiles, LB, pathOf, POP } from './fixtures/db-kb.js';

const roots: string[] = [];
afterEach(() => {
  while (roots.length) removeKb(roots.pop()!);
});

/** The database's valid incidents as digests by id. */
function digestsById(dbPath: string): Map<string, string> {
  const byId = new Map<string, string>();
  for (const v of readPrevious(dbPath)!.incidents.values()) byId.set(v.id, v.digest);
  return byId;
}

/** The ids added, changed and removed between two databases, from all their incidents by id (what a build reports). */
function expectedChange(before: Map<string, string>, after: Map<string, string>) {
  const sorted = (ids: Iterable<string>) => [...ids].sort();
  return {
    added: sorted([...after.keys()].filter((id) => !before.has(id))),
    changed: sorted([...after.keys()].filter((id) => before.has(id) && before.get(id) !== after.get(id))),
    removed: sorted([...before.keys()].filter((id) => !after.has(id))),
  };
}

describe('the incident ids a build reports as added, changed and removed', () => {
  it('are those of every incident compared by id, when an incident moves to another file, is copied, edited in a copy, added or removed', async () => {
    const root = tempKb(fixtureFiles());
    roots.push(root);
    const ctx = captureContext(root, { now: '2007-07-01' });
    let kb = await updateKnowledgeBase(ctx);
    const at = (file: string) => join(root, file);
    const copy = (from: string, to: string) => {
      mkdirSync(dirname(at(to)), { recursive: true });
      copyFileSync(at(from), at(to));
    };
    const edit = (file: string) => writeFileSync(at(file), `${readFileSync(at(file), 'utf8')}\nMore about the change.\n`);
    const dst = basename(pathOf(DST));
    const before0 = `incidents/0/${dst}`;
    const steps: [string, () => void, Partial<ReturnType<typeof expectedChange>>][] = [
      // a file moved to another folder, the same bytes: the same incident
      [
        'moved',
        () => {
          mkdirSync(at('incidents/2007'), { recursive: true });
          renameSync(at(pathOf(DST)), at(`incidents/2007/${dst}`));
        },
        { changed: [] },
      ],
      // a copy sorted before it: the copy has the id (the other is rejected as a duplicate), the same digest
      ['copied before', () => copy(`incidents/2007/${dst}`, before0), { changed: [] }],
      // a copy sorted after another file: rejected
      ['copied after', () => copy(pathOf(LB), `incidents/zz/${basename(pathOf(LB))}`), { changed: [] }],
      // the copy that has the id edited: changed
      ['copy edited', () => edit(before0), { changed: [DST.id] }],
      // that copy removed: the id back in the other file, with the other digest
      ['copy removed', () => rmSync(at(before0)), { changed: [DST.id] }],
      // a new file with a new id, then removed
      [
        'added',
        () =>
          writeFileSync(
            at('incidents/2007-08-01-new.md'),
            readFileSync(at(pathOf(POP)), 'utf8').replace(/^id: .*$/m, 'id: 2007-08-01-new'),
          ),
        { added: ['2007-08-01-new'] },
      ],
      ['removed', () => rmSync(at('incidents/2007-08-01-new.md')), { removed: ['2007-08-01-new'] }],
      // the rejected copy removed: nothing
      ['rejected copy removed', () => rmSync(at(`incidents/zz/${basename(pathOf(LB))}`)), { added: [], changed: [], removed: [] }],
    ];
    for (const [name, change, expected] of steps) {
      const before = digestsById(kb.dbPath);
      change();
      kb = await updateKnowledgeBase(ctx);
      const after = digestsById(kb.dbPath);
      expect(kb.changed, name).toEqual(expectedChange(before, after));
      expect(kb.changed, name).toMatchObject(expected);
    }
  });
});
