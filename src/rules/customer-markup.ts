import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';
import { customerTexts } from './customer-fields.js';

/** Markup that a plain-text field would show customers as literal characters. */
const PLAIN_MARKUP = /<\/?[a-z][^>]*>|<!--|!?\[[^\]\n]*\]\([^)\n]*\)|\*\*[^*\n]+\*\*|`[^`\n]+`|\bjavascript:/i;
/** Raw HTML in Markdown, which letters drop (a script's text would be left behind). */
const RAW_HTML = /<\/?[a-z][^>]*>|<!--/i;

function excerpt(match: string): string {
  const text = match.replace(/\s+/g, ' ');
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export const customerMarkup: Rule = {
  id: 'customer-markup',
  severity: 'warning',
  description:
    'Markup or HTML in a plain-text customer field (shown to customers as literal text), or raw HTML in the Customer summary (dropped from letters).',
  stage: 'incident',
  checkIncident({ incident, report }) {
    for (const { field, text, at, kind } of customerTexts(incident)) {
      const match = (kind === 'plain' ? PLAIN_MARKUP : RAW_HTML).exec(text);
      if (!match) continue;
      report(
        kind === 'plain'
          ? `\`${field}\` is plain text but holds markup (\`${excerpt(match[0])}\`); customers would see it as typed, and letters drop it`
          : `the ${field} holds raw HTML (\`${excerpt(match[0])}\`), which customer documents drop; write it in Markdown`,
        at,
      );
    }
  },
  examples: {
    ok: [
      {
        name: 'plain words',
        files: kb((t) =>
          t.replace('summary: Customers could not read mail.', 'summary: Customers could not read mail (webmail & IMAP) for 1h < 2h.'),
        ),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'HTML in the impact summary',
        files: kb((t) =>
          t.replace('summary: Customers could not read mail.', 'summary: "Customers could not read mail.<img src=x onerror=alert(1)>"'),
        ),
        expect: [
          `${BASE_PATH}:13:12: warning \`impact.summary\` is plain text but holds markup (\`<img src=x onerror=alert(1)>\`); customers would see it as typed, and letters drop it [customer-markup]`,
        ],
      },
      {
        name: 'a Markdown link in a public action',
        files: kb((t) =>
          t.replace(
            'action: Stop traffic bouncing., type: prevent, owner: bill, due: 2007-06-30, status: done}',
            'action: "Stop traffic bouncing. [Details](https://example.com/x)", type: prevent, owner: bill, due: 2007-06-30, status: done, public: true}',
          ),
        ),
        expect: [
          `${BASE_PATH}:22:22: warning \`remediations[R1].action\` is plain text but holds markup (\`[Details](https://example.com/x)\`); customers would see it as typed, and letters drop it [customer-markup]`,
        ],
      },
      {
        name: 'a script in the Customer summary',
        files: kb((t) => `${t}\n## Customer summary\n\nMail was slow. <script>alert('t5')</script>\n`),
        expect: [
          `${BASE_PATH}:30:1: warning the customer summary holds raw HTML (\`<script>\`), which customer documents drop; write it in Markdown [customer-markup]`,
        ],
      },
    ],
  },
};
