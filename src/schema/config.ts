import { z } from 'zod';
import { ID_PATTERN } from './id.js';
import { contractSchema, type Contract } from './contract.js';
import { ONCE } from './jit.js';
import { madeOnUse } from './on-use.js';

/**
 * `postmortem.config.yaml`, declared once. Every key has a default, so a folder of
 * incidents works without any configuration.
 */
export const DEFAULT_SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'];
export const DEFAULT_CATEGORIES = [
  'capacity',
  'change',
  'config',
  'software',
  'hardware',
  'network',
  'dependency',
  'security',
  'process',
  'unknown',
];

/**
 * A mapping whose keys the user chooses (location ids, provider ids), read into a `Map`:
 * a key such as `constructor` or `__proto__` must never find what a plain object inherits.
 */
const userKeyed = () =>
  z
    .record(z.string(), z.string())
    .default({})
    .transform((record) => new Map(Object.entries(record)));

/** What a third party is to us. */
export const PROVIDER_KINDS = ['hosting', 'vendor', 'upstream', 'customer', 'other'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];
/** Weight of a minute at each impact level in availability (1 = fully down). */
export const DEFAULT_AVAILABILITY_WEIGHTS = { outage: 1, 'partial-outage': 0.3, degraded: 0, delayed: 0, 'data-loss': 0 };

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** Who a packet is for: `internal` (everything) or `provider` (the allowlist view handed to the provider). */
export const PACKET_AUDIENCES = ['internal', 'provider'] as const;
export type PacketAudience = (typeof PACKET_AUDIENCES)[number];

/** A configured location: a display name, or a name with the IANA zone its own customers read times in. */
const locationEntry = z.union([
  z.string(),
  z.strictObject({
    name: z.string().min(1).describe('Display name, e.g. "Zürich".'),
    timezone: z.string().min(1).describe('IANA time zone of the place; letters show its times in this zone too.'),
  }),
]);
export interface LocationEntry {
  name: string;
  timezone?: string;
}

export const ownerSchema = z.strictObject({
  id: z.string().regex(ID_PATTERN).describe('Owner id used in incidents (lowercase).'),
  name: z.string().min(1).describe('Full name (internal documents; customer documents only when public).'),
  title: z.string().optional().describe('How customer documents introduce them, e.g. "our chief technology officer".'),
  team: z.string().optional(),
  email: z.string().optional(),
  public: z.boolean().default(false).describe('May be named in customer documents.'),
});

const letterDocument = () =>
  z.strictObject({
    type: z.literal('letter'),
    name: z.string().regex(ID_PATTERN).describe('Output file name without extension.'),
    incidents: z.array(z.string()).min(1),
    signer: z.string().optional(),
    audience: z.string().optional(),
    formats: z.array(z.enum(['html', 'md', 'pdf'])).optional(),
    include_drafts: z.boolean().optional(),
    date: z
      .string()
      .regex(datePattern)
      .optional()
      .describe('Date printed on the letter (YYYY-MM-DD); default: the day the last incident was resolved.'),
    notes: z
      .string()
      .optional()
      .describe("Markdown file of the letter's own paragraphs (next steps, communication, credits), relative to the root."),
    follows: z
      .string()
      .regex(ID_PATTERN)
      .optional()
      .describe('Name of an earlier letter: this one reports on what that letter promised (its <name>.promises.json).'),
  });

const packetDocument = () =>
  z.strictObject({
    type: z.literal('packet'),
    name: z.string().regex(ID_PATTERN),
    provider: z.string().optional(),
    since: z.string().regex(datePattern).optional(),
    until: z.string().regex(datePattern).optional(),
    meeting: z.string().regex(datePattern).optional().describe('Meeting date printed on the cover.'),
    incidents: z.array(z.string()).optional().describe('Exactly these incidents (instead of selecting by provider and period).'),
    include: z.array(z.string()).optional().describe('Also review these incidents, in addition to those selected by provider and period.'),
    notes: z.string().optional().describe('Markdown file with the meeting notes, relative to the root.'),
    formats: z.array(z.enum(['html', 'pdf'])).optional(),
    body_pages: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'Most pages before the appendices (cover and contents included); what does not fit moves to appendices. Default 20; 0: no cap.',
      ),
    as_of: z
      .string()
      .regex(datePattern)
      .optional()
      .describe('Date remediation status and incident text are evaluated at; default: the meeting date, else `until`.'),
    previous: z
      .string()
      .optional()
      .describe(
        'The previous review: a packet under documents:, or a git commit or tag. The packet then opens with "Since our last review".',
      ),
    audience: z
      .enum(PACKET_AUDIENCES)
      .optional()
      .describe(
        'internal (default): everything, for our side of the table; provider: the version to hand to the provider (needs provider:).',
      ),
  });

export const documentSchema = madeOnUse(() => z.discriminatedUnion('type', [letterDocument(), packetDocument()]));

