import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { letters, readerText, visibleText, type OutputText } from '../src/letter/tripwire.js';
import type { Incident } from '../src/model/incident.js';
import { Temporal } from '../src/model/time.js';
import type { Notes } from '../src/packet/notes.js';
import { providerPacketRenderer } from '../src/packet/provider-build.js';
import { findProviderLeak } from '../src/packet/provider-tripwire.js';
import { providerPacketView, type ProviderViewInput } from '../src/packet/provider-view.js';
import type { PacketSpec } from '../src/packet/spec.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { markdownToHtml } from '../src/render/markdown.js';
import { configSchema, type Config } from '../src/schema/config.js';
import {
  canaryArb,
  customerPartArb,
  INVISIBLES,
  internalPartArb,
  makeIncident,
  sprinkle,
  type CustomerPart,
  type InternalPart,
} from './letter-fixtures.js';

/**
 * The provider packet's audience boundary as properties, in the style of the letters'
 * (letter-audience.test.ts): random incidents whose internal fields, owners, other providers,
 * customers and internal notes all carry canaries. No canary may reach the provider HTML, the
 * tripwire stays quiet on what the view renders, changing only what the provider may not see
 * changes not a byte, and internal text slipped into the asks is reported.
 */
const RUNS = Number(process.env.LETTER_RUNS ?? 1000);
const render = providerPacketRenderer(PACKAGE_ROOT, 'America/New_York');

/** Everything of our side in one scenario, each carrying a canary. */
interface Secrets {
  owners: { pat: string; bill: string; priv: string; emails: string[] };
  /** Another provider and a customer listed as a provider: ids and display names. */
  other: { id: string; name: string };
  customer: { id: string; name: string };
  /** Internal link, internal credit, summary of a window that is not public, ticket of the provider's remediation. */
  extras: string[];
  /** Notes: title, introduction, agenda, an internal section and a section dated later. */
  notes: string[];
  /** Title of an incident the provider was not involved in. */
  otherIncident: string;
}

const secretsArb = fc.uniqueArray(canaryArb, { minLength: 19, maxLength: 19 }).map(
  (c): Secrets => ({
    owners: { pat: c[0]!, bill: c[1]!, priv: c[2]!, emails: [c[3]!, c[4]!, c[5]!] },
    other: { id: c[6]!, name: c[7]! },
    customer: { id: c[8]!, name: c[9]! },
    extras: [c[10]!, c[11]!, c[12]!, c[13]!],
    notes: [c[14]!, c[15]!, c[16]!, c[17]!],
    otherIncident: c[18]!,
  }),
);

const asksArb = fc.array(
  fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }).filter((s) => s.trim().length > 0),
  { minLength: 1, maxLength: 4 },
);

const scenarioArb = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    customers: fc.tuple(...Array.from({ length: n }, (_, k) => customerPartArb(`2007-03-1${k}-incident-${k}`))),
    internalsA: fc.tuple(...Array.from({ length: n }, () => internalPartArb)),
    internalsB: fc.tuple(...Array.from({ length: n }, () => internalPartArb)),
    secretsA: secretsArb,
    secretsB: secretsArb,
    asks: asksArb,
  }),
);

function providerConfig(s: Secrets): Config {
  return configSchema.parse({
    organization: 'Example Mail, Inc.',
    timezone: 'America/New_York',
    services: ['pop', 'imap', 'webmail', 'smtp-inbound'],
    locations: { 'dulles-va': 'Dulles, VA', 'san-antonio-tx': 'San Antonio, TX' },
    providers: ['hostco', s.other.id, { id: s.customer.id, kind: 'customer' }],
    provider_names: { hostco: 'HostCo', [s.other.id]: `Zed ${s.other.name}`, [s.customer.id]: `Acme ${s.customer.name}` },
    owners: [
      {
        id: 'pat',
        name: `Pat ${s.owners.pat}`,
        title: 'our chief executive officer',
        public: true,
        email: `${s.owners.emails[0]}@corp.example`,
      },
      {
        id: 'bill',
        name: `Bill ${s.owners.bill}`,
        title: 'our chief technology officer',
        public: true,
        email: `${s.owners.emails[1]}@corp.example`,
      },
      { id: 'priv', name: `Quinn ${s.owners.priv}`, team: 'operations', public: false, email: `${s.owners.emails[2]}@corp.example` },
    ],
  });
}

