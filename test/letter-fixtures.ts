import fc from 'fast-check';
import type { Incident, TimelineEntry } from '../src/model/incident.js';
import { Temporal } from '../src/model/time.js';
import { implicitWindow } from '../src/model/impact.js';
import { configSchema, type Config } from '../src/schema/config.js';
import type { Section } from '../src/source/sections.js';

/**
 * Incidents for letter tests, built in memory: a customer part (what a letter may show)
 * and an internal part (everything else). Internal text carries canaries, unique tokens
 * that must never reach a letter.
 */

export interface CustomerPart {
  id: string;
  title: string;
  services: string[];
  locations: string[];
  /** Minutes after 2007-03-10T12:00Z (so some incidents cross the DST change of 2007-03-11). */
  startOffset: number;
  toMitigation: number | null;
  mitigationToResolution: number;
  percent: number | null;
  /** `impact.percent_resolved_of`. */
  percentOf: string | null;
  impact: string;
  symptoms: string[];
  publicEvents: string[];
  /** Public remediations: status, due and completed are customer-facing for them. */
  publicActions: {
    action: string;
    customerAction: string | null;
    ownerPublic: boolean;
    status: 'open' | 'in-progress' | 'done' | 'wont-do';
    due: string;
    completed: string | null;
  }[];
  /** Public impact windows (minutes from start, length, level, scope). */
  windows: { from: number; length: number; level: 'outage' | 'partial-outage' | 'degraded'; percent: number | null; of: string }[];
  customerSummary: string | null;
  relatedCause: string | null;
  links: { title: string; url: string }[];
  credits: string[];
}

export interface InternalPart {
  /** Every canary used in this part. */
  canaries: string[];
  severity: string;
  category: string;
  provider: string;
  customersAffected: number;
  rootCause: string;
  trigger: string;
  factors: string[];
  detection: string;
  privateEvents: string[];
  privateActions: string[];
  tickets: string[];
  tags: string[];
  sections: { title: string; markdown: string }[];
  internalNotes: string;
  /** Minutes from start to detection. */
  detectedAfter: number;
  reviewers: string[];
  /** The internal `related` list: letters must not read it. */
  related: string[];
  /** Internal-only windows (never public). */
  windowLevel: 'outage' | 'partial-outage' | 'degraded';
}

const BASE = Temporal.Instant.from('2007-03-10T12:00:00Z');

/** Owners directory: `bill` is public; `priv` is not, and its name and e-mail are canaries. */
export function letterConfig(
  canaries: { privateName: string; privateEmail: string; publicEmail: string },
  overrides: Record<string, unknown> = {},
): Config {
  return configSchema.parse({
    organization: 'Example Mail, Inc.',
    timezone: 'America/New_York',
    services: ['pop', 'imap', 'webmail'],
    locations: { 'dulles-va': 'Dulles, VA', 'san-antonio-tx': 'San Antonio, TX' },
    owners: [
      { id: 'pat', name: 'Pat Signer', title: 'our chief executive officer', public: true, email: canaries.publicEmail },
      { id: 'bill', name: 'Bill Lead', title: 'our chief technology officer', public: true, email: canaries.publicEmail },
      { id: 'priv', name: canaries.privateName, title: 'systems engineer', public: false, email: canaries.privateEmail },
    ],
    letter: { signer: 'pat', audience: 'customers and partners' },
    ...overrides,
  });
}

function section(title: string, markdown: string, audience: 'customer' | 'internal'): Section {
  const key = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return { title, key, recognised: true, audience, markdown, line: 1, column: 1, bodyLine: 3, bodyColumn: 1 };
}

