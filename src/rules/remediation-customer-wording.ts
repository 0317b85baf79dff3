import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';
import { isSentence } from '../letter/phrases.js';

const PUBLIC_R1 = (t: string) => t.replace('status: done}', 'status: done, public: true}');

export const remediationCustomerWording: Rule = {
  id: 'remediation-customer-wording',
  severity: 'warning',
  description:
    'A public remediation that letters would print as ticket text: no `customer_action` and an `action` that is not a sentence, or a `customer_action` that is not one.',
  stage: 'incident',
  checkIncident({ incident, report }) {
    incident.remediations.forEach((r, i) => {
      if (!r.public || r.status === 'wont-do') return;
      if (r.customer_action !== undefined) {
        if (!isSentence(r.customer_action))
          report(`the customer wording of remediation ${r.id} is not a sentence (a capital first, a full stop at the end)`, [
            'remediations',
            i,
            'customer_action',
          ]);
      } else if (!isSentence(r.action)) {
        report(`public remediation ${r.id} has no \`customer_action\`, and its action is not a sentence customers can read`, [
          'remediations',
          i,
          'action',
        ]);
      }
    });
  },
  examples: {
    ok: [
      {
        name: 'a sentence-shaped action',
        files: kb((t) => PUBLIC_R1(t).replace('action: Stop traffic bouncing.', 'action: We stopped traffic bouncing between units.')),
        expect: [],
      },
      {
        name: 'a customer wording',
        files: kb((t) =>
          PUBLIC_R1(t).replace(
            'status: done, public: true}',
            "status: done, public: true, customer_action: 'We stopped traffic from bouncing between load balancers.'}",
          ),
        ),
        expect: [],
      },
      { name: 'not public', files: kb((t) => t.replace('action: Stop traffic bouncing.', 'action: fix lb1')), expect: [] },
    ],
    notOk: [
      {
        name: 'ticket text',
        files: kb((t) => PUBLIC_R1(t).replace('action: Stop traffic bouncing.', 'action: fix lb1 preempt')),
        expect: [
          `${BASE_PATH}:22:22: warning public remediation R1 has no \`customer_action\`, and its action is not a sentence customers can read [remediation-customer-wording]`,
        ],
      },
      {
        name: 'a customer wording that is not a sentence',
        files: kb((t) => PUBLIC_R1(t).replace('status: done, public: true}', 'status: done, public: true, customer_action: fixed the lb}')),
        expect: [
          `${BASE_PATH}:22:136: warning the customer wording of remediation R1 is not a sentence (a capital first, a full stop at the end) [remediation-customer-wording]`,
        ],
      },
    ],
  },
};
