import { afterAll, describe, expect, it } from 'vitest';
import { RULES } from '../src/rules/index.js';
import { loadKnowledgeBase } from '../src/kb/load.js';
import { formatProblem } from '../src/problems.js';
import { removeKb, tempKb } from './helpers/kb.js';

const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));

function problemsOf(ruleId: string, files: Record<string, string | Uint8Array>, now?: string): string[] {
  const root = tempKb(files);
  roots.push(root);
  const kb = loadKnowledgeBase({ root, now: now ?? '2007-06-05' });
  return kb.problems.filter((p) => p.ruleId === ruleId).map(formatProblem);
}

describe('rules', () => {
  it('every rule has a unique id and at least one ok and one not-ok example', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of RULES) {
      expect(rule.examples.ok.length, rule.id).toBeGreaterThan(0);
      expect(rule.examples.notOk.length, rule.id).toBeGreaterThan(0);
      for (const ex of rule.examples.notOk) expect(ex.expect.length, `${rule.id}: ${ex.name}`).toBeGreaterThan(0);
    }
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      for (const example of rule.examples.ok) {
        it(`ok: ${example.name}`, () => {
          expect(problemsOf(rule.id, example.files, example.now)).toEqual([]);
        });
      }
      for (const example of rule.examples.notOk) {
        it(`not ok: ${example.name}`, () => {
          expect(problemsOf(rule.id, example.files, example.now)).toEqual(example.expect);
        });
      }
    });
  }
});