export function makeIncident(c: CustomerPart, i: InternalPart, extra: Partial<Incident> = {}): Incident {
  const started = BASE.add({ minutes: c.startOffset });
  const mitigated = c.toMitigation === null ? undefined : started.add({ minutes: c.toMitigation });
  const resolved = (mitigated ?? started).add({ minutes: c.mitigationToResolution });
  const entry = (at: Temporal.Instant, event: string, isPublic: boolean, line: number): TimelineEntry => ({
    at,
    event,
    kind: isPublic ? 'communication' : 'action',
    public: isPublic,
    precision: 'minute',
    approximate: false,
    source: 'front-matter',
    line,
    column: 5,
  });
  const timeline: TimelineEntry[] = [
    ...c.publicEvents.map((e, n) => entry(started.add({ minutes: n }), e, true, 10 + n)),
    ...i.privateEvents.map((e, n) => entry(started.add({ minutes: n }), e, false, 40 + n)),
  ].sort((a, b) => Temporal.Instant.compare(a.at, b.at));
  const remediations: Incident['remediations'] = [
    ...c.publicActions.map((a, n) => ({
      id: `P${n + 1}`,
      action: a.action,
      type: 'prevent' as const,
      owner: a.ownerPublic ? 'bill' : 'priv',
      due: a.due,
      status: a.status,
      ticket: i.tickets[n % i.tickets.length],
      public: true,
      ...(a.completed ? { completed: a.completed } : {}),
      ...(a.customerAction ? { customer_action: a.customerAction } : {}),
    })),
    ...i.privateActions.map((action, n) => ({
      id: `Q${n + 1}`,
      action,
      type: 'detect' as const,
      owner: 'priv',
      due: '2007-07-31',
      status: 'open' as const,
      ticket: i.tickets[(n + 1) % i.tickets.length],
      public: false,
    })),
  ];
  const sections: Section[] = [
    ...i.sections.map((s) => section(s.title, s.markdown, 'internal')),
    ...(c.customerSummary === null ? [] : [section('Customer summary', c.customerSummary, 'customer')]),
    section('Internal notes', i.internalNotes, 'internal'),
  ];
  const incident: Incident = {
    id: c.id,
    title: c.title,
    status: 'final',
    severity: i.severity,
    services: c.services,
    locations: c.locations,
    provider: i.provider,
    started,
    detected: started.add({ minutes: i.detectedAfter }),
    resolved,
    impact: {
      summary: c.impact,
      level: 'outage',
      symptoms: c.symptoms,
      customers_affected: i.customersAffected,
      ...(c.percent === null ? {} : { percent_resolved_at_mitigation: c.percent }),
      ...(c.percentOf === null ? {} : { percent_resolved_of: c.percentOf }),
    },
    root_cause: { category: i.category, summary: i.rootCause },
    root_causes: [{ category: i.category, summary: i.rootCause }],
    providers: i.provider ? [i.provider] : [],
    windows:
      c.windows.length === 0
        ? [implicitWindow({ started, resolved, ...(mitigated ? { mitigated } : {}) }, 'outage', c.services, c.locations)]
        : [
            ...c.windows.map((w, n) => ({
              index: n + 1,
              from: started.add({ minutes: w.from }),
              to: started.add({ minutes: w.from + w.length }),
              level: w.level,
              services: c.services,
              locations: c.locations,
              public: true,
              implicit: false,
              ...(w.percent === null ? {} : { scope: { kind: 'percent' as const, value: w.percent, of: w.of } }),
            })),
            // An internal stage: its level, summary and scope are internal.
            {
              index: c.windows.length + 1,
              from: started,
              to: resolved.add({ minutes: 30 }),
              level: i.windowLevel,
              services: c.services,
              locations: c.locations,
              public: false,
              implicit: false,
              summary: i.trigger,
              scope: { kind: 'count' as const, value: i.customersAffected, of: i.canaries[13]! },
            },
          ],
    links: [
      ...c.links.map((l) => ({ ...l, audience: 'customer' as const })),
      { title: i.trigger, url: `https://wiki.example/${i.canaries[14]}`, audience: 'internal' as const },
    ],
    credits: [
      ...c.credits.map((summary) => ({ summary, audience: 'customer' as const })),
      { summary: i.detection, audience: 'internal' as const },
    ],
    extra: {},
    trigger: i.trigger,
    contributing_factors: i.factors.map((summary) => ({ category: i.category, summary })),
    detection: { method: 'monitoring', summary: i.detection },
    timeline,
    remediations,
    owners: { commander: 'priv', authors: ['priv'], reviewers: i.reviewers },
    related: i.related,
    tags: i.tags,
    ...(c.relatedCause === null ? {} : { customer: { related_cause: c.relatedCause } }),
    sections,
    internal_notes: i.internalNotes,
    file: `incidents/${c.id}.md`,
    digest: `digest-${i.canaries[0] ?? 'x'}`,
    ...extra,
  };
  if (mitigated) incident.mitigated = mitigated;
  if (c.customerSummary !== null) incident.customer_summary = c.customerSummary;
  return incident;
}

