import { z } from 'zod';
import { DEFAULT_CATEGORIES, DEFAULT_SEVERITIES } from './config.js';
import { ID_PATTERN, ID_RULE } from './id.js';

/**
 * The incident record, declared once (see the spec `incident-format.md`).
 * TypeScript types, runtime validation and `schema/incident.schema.json` all derive from it.
 * Timestamps are ISO 8601 strings here; `model/incident.ts` turns them into Temporal instants.
 */
export { ID_PATTERN } from './id.js';
/** Shape of a timestamp; whether it carries an offset is checked in the typed step. */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** A timeline entry's `at`: a timestamp, or a day alone (day precision). */
export const TIMESTAMP_OR_DATE_PATTERN = new RegExp(`${TIMESTAMP_PATTERN.source}|${DATE_PATTERN.source}`);
/** True for the schema issue of a value not shaped like a timestamp (`model/incident.ts` may say what to write). */
export const isTimestampShapeIssue = (issue: z.core.$ZodIssue): boolean =>
  issue.code === 'invalid_format' &&
  [String(TIMESTAMP_PATTERN), String(TIMESTAMP_OR_DATE_PATTERN)].includes((issue as z.core.$ZodIssueInvalidStringFormat).pattern ?? '');

export const STATUSES = ['draft', 'review', 'final'] as const;
export const DETECTION_METHODS = ['monitoring', 'alert', 'customer-report', 'staff', 'other'] as const;
export const TIMELINE_KINDS = [
  'precursor',
  'trigger',
  'detection',
  'action',
  'mitigation',
  'resolution',
  'communication',
  'note',
  'follow-up',
] as const;
/** Kinds that may lie outside the incident window: signs before impact, work after it. */
export const UNBOUNDED_TIMELINE_KINDS: readonly TimelineKindName[] = ['precursor', 'follow-up'];
type TimelineKindName = (typeof TIMELINE_KINDS)[number];
/** Impact levels, status-page style, worst first; `data-loss` is a window of its own. */
export const IMPACT_LEVELS = ['outage', 'partial-outage', 'degraded', 'delayed', 'data-loss'] as const;
export const AUDIENCES = ['internal', 'customer'] as const;
export const REMEDIATION_TYPES = ['prevent', 'detect', 'mitigate', 'process'] as const;
export const REMEDIATION_STATUSES = ['open', 'in-progress', 'done', 'wont-do'] as const;
/** Who caused an incident (or a window), or who fixed it: a provider, we, both, or another third party. */
export const ATTRIBUTIONS = ['provider', 'us', 'shared', 'third-party'] as const;
export type AttributionParty = (typeof ATTRIBUTIONS)[number];
/** Timestamp fields of the front-matter, in the order they happen. */
export const TIMESTAMP_FIELDS = ['started', 'detected', 'mitigated', 'resolved'] as const;
/** The reserved severity of a record nobody has rated yet (imported history); never a configured one. */
export const UNRATED = 'unrated';
/** Where an imported record came from (`postmortem import <kind>`). */
export const IMPORT_KINDS = ['md-frontmatter', 'statuspage', 'csv'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export type TimelineKind = (typeof TIMELINE_KINDS)[number];
export type RemediationStatus = (typeof REMEDIATION_STATUSES)[number];
export type ImpactLevel = (typeof IMPACT_LEVELS)[number];
export { PROVIDER_OWNER_PREFIX } from '../format/names.js';

const timestamp = () => z.string().regex(TIMESTAMP_PATTERN, 'must be an ISO 8601 timestamp such as 2007-06-04T09:10:00-04:00');
const text = () => z.string().trim().min(1);
const date = () => z.string().regex(DATE_PATTERN, 'must be a date YYYY-MM-DD');
const unit = () => text().describe('What is counted: customers, requests, devices, network, sites, mailboxes, ...');
/** How much of something: a percentage or a count, always with its unit. */
const scope = () =>
  z.union([
    z.strictObject({ percent: z.number().min(0).max(100), of: unit() }),
    z.strictObject({ count: z.number().int().min(0), of: unit() }),
  ]);
/** `attribution: provider`, or `{cause, provider, fixed_by}` (provider: a configured provider id). */
const attribution = () =>
  z.union([
    z.enum(ATTRIBUTIONS),
    z.strictObject({
      cause: z.enum(ATTRIBUTIONS).describe('Who caused it.'),
      provider: text().optional().describe("Provider id; default: the incident's only provider."),
      fixed_by: z.enum(ATTRIBUTIONS).optional().describe('Who fixed it; default: who caused it.'),
    }),
  ]);
const cause = (category: z.ZodType<string>) => z.strictObject({ category, summary: text() });

export interface IncidentSchemaOptions {
  severities?: readonly string[];
  categories?: readonly string[];
}

export function incidentSchema(options: IncidentSchemaOptions = {}) {
  const severities = (options.severities ?? DEFAULT_SEVERITIES) as [string, ...string[]];
  const categories = (options.categories ?? DEFAULT_CATEGORIES) as [string, ...string[]];
  const category = z.enum(categories);
  return z.strictObject({
    id: z.string().regex(ID_PATTERN, `must be ${ID_RULE}`).describe('Unique id; equals the file name without .md.'),
    title: text()
      .regex(/^[^\r\n\u2028\u2029]*$/, 'must be one line (no line breaks)')
      .describe('One line. Customer-facing.'),
    status: z.enum(STATUSES).describe('Only final incidents go into customer letters.'),
    severity: z
      .enum([...severities, UNRATED])
      .describe(
        'One of the configured severities, worst first, or `unrated` (not rated yet, e.g. imported history; stats count it apart).',
      ),
    services: z.array(text()).min(1).describe('Services affected. Customer-facing.'),
    locations: z.array(text()).default([]).describe('Data centers / regions (ids from the config).'),
    provider: z
      .union([text(), z.array(text()).min(1)])
      .optional()
      .describe('Third parties involved (hosting, vendor, upstream, customer): one id or a list. Internal.'),
    attribution: attribution()
      .optional()
      .describe(
        'Who caused the incident (provider, us, shared, third-party), or {cause, provider, fixed_by}. Only `provider` counts against a provider (credits). Internal.',
      ),
    started: z
      .string()
      .regex(TIMESTAMP_OR_DATE_PATTERN, 'must be an ISO 8601 timestamp such as 2007-06-04T09:10:00-04:00, or a day 2007-06-04')
      .optional()
      .describe('Customer impact began: a timestamp, or a day alone (day precision). Only a draft may leave it out. Customer-facing.'),
    detected: timestamp().optional().describe('First sign seen; may precede `started` (proactive detection).'),
    mitigated: timestamp().optional().describe('Impact ended for most customers.'),
    resolved: timestamp().optional().describe('Impact ended for everyone. Required when final.'),
    impact: z.strictObject({
      summary: text().describe('What customers experienced. Customer-facing.'),
      symptoms: z.array(text()).default([]).describe('Short phrases; letters group incidents sharing one.'),
      level: z.enum(IMPACT_LEVELS).default('outage').describe('Level of the implicit window (no `windows`) and default of each window.'),
      windows: z
        .array(
          z.strictObject({
            from: timestamp(),
            to: timestamp().optional().describe('Absent: still open.'),
            level: z.enum(IMPACT_LEVELS).optional().describe('Default: `impact.level`.'),
            services: z.array(text()).min(1).optional().describe("Default: the incident's services."),
            locations: z.array(text()).optional().describe("Default: the incident's locations."),
            scope: scope().optional().describe('How much was affected: {percent, of} or {count, of}.'),
            public: z.boolean().default(false).describe('May appear in customer documents.'),
            summary: text().optional(),
            attribution: attribution().optional().describe("Who caused this window; default: the incident's `attribution`."),
          }),
        )
        .min(1)
        .optional()
        .describe('Impact in stages. Without it: one window `started` to `resolved` (else `mitigated`) at `impact.level`.'),
      affected: z.strictObject({ count: z.number().int().min(0), of: unit() }).optional(),
      customers_affected: z.number().int().min(0).optional().describe('Same as `affected: {count, of: customers}`.'),
      percent_resolved_at_mitigation: z
        .number()
        .min(0)
        .max(100)
        .optional()
        .describe('Share of the impact gone at `mitigated`. Customer-facing with its unit `percent_resolved_of`.'),
      percent_resolved_of: unit()
        .optional()
        .describe(
          'What `percent_resolved_at_mitigation` counts (customers, network, requests, ...); letters state the percentage only with it.',
        ),
    }),
    root_cause: z
      .union([cause(category), z.array(cause(category)).min(1)])
      .describe('One cause {category, summary} or a list of them (e.g. the trigger and the safety net that failed).'),
    trigger: text().optional(),
    contributing_factors: z.array(z.strictObject({ category, summary: text() })).default([]),
    detection: z
      .strictObject({
        method: z.enum(DETECTION_METHODS),
        summary: text().optional(),
      })
      .optional(),
    timeline: z
      .array(
        z.strictObject({
          at: z
            .string()
            .regex(TIMESTAMP_OR_DATE_PATTERN, 'must be an ISO 8601 timestamp such as 2007-06-04T09:10:00-04:00, or a day 2007-06-04')
            .describe('A timestamp, or a day alone (day precision).'),
          event: text(),
          kind: z.enum(TIMELINE_KINDS).default('note'),
          public: z.boolean().default(false),
          approximate: z.boolean().default(false).describe('The time is approximate ("around 6:00 AM").'),
        }),
      )
      .default([])
      .describe('At least one entry here or in the body Timeline section.'),
    remediations: z
      .array(
        z.strictObject({
          id: text(),
          action: text(),
          type: z.enum(REMEDIATION_TYPES),
          owner: text().describe('Owner id from the directory, or `provider:<id>` for a configured provider.'),
          due: date().optional(),
          completed: date().optional().describe('Day the action was done.'),
          status: z.enum(REMEDIATION_STATUSES),
          ticket: text().optional(),
          public: z.boolean().default(false).describe('Lets the action text (never the owner) appear in letters.'),
          customer_action: text()
            .optional()
            .describe('The change in customer words, one or more sentences; letters prefer it to `action`. Customer-facing when public.'),
        }),
      )
      .default([]),
    owners: z.strictObject({
      commander: text().optional(),
      authors: z.array(text()).min(1),
      reviewers: z.array(text()).default([]),
    }),
    related: z.array(z.string().regex(ID_PATTERN)).default([]),
    tags: z.array(text()).default([]),
    customer: z
      .strictObject({
        summary: text().optional().describe('Customer-facing account (Markdown).'),
        related_cause: text()
          .optional()
          .describe(
            'Customer wording that this incident shares a cause with others in a letter; letters call incidents related only from it.',
          ),
      })
      .optional(),
    links: z
      .array(
        z.strictObject({
          title: text(),
          url: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
          audience: z.enum(AUDIENCES).default('internal'),
        }),
      )
      .default([])
      .describe('Public write-ups, tickets, dashboards.'),
    credits: z
      .array(
        z.strictObject({
          summary: text().describe('What customers were given, e.g. "10% service credit for June".'),
          audience: z.enum(AUDIENCES).default('internal'),
        }),
      )
      .default([]),
    source: z
      .strictObject({
        kind: z.enum(IMPORT_KINDS),
        id: text().describe("The record's id in its source: re-imports match on it."),
        url: z
          .string()
          .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
          .optional(),
      })
      .optional()
      .describe('Provenance of an imported record (`postmortem import`).'),
    extra: z.record(z.string(), z.unknown()).default({}).describe('Anything else worth keeping; stored as JSON and shown on the site.'),
  });
}

export type IncidentSchema = ReturnType<typeof incidentSchema>;
export type IncidentInput = z.input<IncidentSchema>;
export type IncidentData = z.output<IncidentSchema>;
export type Remediation = IncidentData['remediations'][number];
export type RootCause = { category: string; summary: string };
export type AttributionData = NonNullable<IncidentData['attribution']>;
export type WindowData = NonNullable<IncidentData['impact']['windows']>[number];
