import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { Temporal } from '../src/model/time.js';
import type { Incident } from '../src/model/incident.js';
import type { ImpactWindow } from '../src/model/impact.js';
import { renderExport, renderExports } from '../src/export/render.js';
import { EXPORT_KINDS, exportLeak } from '../src/export/tripwire.js';
import { publicExportSchema } from '../src/export/view.js';
import { PACKAGE_ROOT } from '../src/paths.js';
import { runCli } from './helpers/cli.js';
import { removeKb, tempKb } from './helpers/kb.js';
import { CONFIG, DST, incidentText, pathOf } from './fixtures/db-kb.js';
import {
  canaryArb,
  customerPartArb,
  internalPartArb,
  letterConfig,
  makeIncident,
  type CustomerPart,
  type InternalPart,
} from './letter-fixtures.js';

/**
 * The exports' audience boundary: random incidents whose internal fields all carry canaries
 * (the letters' fixtures), plus a public impact window with customer text and a private one
 * whose summary is a canary. No canary reaches any export format, the tripwire stays quiet,
 * and internal text copied into customer text is caught in every format.
 */
const RUNS = Number(process.env.LETTER_RUNS ?? 1000);

function withWindows(incident: Incident, publicSummary: string, privateSummary: string): Incident {
  const to = incident.resolved ?? incident.started.add({ minutes: 30 });
  const window = (index: number, isPublic: boolean, summary: string): ImpactWindow => ({
    index,
    from: incident.started,
    to,
    level: isPublic ? 'partial-outage' : 'outage',
    services: incident.services,
    locations: incident.locations,
    public: isPublic,
    summary,
    implicit: false,
  });
  return { ...incident, windows: [window(1, true, publicSummary), window(2, false, privateSummary)] };
}

function scenario(
  customers: readonly CustomerPart[],
  internals: readonly InternalPart[],
  owner: { a: string; b: string; c: string; d: string },
  windowText: string,
) {
  const config = letterConfig({
    privateName: `Quinn ${owner.a}`,
    privateEmail: `${owner.b}@corp.example`,
    publicEmail: `${owner.c}@corp.example`,
  });
  const incidents = customers.map((c, k) =>
    withWindows(makeIncident(c, internals[k]!), windowText, `The ${owner.d} failover window stayed internal.`),
  );
  return { config, incidents, canaries: [...internals.flatMap((i) => i.canaries), owner.a, owner.b, owner.c, owner.d] };
}

const scenarioArb = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    customers: fc.tuple(...Array.from({ length: n }, (_, k) => customerPartArb(`2007-03-1${k}-incident-${k}`))),
    internals: fc.tuple(...Array.from({ length: n }, () => internalPartArb)),
    owner: fc.record({ a: canaryArb, b: canaryArb, c: canaryArb, d: canaryArb }),
    windowText: fc.string({ minLength: 1, maxLength: 80 }),
  }),
);