// ---------------------------------------------------------------- arbitraries

const text = (max = 60) =>
  fc
    .oneof(
      fc.string({ minLength: 1, maxLength: max, unit: 'grapheme-ascii' }),
      fc.string({ minLength: 1, maxLength: max, unit: 'grapheme' }),
    )
    .filter((s) => s.trim().length > 0);
const words = fc
  .array(fc.constantFrom('the', 'load', 'balancer', 'queue', 'disk', 'server', 'failed', 'after', 'a', 'change', 'route', 'cache'), {
    minLength: 1,
    maxLength: 8,
  })
  .map((w) => w.join(' '));

/** Characters a reader does not see: zero-width space, joiners, marks, bidi controls, word joiner, BOM, soft hyphen. */
export const INVISIBLES = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202e',
  '\u2060',
  '\u2063',
  '\u2066',
  '\ufeff',
  '\u00ad',
];

/** `text` with invisible characters sprinkled between its characters (at positions drawn from `at`). */
export function sprinkle(text: string, at: readonly number[], chars: readonly string[]): string {
  const out = [...text];
  at.forEach((n, k) => out.splice(n % (out.length + 1), 0, chars[k % chars.length]!));
  return out.join('');
}

const invisibleArb = fc.constantFrom(...INVISIBLES);
const urlArb = fc
  .tuple(fc.webPath(), fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), text(20)), { maxLength: 2 }))
  .map(
    ([path, query]) =>
      `https://status.example${path.startsWith('/') ? path : `/${path}`}${query.length ? `?${query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''}`,
  );
/** Customer Markdown with the pieces a reader may reach besides the text: headings at every level, links with titles and encoded URLs, images, invisible characters. */
const richSummaryArb = fc
  .array(
    fc.oneof(
      text(80),
      fc.tuple(fc.integer({ min: 1, max: 6 }), text(40)).map(([n, t]) => `${'#'.repeat(n)} ${t.replace(/\n/g, ' ')}`),
      fc
        .tuple(text(20), urlArb, text(30))
        .map(([t, u, title]) => `[${t.replace(/[[\]\n]/g, '')}](${u} "${title.replace(/["\\\n]/g, '')}")`),
      fc.tuple(text(20), urlArb).map(([alt, u]) => `![${alt.replace(/[[\]\n]/g, '')}](${u})`),
      fc
        .tuple(text(40), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), fc.array(invisibleArb, { minLength: 1, maxLength: 4 }))
        .map(([t, at, chars]) => sprinkle(t, at, chars)),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((blocks) => blocks.join('\n\n'));

export const canaryArb = fc.stringMatching(/^[a-z0-9]{10}$/).map((s) => `qz${s}x`);

