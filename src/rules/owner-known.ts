import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';

export const ownerKnown: Rule = {
  id: 'owner-known',
  severity: 'error',
  description: 'Remediation owners, the commander, authors and reviewers are ids from the owners directory in the config.',
  stage: 'incident',
  checkIncident({ incident, config, report }) {
    if (config.owners.length === 0) return;
    const known = new Set(config.owners.map((o) => o.id));
    const check = (id: string, path: PropertyKey[]) => {
      if (!known.has(id)) report(`owner "${id}" is not in the owners directory (postmortem.config.yaml \`owners\`)`, path);
    };
    incident.remediations.forEach((r, i) => check(r.owner, ['remediations', i, 'owner']));
    if (incident.owners.commander) check(incident.owners.commander, ['owners', 'commander']);
    incident.owners.authors.forEach((a, i) => check(a, ['owners', 'authors', i]));
    incident.owners.reviewers.forEach((a, i) => check(a, ['owners', 'reviewers', i]));
  },
  examples: {
    ok: [{ name: 'known owners', files: kb((t) => t.replace('authors: [bill]', 'authors: [bill, dana]')), expect: [] }],
    notOk: [{
      name: 'unknown remediation owner and author',
      files: kb((t) => t.replace('owner: bill', 'owner: william').replace('authors: [bill]', 'authors: [bill, zoe]')),
      expect: [
        `${BASE_PATH}:22:68: error owner "william" is not in the owners directory (postmortem.config.yaml \`owners\`) [owner-known]`,
        `${BASE_PATH}:24:19: error owner "zoe" is not in the owners directory (postmortem.config.yaml \`owners\`) [owner-known]`,
      ],
    }],
  },
};
