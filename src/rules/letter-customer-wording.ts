import type { Rule } from './rule.js';
import { BASE_CONFIG, BASE_PATH, kb } from './fixtures.js';
import { documentsOfType } from '../schema/config.js';

const LETTER = `${BASE_CONFIG}documents:\n  - {type: letter, name: june-letter, incidents: [2007-06-04-lb]}\n`;
const WITH_SUMMARY = (t: string) => `${t}\n## Customer summary\n\nA surge of traffic overloaded our equipment.\n`;
const PUBLIC_R1 = (t: string) => t.replace('status: done}', 'status: done, public: true}');

export const letterCustomerWording: Rule = {
  id: 'letter-customer-wording',
  severity: 'warning',
  description:
    'A `final` incident named in a letter under `documents:` without a Customer summary, or with a public remediation without a customer wording (`customer_action`).',
  stage: 'knowledge-base',
  checkKnowledgeBase({ incidents, config, report }) {
    const byId = new Map(incidents.map((i) => [i.id, i]));
    const letters = new Map<string, string[]>();
    for (const { spec } of documentsOfType(config, 'letter')) {
      for (const id of spec.incidents) letters.set(id, [...(letters.get(id) ?? []), spec.name]);
    }
    for (const [id, names] of letters) {
      const incident = byId.get(id);
      if (incident?.status !== 'final') continue;
      const named = `in letter${names.length === 1 ? '' : 's'} ${names.map((n) => `"${n}"`).join(', ')}`;
      if (!incident.customer_summary?.trim())
        report(
          incident.file,
          `final incident ${named} has no customer summary (\`customer.summary\` or a \`## Customer summary\` section)`,
          ['status'],
        );
      incident.remediations.forEach((r, i) => {
        if (r.public && r.status !== 'wont-do' && !r.customer_action) {
          report(
            incident.file,
            `public remediation ${r.id} of this final incident ${named} has no customer wording (\`customer_action\`)`,
            ['remediations', i],
          );
        }
      });
    }
  },
  examples: {
    ok: [
      { name: 'in no letter', files: kb(PUBLIC_R1), expect: [] },
      {
        name: 'summary and customer wording',
        files: kb(
          (t) => WITH_SUMMARY(PUBLIC_R1(t).replace('public: true}', "public: true, customer_action: 'We stopped traffic from bouncing.'}")),
          { 'postmortem.config.yaml': LETTER },
        ),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'no summary, and a public remediation in engineering words',
        files: kb(PUBLIC_R1, { 'postmortem.config.yaml': LETTER }),
        expect: [
          `${BASE_PATH}:4:9: warning final incident in letter "june-letter" has no customer summary (\`customer.summary\` or a \`## Customer summary\` section) [letter-customer-wording]`,
          `${BASE_PATH}:22:5: warning public remediation R1 of this final incident in letter "june-letter" has no customer wording (\`customer_action\`) [letter-customer-wording]`,
        ],
      },
    ],
  },
};
