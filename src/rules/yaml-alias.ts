import type { Rule } from './rule.js';
import { BASE_PATH, kb, replaceLine } from './fixtures.js';

const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]'];
for (let i = 1; i < 9; i++) {
  const prev = String.fromCharCode(96 + i);
  const next = String.fromCharCode(97 + i);
  bomb.push(`${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`);
}

export const yamlAlias: Rule = {
  id: 'yaml-alias',
  severity: 'error',
  description: 'YAML aliases (`*name`) are refused, so an alias bomb is rejected at once.',
  stage: 'read',
  examples: {
    ok: [{ name: 'no aliases', files: kb(), expect: [] }],
    notOk: [
      {
        name: 'an alias',
        files: kb((t) => replaceLine(replaceLine(t, 6, 'services: &s [webmail]'), 7, 'locations: *s')),
        expect: [`${BASE_PATH}:7:12: error YAML aliases are not allowed (*s) [yaml-alias]`],
      },
      {
        name: 'an alias bomb',
        files: kb(undefined, { 'incidents/bomb.md': `---\n${bomb.join('\n')}\n---\n` }),
        expect: ['incidents/bomb.md:3:8: error YAML aliases are not allowed (*a and 71 more) [yaml-alias]'],
      },
    ],
  },
};