describe('exports audience boundary (property)', () => {
  it(`no internal canary reaches json, atom or statuspage, and the tripwire stays quiet (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ({ customers, internals, owner, windowText }) => {
        const { config, incidents, canaries } = scenario(customers, internals, owner, windowText);
        const texts = renderExports(EXPORT_KINDS, incidents, config); // throws on a leak
        for (const kind of EXPORT_KINDS) {
          const lower = texts[kind].toLowerCase();
          for (const canary of canaries) expect(lower.includes(canary), `${canary} in ${kind}`).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  const secrets = ['root cause', 'private timeline entry', 'private window', 'ticket', 'owner name'] as const;
  it(`internal text copied into customer text is caught in every format (${Math.ceil(RUNS / 4)} runs)`, () => {
    fc.assert(
      fc.property(
        scenarioArb,
        fc.constantFrom(...secrets),
        fc.constantFrom('summary', 'public event', 'public window'),
        ({ customers, internals, owner, windowText }, secret, where) => {
          const { config, incidents } = scenario(customers, internals, owner, windowText);
          const first = incidents[0]!;
          const internal = internals[0]!;
          const text =
            secret === 'root cause'
              ? internal.rootCause.split('. ')[0]!
              : secret === 'private timeline entry'
                ? internal.privateEvents[0]!
                : secret === 'private window'
                  ? first.windows[1]!.summary!
                  : secret === 'ticket'
                    ? internal.tickets[1]!
                    : `Quinn ${owner.a}`;
          const leaky: Incident =
            where === 'summary'
              ? { ...first, customer_summary: `We are sorry.\n\n${text}\n` }
              : where === 'public event'
                ? {
                    ...first,
                    timeline: [
                      ...first.timeline,
                      {
                        ...(first.timeline[0] ?? {
                          at: first.started,
                          kind: 'note',
                          precision: 'minute',
                          approximate: false,
                          source: 'front-matter',
                          line: 99,
                          column: 5,
                        }),
                        event: `Update: ${text}`,
                        public: true,
                      },
                    ],
                  }
                : { ...first, windows: [{ ...first.windows[0]!, summary: `Update: ${text}` }, first.windows[1]!] };
          const all = [leaky, ...incidents.slice(1)];
          // Text in a public field is customer text by the author's choice (as for letters): only
          // names and tickets, never customer text, are searched for there.
          if (where !== 'summary' && secret !== 'ticket' && secret !== 'owner name') return;
          for (const kind of EXPORT_KINDS) {
            // the statuspage shape shows a window's level only, never its summary
            if (kind === 'statuspage' && where === 'public window') continue;
            expect(() => renderExport(kind, all, config), `${secret} in ${where}, ${kind}`).toThrow(
              /internal text from .* appears in the .* export .*nothing was written/,
            );
          }
        },
      ),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  }, 240_000);

  it('changing only internal fields leaves every export byte-identical', () => {
    fc.assert(
      fc.property(scenarioArb, internalPartArb, ({ customers, internals, owner, windowText }, other) => {
        const a = scenario(customers, internals, owner, windowText);
        const b = scenario(
          customers,
          internals.map(() => other),
          owner,
          windowText,
        );
        expect(renderExports(EXPORT_KINDS, b.incidents, a.config)).toEqual(renderExports(EXPORT_KINDS, a.incidents, a.config));
      }),
      { numRuns: 100 },
    );
  }, 240_000);
});

describe('export formats', () => {
  const sample = () => {
    const [customers, internals] = fc.sample(
      fc.tuple(fc.tuple(customerPartArb('2007-03-10-a'), customerPartArb('2007-03-11-b')), fc.tuple(internalPartArb, internalPartArb)),
      { numRuns: 1, seed: 7 },
    )[0]!;
    return scenario(
      customers,
      internals,
      { a: 'qzaaaaaaaaaax', b: 'qzbbbbbbbbbbx', c: 'qzccccccccccx', d: 'qzddddddddddx' },
      'Mail for 5% of mailboxes was delayed <b>& queued</b>.',
    );
  };

  it('atom: well-formed XML (fast-xml-parser) with the Atom elements a reader needs, ids stable, times RFC 3339', () => {
    const { config, incidents } = sample();
    const xml = renderExport('atom', incidents, config, { self: 'feed.xml', link: (id) => `incidents/${id}.html` });
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['entry', 'category', 'link'].includes(name) }).parse(xml);
    const feed = doc.feed;
    expect(feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(feed.id).toBe('urn:postmortem-kb:example-mail-inc:incidents');
    expect(feed.author.name).toBe('Example Mail, Inc.');
    expect(feed.entry.map((e: { id: string }) => e.id)).toEqual(
      incidents.map((i) => `urn:postmortem-kb:example-mail-inc:incident:${i.id}`).reverse(),
    );
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$/;
    for (const entry of feed.entry) {
      expect(entry.updated).toMatch(rfc3339);
      expect(entry.published).toMatch(rfc3339);
      expect(Temporal.Instant.compare(Temporal.Instant.from(entry.updated), Temporal.Instant.from(entry.published))).toBeGreaterThanOrEqual(
        0,
      );
      expect(entry.content['@_type']).toBe('html');
      expect(entry.content['#text']).toContain('Mail for 5% of mailboxes was delayed &amp; queued.');
      expect(entry.link[0]['@_href']).toBe(`incidents/${entry.id.split(':').pop()}.html`);
    }
    expect(feed.updated).toBe(
      feed.entry
        .map((e: { updated: string }) => e.updated)
        .sort((a: string, b: string) => Temporal.Instant.compare(Temporal.Instant.from(b), Temporal.Instant.from(a)))[0],
    );
  });

  it('json: matches its published schema; statuspage: exactly the incidents-API fields', () => {
    const { config, incidents } = sample();
    const json = JSON.parse(renderExport('json', incidents, config));
    expect(publicExportSchema.parse(json)).toEqual(json);
    expect(json.incidents[0].windows).toEqual([
      expect.objectContaining({ level: 'partial-outage', summary: 'Mail for 5% of mailboxes was delayed & queued.' }),
    ]);
    const page = JSON.parse(renderExport('statuspage', incidents, config));
    for (const incident of page.incidents) {
      expect(Object.keys(incident).sort()).toEqual(
        ['components', 'created_at', 'id', 'impact', 'incident_updates', 'name', 'resolved_at', 'shortlink', 'started_at', 'status'].sort(),
      );
      expect(incident.impact).toBe('major');
      expect(incident.status).toBe('resolved');
      for (const u of incident.incident_updates)
        expect(Object.keys(u).sort()).toEqual(['body', 'created_at', 'display_at', 'id', 'status']);
      const times = incident.incident_updates.map((u: { display_at: string }) => Temporal.Instant.from(u.display_at).epochMilliseconds);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(incident.incident_updates.at(-1)).toMatchObject({ id: `${incident.id}-impact`, status: 'investigating' });
    }
  });

  it('the example knowledge base exports deterministically, and the tripwire names a leak on stderr with nothing on stdout', () => {
    const runs = ['json', 'atom', 'statuspage', 'json'].map((kind) => runCli(['--root', PACKAGE_ROOT, 'export', kind]));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    expect(runs[3]!.stdout).toBe(runs[0]!.stdout);
    expect(XMLValidator.validate(runs[1]!.stdout)).toBe(true);
    const json = JSON.parse(runs[0]!.stdout);
    expect(json.incidents.length).toBeGreaterThan(10);
    expect(json.incidents.every((i: { id: string }) => typeof i.id === 'string')).toBe(true);

    const leaky = incidentText({ ...DST, related: [] }).replace(
      'We are sorry.',
      'We are sorry. The daylight saving change confused the session cleaner.',
    );
    const root = tempKb({ 'postmortem.config.yaml': CONFIG, [pathOf(DST)]: leaky });
    try {
      const run = runCli(['--root', root, 'export', 'atom']);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        'postmortem: incident 2007-03-11-dst: internal text from section "Summary" appears in the Atom export ("The daylight saving change confused the session cleaner."); nothing was written\n' +
          'Remove it from the customer text (the Customer summary, a public timeline entry or window), or mark the source text public if it is meant for customers.\n',
      );
    } finally {
      removeKb(root);
    }
  }, 120_000);

  it('exportLeak reads the Atom content as a feed reader shows it', () => {
    const { config, incidents } = sample();
    const leaky = {
      ...incidents[0]!,
      customer_summary: `<i>x</i> [status](https://s.example/?q=${encodeURIComponent(incidents[0]!.root_cause.summary.split('. ')[0]!)})`,
    };
    const xml = renderExport('atom', [incidents[0]!], config).replace(
      '</content>',
      `${`&lt;a href="https://s.example/?q=${encodeURIComponent(incidents[0]!.root_cause.summary.split('. ')[0]!)}"&gt;x&lt;/a&gt;`}</content>`,
    );
    expect(exportLeak('atom', xml, [leaky], config)?.needle.field).toBe('root_cause.summary');
  });
});
