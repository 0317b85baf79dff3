import type { Incident } from '../model/incident.js';
import type { Target } from './rule.js';

/** One customer-facing text of an incident and where it is written. */
export interface CustomerText {
  /** The field as a reader of the record names it: `impact.summary`, `remediations[R1].customer_action`. */
  field: string;
  text: string;
  at: Target;
  /** Plain text (shown as written) or Markdown (the Customer summary). */
  kind: 'plain' | 'markdown';
}

/** Every text of an incident that customer documents may show, with its location. */
export function customerTexts(incident: Incident): CustomerText[] {
  const texts: CustomerText[] = [
    { field: 'title', text: incident.title, at: ['title'], kind: 'plain' },
    { field: 'impact.summary', text: incident.impact.summary, at: ['impact', 'summary'], kind: 'plain' },
    ...incident.impact.symptoms.map(
      (text, i): CustomerText => ({ field: `impact.symptoms[${i}]`, text, at: ['impact', 'symptoms', i], kind: 'plain' }),
    ),
  ];
  incident.remediations.forEach((r, i) => {
    if (!r.public) return;
    texts.push({ field: `remediations[${r.id}].action`, text: r.action, at: ['remediations', i, 'action'], kind: 'plain' });
    if (r.customer_action)
      texts.push({
        field: `remediations[${r.id}].customer_action`,
        text: r.customer_action,
        at: ['remediations', i, 'customer_action'],
        kind: 'plain',
      });
  });
  if (incident.customer?.related_cause) {
    texts.push({
      field: 'customer.related_cause',
      text: incident.customer.related_cause,
      at: ['customer', 'related_cause'],
      kind: 'plain',
    });
  }
  const summary = customerSummaryAt(incident);
  if (summary) texts.push({ field: 'customer summary', text: incident.customer_summary!, at: summary, kind: 'markdown' });
  return texts;
}

/** Where the Customer summary is written: `customer.summary`, or its section. */
export function customerSummaryAt(incident: Incident): Target | undefined {
  if (!incident.customer_summary?.trim()) return undefined;
  if (incident.customer?.summary) return ['customer', 'summary'];
  const section = incident.sections.find((s) => s.key === 'customer-summary');
  return section ? { line: section.line, column: section.column } : ['id'];
}