/** One incident involving the provider (and another provider or a customer), with internal links, credits, windows and the provider's own remediation. */
function providerIncident(c: CustomerPart, i: InternalPart, s: Secrets, k: number): Incident {
  const base = makeIncident(c, i);
  const [link, credit, windowNote, ticket] = s.extras;
  return {
    ...base,
    provider: 'hostco',
    providers: ['hostco', k % 2 ? s.other.id : s.customer.id],
    links: [{ title: `Runbook ${link}`, url: `https://wiki.corp.example/${link}`, audience: 'internal' }],
    credits: [{ summary: `Credit of ${credit} percent for the affected month`, audience: 'internal' }],
    // our note on the stages that are not public (a public window's summary is written for customers)
    windows: base.windows.map((w) => (w.public ? w : { ...w, summary: `Stage seen only by ${windowNote} on the internal dashboard` })),
    remediations: [
      ...base.remediations,
      {
        id: 'H1',
        action: 'Replace the failed controller and confirm the firmware level.',
        type: 'prevent',
        owner: 'provider:hostco',
        due: '2007-06-30',
        status: 'open',
        ticket: `HC-${ticket}`,
        public: false,
      },
    ],
  };
}

function notesFor(s: Secrets, asksHtml: string): Notes {
  const [title, intro, section, later] = s.notes;
  const internal = (t: string, html: string, anchor: string) => ({ title: t, anchor, html, flags: [], items: [] });
  return {
    file: 'reviews/q.md',
    title: `Preparation ${title}`,
    introHtml: `<p>Attending for us: the usual people and ${intro} on the phone.</p>`,
    agendaHtml: `<ul><li>09:00 the incidents, then ${intro} walks through the budget</li></ul>`,
    sections: [
      internal(
        `Questions ${section}`,
        `<ol><li>Why did the controller in row ${section} fail twice this spring?</li></ol>`,
        'notes-questions',
      ),
      { title: 'What we need from HostCo', anchor: 'notes-asks', html: asksHtml, flags: ['asks'], items: [] },
    ],
    later: [internal(`Decisions ${later}`, `<p>Recorded after the meeting: ${later} agreed to the spares.</p>`, 'notes-decisions')],
  };
}

const spec: PacketSpec = {
  name: 'q1-for-hostco',
  provider: 'hostco',
  audience: 'provider',
  formats: ['html'],
  period: { since: Temporal.PlainDate.from('2007-03-01'), until: Temporal.PlainDate.from('2007-03-31') },
  meeting: Temporal.PlainDate.from('2007-04-02'),
  asOf: Temporal.PlainDate.from('2007-04-02'),
  bodyPages: 0,
};

function scenario(customers: readonly CustomerPart[], internals: readonly InternalPart[], s: Secrets, asksHtml: string) {
  const config = providerConfig(s);
  const involved = customers.map((c, k) => providerIncident(c, internals[k]!, s, k));
  const elsewhere: Incident = {
    ...makeIncident(customers[0]!, internals[0]!),
    id: '2007-03-20-elsewhere',
    title: `Transit trouble ${s.otherIncident}`,
    provider: s.other.id,
    providers: [s.other.id],
  };
  const incidents = [...involved, elsewhere];
  const notes = notesFor(s, asksHtml);
  const input: ProviderViewInput = {
    spec,
    config,
    incidents,
    actions: new Map(),
    totals: { incidents: involved.length, impact_minutes: 90 },
    notes,
  };
  const html = render(providerPacketView(input));
  return {
    html,
    outputs: [{ format: 'HTML', text: html, markup: 'html' }] as OutputText[],
    tripwire: { config, provider: 'hostco', incidents, notes },
  };
}

const canariesOf = (internals: readonly InternalPart[], s: Secrets) => [
  ...internals.flatMap((i) => i.canaries),
  s.owners.pat,
  s.owners.bill,
  s.owners.priv,
  ...s.owners.emails,
  s.other.id,
  s.other.name,
  s.customer.id,
  s.customer.name,
  ...s.extras,
  ...s.notes,
  s.otherIncident,
];

const asksHtml = (asks: readonly string[]) =>
  markdownToHtml(asks.map((a, n) => `${n + 1}. ${a.replace(/\n/g, ' ')}`).join('\n'), 'internal');

