import { z } from 'zod';
import type { Config } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import { IMPACT_LEVELS } from '../schema/incident.js';
import { customerLetter, type LetterIncident } from '../letter/model.js';

/**
 * What every export (`export json|atom|statuspage`, the site's `feed.xml`) may show of an
 * incident: the letter model's customer view (`customerLetter`, the one function that reads
 * incidents for customer documents), reshaped. Nothing here reads an incident field itself.
 *
 * The schema is declared once: it types the exports, and `npm run schema` publishes it as
 * `schema/export.schema.json` (the `export json` document).
 */
const instant = () => z.string().describe('ISO 8601 with the offset of the configured time zone, e.g. 2007-06-04T09:10:00-04:00');

export const publicIncidentSchema = z.strictObject({
  id: z.string().describe('The incident id (its file name).'),
  title: z.string(),
  started: instant().describe('Customer impact began.'),
  mitigated: instant().nullable().describe('Impact ended for most customers, when recorded.'),
  resolved: instant()
    .nullable()
    .describe('Impact ended for everyone: `resolved`, else the end of the last impact window; null while open.'),
  services: z.array(z.strictObject({ id: z.string(), name: z.string().describe('Display name.') })),
  locations: z.array(z.string()).describe('Display names.'),
  impact: z.strictObject({
    summary: z.string().describe('What customers experienced.'),
    symptoms: z.array(z.string()),
  }),
  customer_summary: z
    .strictObject({
      markdown: z.string().describe('The Customer summary as Markdown, raw HTML removed.'),
      html: z.string().describe('The same, as sanitised HTML.'),
    })
    .nullable(),
  timeline: z
    .array(
      z.strictObject({
        at: instant().describe('A day-precision entry sits at the start of its day.'),
        precision: z.enum(['minute', 'day']),
        approximate: z.boolean(),
        event: z.string(),
      }),
    )
    .describe('Timeline entries marked public, in order.'),
  windows: z
    .array(
      z.strictObject({
        from: instant(),
        to: instant().nullable(),
        level: z.enum(IMPACT_LEVELS),
        services: z.array(z.string()).describe('Display names.'),
        locations: z.array(z.string()).describe('Display names.'),
        summary: z.string().nullable(),
      }),
    )
    .describe('Impact windows marked public, in order.'),
});

export const publicExportSchema = z.strictObject({
  format: z.literal('postmortem-kb/public-incidents').describe('What this document is.'),
  version: z.literal(1),
  organization: z.string(),
  incidents: z.array(publicIncidentSchema).describe('Final incidents, newest first (then by id).'),
});

export type PublicIncident = z.infer<typeof publicIncidentSchema>;
export type PublicExport = z.infer<typeof publicExportSchema>;

/** The Customer summary of an export; its Markdown is written when read (the Atom feed shows only the HTML: see `customerSummary`). */
function publicSummary(summary: NonNullable<LetterIncident['summary']>): PublicIncident['customer_summary'] {
  return {
    get markdown() {
      return summary.markdown.toString().trim();
    },
    html: summary.html.toString(),
  };
}

function reshape(view: LetterIncident): PublicIncident {
  return {
    id: view.id,
    title: view.title,
    started: view.times.started,
    mitigated: view.times.mitigated,
    resolved: view.times.resolved,
    services: view.service_ids.map((id, n) => ({ id, name: view.services[n]! })),
    locations: view.locations,
    impact: { summary: view.experience, symptoms: view.symptoms },
    customer_summary: view.summary ? publicSummary(view.summary) : null,
    timeline: view.timeline.map(({ at, precision, approximate, event }) => ({ at, precision, approximate, event })),
    windows: view.windows,
  };
}

/** Newest first, then by id: the order of every export. */
export function newestFirst(incidents: readonly Incident[]): Incident[] {
  return [...incidents].sort(
    (a, b) => b.started.epochMilliseconds - a.started.epochMilliseconds || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The public view of `incidents` (only `final` ones are exported; see `exportable`). */
export function publicExport(incidents: readonly Incident[], config: Config): PublicExport {
  return {
    format: 'postmortem-kb/public-incidents',
    version: 1,
    organization: config.organization,
    // one letter per incident: the footnote ids and the shared-symptom sentences of a letter about several are not wanted here
    incidents: newestFirst(incidents).map((incident) =>
      reshape(customerLetter([incident], config, { audience: 'customers' }).incidents[0]!),
    ),
  };
}

/** Incidents that may be exported: final ones, as for letters. */
export function exportable(incidents: readonly Incident[]): Incident[] {
  return incidents.filter((i) => i.status === 'final');
}
