/**
 * Every sentence a customer letter can say, as one table: which rule writes it, from which
 * customer fields, and when it is left out. The view model (`model.ts`) writes each sentence
 * through one of these rules and records the claim (sentence → rule → fields), which
 * `postmortem letter --preview` prints; `docs/letters.md` carries the same table, and a test
 * keeps the two in step.
 */
export const SENTENCE_RULES = [
  {
    id: 'span',
    example: 'Our service let you down twice between Monday, June 4 and Wednesday, June 13, 2007.',
    fields: ['started', 'resolved'],
    leftOut: 'one incident: its heading names the day (the default opening template)',
  },
  {
    id: 'heading',
    example: 'Monday, June 4, 2007 — Dulles, VA',
    fields: ['started', 'locations'],
    leftOut: 'the place, when the incident lists no locations',
  },
  {
    id: 'experience',
    example: 'Most customers could not check their email: POP and IMAP connections timed out or were refused.',
    fields: ['impact.summary'],
    leftOut: 'never',
  },
  {
    id: 'when',
    example: 'It began at 9:12 AM EDT and lasted 1 hour and 45 minutes, until 10:57 AM EDT.',
    fields: ['started', 'resolved', 'impact.windows[].to', 'locations (zone)'],
    leftOut:
      'never; the end is `resolved`, or the end of the last public outage or partial-outage window when the public windows show a degraded tail after it; "was not yet over" without an end',
  },
  {
    id: 'restored-share',
    example: 'By 10:41 AM EDT, service was back for 95% of affected customers.',
    fields: ['impact.percent_resolved_at_mitigation', 'impact.percent_resolved_of', 'mitigated'],
    leftOut: 'no unit (`percent_resolved_of`), no `mitigated`, 0% or 100%, or `mitigated` not before the end (zero gap)',
  },
  {
    id: 'window-stage',
    example: 'From 9:47 AM to 10:36 AM UTC, the outage affected 85% of our network.',
    fields: ['impact.windows[].from', 'impact.windows[].to', 'impact.windows[].level', 'impact.windows[].scope'],
    leftOut: 'windows not `public: true` or without `scope`, and every window when `restored-share` is said',
  },
  {
    id: 'summary',
    example: 'On Wednesday, June 13, a repair meant for our beta mail system was applied to the live system.',
    fields: ['customer.summary'],
    leftOut: 'no customer summary',
  },
  {
    id: 'shared-symptom',
    example: 'Both incidents left customers unable to access email.',
    fields: ['impact.symptoms'],
    leftOut: 'one incident, or no symptom shared by two incidents',
  },
  {
    id: 'related-cause',
    example: 'Both interruptions came from the same fault in our storage system.',
    fields: ['customer.related_cause'],
    leftOut: 'one incident, or no incident of the letter has it (never from `related`)',
  },
  {
    id: 'leader',
    example: 'Led by Bill Boebel, our chief technology officer:',
    fields: ['remediations[].owner (public owners only)'],
    leftOut: 'owner not `public: true` or a provider; the name alone when the title repeats it',
  },
  {
    id: 'changed',
    example: 'We changed how our load balancers fail over. (completed June 4, 2007)',
    fields: ['remediations[].customer_action', 'remediations[].action', 'remediations[].completed'],
    leftOut: 'not `public: true`, not `done`, or completed after the letter date',
  },
  {
    id: 'changing',
    example: 'We are separating our beta mail system from the live one. (by October 31, 2007)',
    fields: ['remediations[].customer_action', 'remediations[].action', 'remediations[].due'],
    leftOut: 'not `public: true`, or `wont-do`; "by" when there is no `due`',
  },
  {
    id: 'signature',
    example: 'Pat Matthews, Chief Executive Officer',
    fields: ['letter.signer (config, public owner)'],
    leftOut: 'no signer: "The <organization> team"',
  },
] as const;

export type SentenceRuleId = (typeof SENTENCE_RULES)[number]['id'];

/** One sentence of a letter and where it comes from. */
export interface Claim {
  rule: SentenceRuleId;
  /** The incident it is about, or null for the letter as a whole. */
  incident: string | null;
  /** The record fields it was written from. */
  fields: string[];
  text: string;
}

/** The documentation table (Markdown) of the sentence rules. */
export function sentenceRulesTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = SENTENCE_RULES.map(
    (r) => `| \`${r.id}\` | ${cell(r.example)} | ${r.fields.map((f) => `\`${f}\``).join(', ')} | ${cell(r.leftOut)} |`,
  );
  return ['| rule | sentence | fields | left out when |', '|---|---|---|---|', ...rows].join('\n');
}

const MARKERS = [
  '<!-- sentence-rules:start (generated from src/letter/sentences.ts by `npm run docs`) -->',
  '<!-- sentence-rules:end -->',
] as const;

/** `docs/letters.md` with the table between its markers replaced by the current one. */
export function withSentenceRules(doc: string): string {
  const [start, end] = MARKERS;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/letters.md lacks the ${start} … ${end} markers`);
  return `${doc.slice(0, i + start.length)}\n${sentenceRulesTable()}\n${doc.slice(j)}`;
}