export const configSchema = z.strictObject({
  organization: z.string().default('Our Company').describe('Letterhead, signatures, packet covers.'),
  timezone: z.string().default('UTC').describe('IANA time zone used for display.'),
  paper: z.enum(['letter', 'a4']).default('letter'),
  as_of: z
    .string()
    .regex(datePattern)
    .optional()
    .describe('Date the knowledge base is evaluated at (overdue remediations); default: today.'),
  severities: z.array(z.string().min(1)).min(1).default(DEFAULT_SEVERITIES).describe('Worst first.'),
  categories: z.array(z.string().min(1)).min(1).default(DEFAULT_CATEGORIES),
  services: z.array(z.string().min(1)).default([]).describe('Service catalogue; unknown names in incidents are warnings.'),
  service_names: userKeyed().describe('Service id -> display name for documents, e.g. smtp-inbound: Inbound mail (SMTP).'),
  locations: z
    .record(z.string(), locationEntry)
    .default({})
    .transform(
      (record) => new Map(Object.entries(record).map(([id, v]): [string, LocationEntry] => [id, typeof v === 'string' ? { name: v } : v])),
    )
    .describe('Location id -> display name, or {name, timezone} for a place with its own time zone.'),
  language: z
    .string()
    .regex(/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'must be a BCP-47 language tag such as en or de-CH')
    .default('en')
    .describe('Language of customer documents (BCP-47); customer fields in another language get a warning.'),
  providers: z
    .array(
      z.union([
        z.string().min(1),
        z.strictObject({
          id: z.string().min(1),
          kind: z.enum(PROVIDER_KINDS).default('hosting'),
          contract: contractSchema.optional().describe('Service-level contract: targets, credit tiers, exclusions, fee, claim deadline.'),
        }),
      ]),
    )
    .default([])
    .describe('Third parties: an id (a hosting provider) or {id, kind, contract?}; kind is hosting, vendor, upstream, customer or other.'),
  provider_names: userKeyed().describe('Provider id -> display name for documents, e.g. rackspace: Rackspace.'),
  owners: z.array(ownerSchema).default([]).describe('The owners directory.'),
  availability_weights: madeOnUse(() =>
    z.strictObject({
      outage: z.number().min(0).max(1).default(DEFAULT_AVAILABILITY_WEIGHTS.outage),
      'partial-outage': z.number().min(0).max(1).default(DEFAULT_AVAILABILITY_WEIGHTS['partial-outage']),
      degraded: z.number().min(0).max(1).default(DEFAULT_AVAILABILITY_WEIGHTS.degraded),
      delayed: z.number().min(0).max(1).default(DEFAULT_AVAILABILITY_WEIGHTS.delayed),
      'data-loss': z.number().min(0).max(1).default(DEFAULT_AVAILABILITY_WEIGHTS['data-loss']),
    }),
  )
    .default(DEFAULT_AVAILABILITY_WEIGHTS)
    .describe('How much a minute at each impact level counts against availability.'),
  zone_abbreviations: madeOnUse(() => z.record(z.string().regex(/^[A-Z]{2,5}$/), z.string().regex(/^[+-]\d{2}:\d{2}$/)))
    .default({})
    .transform((record) => new Map(Object.entries(record)))
    .describe('Zone abbreviations accepted in body timelines, e.g. PST: "-08:00". Never guessed.'),
  contact: madeOnUse(() =>
    z.strictObject({
      email: z
        .string()
        .regex(/^[^\s@<>()[\]]+@[^\s@<>()[\]]+\.[^\s@<>()[\]]+$/, 'expected an e-mail address such as support@example.com')
        .optional()
        .describe('Support e-mail address printed in letters.'),
      phone: z
        .string()
        .regex(/^\+?[0-9][0-9 ().-]{4,30}$/, 'expected a phone number: digits, spaces, ( ) . - and an optional leading +')
        .optional()
        .describe('Support phone number printed in letters.'),
      status_page: z
        .string()
        .regex(/^https:\/\/[^\s<>"]+$/, 'expected an https:// address')
        .optional()
        .describe('Status page URL (https) printed in letters.'),
    }),
  )
    .default({})
    .describe('How customers reach support; the closing of every letter names it.'),
  letter: madeOnUse(() =>
    z.strictObject({
      signer: z.string().optional().describe('Owner id of the person who signs customer letters.'),
      audience: z.string().default('customers'),
    }),
  ).default({ audience: 'customers' }),
  validation: madeOnUse(() =>
    z.strictObject({
      timeline_slack_minutes: z.number().int().min(0).default(60).describe('How far timeline entries may lie outside the incident window.'),
      max_file_kb: z.number().int().min(1).default(1024).describe('Largest incident file accepted.'),
    }),
  ).default({ timeline_slack_minutes: 60, max_file_kb: 1024 }),
  site: z
    .strictObject({
      title: z.string().optional(),
    })
    .default({}),
  documents: z.array(documentSchema).default([]),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type Owner = z.output<typeof ownerSchema>;

/** The configured providers with their kinds (a plain id is a hosting provider). */
export function providerList(config: Pick<Config, 'providers'>): { id: string; kind: ProviderKind; contract?: Contract }[] {
  return config.providers.map((p) => (typeof p === 'string' ? { id: p, kind: 'hosting' as const } : p));
}

export function providerIds(config: Pick<Config, 'providers'>): string[] {
  return providerList(config).map((p) => p.id);
}
/** A location's display name (its id when the config gives none). */
export function locationName(config: Pick<Config, 'locations'>, id: string): string {
  return config.locations.get(id)?.name ?? id;
}

export type DocumentSpec = z.output<typeof documentSchema>;
export type LetterDocumentSpec = Extract<DocumentSpec, { type: 'letter' }>;
export type PacketDocumentSpec = Extract<DocumentSpec, { type: 'packet' }>;

/** The config's documents of one type, each with its index in `documents` (to locate problems at its entry). */
export function documentsOfType<T extends DocumentSpec['type']>(
  config: { documents: readonly DocumentSpec[] },
  type: T,
): { spec: Extract<DocumentSpec, { type: T }>; index: number }[] {
  return config.documents
    .map((spec, index) => ({ spec, index }))
    .filter((d): d is { spec: Extract<DocumentSpec, { type: T }>; index: number } => d.spec.type === type);
}

/** The config as text for digests (its maps as lists of entries; `JSON.stringify` drops a Map's contents). */
export function configText(config: object): string {
  return JSON.stringify(config, (_key, value: unknown) => (value instanceof Map ? [...value] : value));
}

export const DEFAULT_CONFIG: Config = configSchema.parse({}, ONCE);
