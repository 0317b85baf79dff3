import { z } from 'zod';
import { DEFAULT_CATEGORIES, DEFAULT_SEVERITIES } from './config.js';

/**
 * The incident record, declared once (see the spec `incident-format.md`).
 * TypeScript types, runtime validation and `schema/incident.schema.json` all derive from it.
 * Timestamps are ISO 8601 strings here; `model/incident.ts` turns them into Temporal instants.
 */
export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]*$/;
/** Shape of a timestamp; whether it carries an offset is checked in the typed step. */
export const TIMESTAMP_PATTERN =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export const STATUSES = ['draft', 'review', 'final'] as const;
export const DETECTION_METHODS = ['monitoring', 'alert', 'customer-report', 'staff', 'other'] as const;
export const TIMELINE_KINDS = ['trigger', 'detection', 'action', 'mitigation', 'resolution', 'communication', 'note'] as const;
export const REMEDIATION_TYPES = ['prevent', 'detect', 'mitigate', 'process'] as const;
export const REMEDIATION_STATUSES = ['open', 'in-progress', 'done', 'wont-do'] as const;
/** Timestamp fields of the front-matter, in the order they happen. */
export const TIMESTAMP_FIELDS = ['started', 'detected', 'mitigated', 'resolved'] as const;

export type TimelineKind = (typeof TIMELINE_KINDS)[number];
export type RemediationStatus = (typeof REMEDIATION_STATUSES)[number];

const timestamp = () =>
  z.string().regex(TIMESTAMP_PATTERN, 'must be an ISO 8601 timestamp such as 2007-06-04T09:10:00-04:00');
const text = () => z.string().trim().min(1);

export interface IncidentSchemaOptions {
  severities?: readonly string[];
  categories?: readonly string[];
}

export function incidentSchema(options: IncidentSchemaOptions = {}) {
  const severities = (options.severities ?? DEFAULT_SEVERITIES) as [string, ...string[]];
  const categories = (options.categories ?? DEFAULT_CATEGORIES) as [string, ...string[]];
  const category = z.enum(categories);
  return z.strictObject({
    id: z.string().regex(ID_PATTERN, 'must be lowercase letters, digits, ".", "_" or "-"')
      .describe('Unique id; equals the file name without .md.'),
    title: text().describe('One line. Customer-facing.'),
    status: z.enum(STATUSES).describe('Only final incidents go into customer letters.'),
    severity: z.enum(severities).describe('One of the configured severities, worst first.'),
    services: z.array(text()).min(1).describe('Services affected. Customer-facing.'),
    locations: z.array(text()).default([]).describe('Data centers / regions (ids from the config).'),
    provider: text().optional().describe('Hosting or infrastructure provider involved. Internal.'),
    started: timestamp().describe('Customer impact began. Customer-facing.'),
    detected: timestamp().optional(),
    mitigated: timestamp().optional().describe('Impact ended for most customers.'),
    resolved: timestamp().optional().describe('Impact ended for everyone. Required when final.'),
    impact: z.strictObject({
      summary: text().describe('What customers experienced. Customer-facing.'),
      symptoms: z.array(text()).default([]).describe('Short phrases; letters group incidents sharing one.'),
      customers_affected: z.number().int().min(0).optional(),
      percent_resolved_at_mitigation: z.number().min(0).max(100).optional(),
    }),
    root_cause: z.strictObject({
      category,
      summary: text(),
    }),
    trigger: text().optional(),
    contributing_factors: z.array(z.strictObject({ category, summary: text() })).default([]),
    detection: z.strictObject({
      method: z.enum(DETECTION_METHODS),
      summary: text().optional(),
    }).optional(),
    timeline: z.array(z.strictObject({
      at: timestamp(),
      event: text(),
      kind: z.enum(TIMELINE_KINDS).default('note'),
      public: z.boolean().default(false),
    })).default([]).describe('At least one entry here or in the body Timeline section.'),
    remediations: z.array(z.strictObject({
      id: text(),
      action: text(),
      type: z.enum(REMEDIATION_TYPES),
      owner: text().describe('Owner id from the directory.'),
      due: z.string().regex(DATE_PATTERN, 'must be a date YYYY-MM-DD').optional(),
      completed: z.string().regex(DATE_PATTERN, 'must be a date YYYY-MM-DD').optional(),
      status: z.enum(REMEDIATION_STATUSES),
      ticket: text().optional(),
      public: z.boolean().default(false).describe('Lets the action text (never the owner) appear in letters.'),
    })).default([]),
    owners: z.strictObject({
      commander: text().optional(),
      authors: z.array(text()).min(1),
      reviewers: z.array(text()).default([]),
    }),
    related: z.array(z.string().regex(ID_PATTERN)).default([]),
    tags: z.array(text()).default([]),
    customer: z.strictObject({
      summary: text().optional().describe('Customer-facing account (Markdown).'),
    }).optional(),
  });
}

export type IncidentSchema = ReturnType<typeof incidentSchema>;
export type IncidentInput = z.input<IncidentSchema>;
export type IncidentData = z.output<IncidentSchema>;
export type Remediation = IncidentData['remediations'][number];