describe('provider packet audience boundary (property)', () => {
  it(`no canary of our side reaches the provider HTML, and the tripwire stays quiet (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ({ customers, internalsA, secretsA, asks }) => {
        const { html, outputs, tripwire } = scenario(customers, internalsA, secretsA, asksHtml(asks));
        const raw = html.toLowerCase();
        const visible = visibleText(outputs[0]!).toLowerCase();
        for (const canary of canariesOf(internalsA, secretsA)) {
          expect(raw.includes(canary), `${canary} in the HTML`).toBe(false);
          expect(visible.includes(canary), `${canary} in the visible text`).toBe(false);
        }
        expect(findProviderLeak(outputs, tripwire)).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  }, 480_000);

  it(`changing only what the provider may not see leaves the HTML byte-identical (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ({ customers, internalsA, internalsB, secretsA, secretsB, asks }) => {
        // The provider sees every window's times and level (an internal stage's level included): kept.
        const shownAsInA = internalsB.map((b, k) => ({ ...b, windowLevel: internalsA[k]!.windowLevel }));
        const a = scenario(customers, internalsA, secretsA, asksHtml(asks));
        const b = scenario(customers, shownAsInA, secretsB, asksHtml(asks));
        expect(b.html).toBe(a.html);
      }),
      { numRuns: RUNS },
    );
  }, 480_000);

  /**
   * Our side's text slipped into the asks (the one free text written for the meeting) and
   * disguised the ways a reader still gets at it: in a link title, a percent-encoded URL, a
   * heading, with invisible characters inside, in fullwidth forms. Whenever it reaches what a
   * reader can see or follow, the tripwire reports it.
   */
  const disguises: Record<string, (secret: string, at: number[]) => string> = {
    plain: (x) => x,
    'link title': (x) => `[details](https://status.example/ "${x.replace(/"/g, '')}")`,
    'encoded URL': (x) => `[details](https://status.example/?q=${encodeURIComponent(x)})`,
    heading: (x, at) => `${'#'.repeat(1 + (at[0]! % 6))} ${x}`,
    'invisible characters': (x, at) => sprinkle(x, at, INVISIBLES),
    fullwidth: (x) => x.replace(/[!-~]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)),
  };
  const secretKinds = ['owner name', 'e-mail', 'ticket', 'other provider', 'customer', 'root cause', 'notes section'] as const;
  const hiddenArb = fc.record({
    customer: customerPartArb('2007-03-10-incident-0'),
    internal: internalPartArb,
    secrets: secretsArb,
    kind: fc.constantFrom(...secretKinds),
    disguise: fc.constantFrom(...Object.keys(disguises)),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
  });

  it(`our side's text hidden in the asks never reaches the provider unreported (${RUNS} runs)`, () => {
    let reached = 0;
    fc.assert(
      fc.property(hiddenArb, ({ customer, internal, secrets, kind, disguise, at }) => {
        const hidden: Record<(typeof secretKinds)[number], [text: string, canary: string]> = {
          'owner name': [`Quinn ${secrets.owners.priv}`, secrets.owners.priv],
          'e-mail': [`${secrets.owners.emails[0]}@corp.example`, secrets.owners.emails[0]!],
          ticket: [internal.tickets[1]!, internal.canaries[11]!],
          'other provider': [`Zed ${secrets.other.name}`, secrets.other.name],
          customer: [secrets.customer.id, secrets.customer.id],
          'root cause': [internal.rootCause.split('. ')[0]!, internal.canaries[1]!],
          'notes section': [`Why did the controller in row ${secrets.notes[2]} fail twice this spring?`, secrets.notes[2]!],
        };
        const [text, canary] = hidden[kind];
        const asks = markdownToHtml(`1. Spares on site by June.\n\n${disguises[disguise]!(text, at)}\n`, 'internal');
        const { outputs, tripwire } = scenario([customer], [internal], secrets, asks);
        const exposed = letters(readerText(outputs[0]!)).includes(canary);
        if (exposed) reached++;
        if (exposed) expect(findProviderLeak(outputs, tripwire), `${disguise} of ${kind}`).toBeDefined();
      }),
      { numRuns: RUNS },
    );
    // The disguises do reach the document (else the property would prove nothing).
    expect(reached).toBeGreaterThan(RUNS / 2);
  }, 480_000);
});