/** Customer text with anything in it: Markdown, HTML, quotes, unicode. */
export const customerPartArb = (id: string) =>
  fc.record({
    id: fc.constant(id),
    title: text(80),
    services: fc.uniqueArray(fc.constantFrom('pop', 'imap', 'webmail', 'smtp-inbound'), { minLength: 1, maxLength: 3 }),
    locations: fc.uniqueArray(fc.constantFrom('dulles-va', 'san-antonio-tx'), { maxLength: 2 }),
    startOffset: fc.integer({ min: 0, max: 60 * 24 * 3 }),
    toMitigation: fc.option(fc.integer({ min: 1, max: 600 }), { nil: null }),
    mitigationToResolution: fc.integer({ min: 1, max: 300 }),
    percent: fc.option(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.double({ min: 50, max: 99.99, noNaN: true })), { nil: null }),
    percentOf: fc.option(fc.constantFrom('customers', 'network', 'mailboxes'), { nil: null }),
    impact: text(200),
    symptoms: fc.uniqueArray(fc.constantFrom('cannot access email', 'delayed incoming mail', 'slow webmail'), { maxLength: 2 }),
    publicEvents: fc.array(text(80), { maxLength: 3 }),
    publicActions: fc.array(
      fc.record({
        action: text(120),
        customerAction: fc.option(text(120), { nil: null }),
        ownerPublic: fc.boolean(),
        status: fc.constantFrom('open' as const, 'in-progress' as const, 'done' as const, 'wont-do' as const),
        due: fc.constantFrom('2007-06-30', '2008-01-31', '2009-12-01'),
        completed: fc.option(fc.constantFrom('2007-03-10', '2007-03-20', '2008-02-01'), { nil: null }),
      }),
      { maxLength: 3 },
    ),
    windows: fc.array(
      fc.record({
        from: fc.integer({ min: 0, max: 120 }),
        length: fc.integer({ min: 0, max: 600 }),
        level: fc.constantFrom('outage' as const, 'partial-outage' as const, 'degraded' as const),
        percent: fc.option(fc.integer({ min: 1, max: 100 }), { nil: null }),
        of: fc.constantFrom('customers', 'network', 'sites'),
      }),
      { maxLength: 2 },
    ),
    customerSummary: fc.option(fc.oneof(text(300), richSummaryArb), { nil: null }),
    relatedCause: fc.option(text(100), { nil: null }),
    links: fc.array(fc.record({ title: text(40), url: urlArb }), { maxLength: 2 }),
    credits: fc.array(text(60), { maxLength: 1 }),
  });

/** Internal text: every field carries its own canary among ordinary words. */
export const internalPartArb = fc
  .record({
    canaries: fc.uniqueArray(canaryArb, { minLength: 16, maxLength: 16 }),
    filler: fc.array(words, { minLength: 16, maxLength: 16 }),
    severity: fc.constantFrom('SEV1', 'SEV2', 'SEV3', 'SEV4'),
    category: fc.constantFrom('capacity', 'change', 'config', 'software'),
    customersAffected: fc.integer({ min: 0, max: 1_000_000 }),
    detectedAfter: fc.integer({ min: 0, max: 120 }),
    reviewers: fc.subarray(['bill', 'pat', 'priv']),
    related: fc.subarray(['2007-03-10-incident-0', '2007-03-11-incident-1', '2007-03-12-incident-2']),
    windowLevel: fc.constantFrom('outage' as const, 'partial-outage' as const, 'degraded' as const),
  })
  .map(({ canaries, filler, severity, category, customersAffected, detectedAfter, reviewers, related, windowLevel }): InternalPart => {
    const t = (n: number) => `${filler[n]} ${canaries[n]} ${filler[(n + 1) % filler.length]}`;
    return {
      canaries,
      severity,
      category,
      provider: canaries[0]!,
      customersAffected,
      rootCause: `${t(1)}. ${t(2)}.`,
      trigger: t(3),
      factors: [t(4), t(5)],
      detection: t(6),
      privateEvents: [t(7), t(8)],
      privateActions: [t(9)],
      tickets: [`OPS-${canaries[10]}`, `NET-${canaries[11]}`],
      tags: [canaries[12]!],
      sections: [
        { title: 'Summary', markdown: `${t(13)}\n\n- ${t(14)}` },
        { title: 'Questions for the provider', markdown: `1. ${t(15)}?` },
      ],
      internalNotes: `- ${t(2)} *${canaries[3]}*\n- <b>${t(5)}</b>`,
      detectedAfter,
      reviewers,
      related,
      windowLevel,
    };
  });
