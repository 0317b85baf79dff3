import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandNames, rulesReference, withCommandReference } from '../src/docs/reference.js';
import { loadKnowledgeBase } from '../src/kb/load.js';
import { SENTENCE_RULES, withSentenceRules } from '../src/letter/sentences.js';
import { removeKb, tempKb } from './helpers/kb.js';

const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');

describe('documentation stays true to the code', () => {
  it('README.md carries the current command reference (run "npm run docs")', () => {
    const readme = read('README.md');
    expect(readme).toBe(withCommandReference(readme));
    for (const name of commandNames()) expect(readme).toContain(`### \`postmortem ${name}\``);
  });

  it('docs/rules.md lists every rule with its examples (run "npm run docs")', () => {
    expect(read('docs/rules.md')).toBe(rulesReference());
  });

  it('docs/letters.md carries the table of sentence rules the letter is written from (run "npm run docs")', () => {
    const doc = read('docs/letters.md');
    expect(doc).toBe(withSentenceRules(doc));
    for (const { id } of SENTENCE_RULES) expect(doc).toContain(`| \`${id}\` |`);
  });

  it('the README quick start is the two commands', () => {
    const readme = read('README.md');
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  it("the README's complete example incident passes check", () => {
    const readme = read('README.md');
    const example = /A complete example:\n\n```markdown\n([\s\S]*?)\n```\n/.exec(readme)?.[1];
    expect(example).toBeDefined();
    const id = /^id: (\S+)/m.exec(example!)![1]!;
    const root = tempKb({
      'postmortem.config.yaml':
        'locations: {dulles-va: "Dulles, VA"}\nowners:\n  - {id: bill, name: B}\n  - {id: dana, name: D}\n  - {id: kevin, name: K}\n',
      [`incidents/${id}.md`]: example!,
      'incidents/2007-05-02-beta-mail-config-push-to-live.md': example!
        .replace(`id: ${id}`, 'id: 2007-05-02-beta-mail-config-push-to-live')
        .replace(/related: .*\n/, ''),
    });
    try {
      const kb = loadKnowledgeBase({ root, now: '2007-06-14' });
      expect(kb.problems).toEqual([]);
      expect(kb.incidents.find((i) => i.id === id)?.timeline.map((t) => t.kind)).toEqual(['trigger', 'detection', 'action', 'mitigation']);
    } finally {
      removeKb(root);
    }
  });
});
