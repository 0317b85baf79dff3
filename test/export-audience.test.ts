import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderExport, renderExports } from '../src/export/render.js';
import { EXPORT_KINDS } from '../src/export/tripwire.js';
import type { Incident } from '../src/model/incident.js';
import { scenario, scenarioArb } from './export-fixtures.js';
import { propertyRuns } from './helpers/runs.js';
import { internalPartArb } from './letter-fixtures.js';

/**
 * The exports' audience boundary: no canary reaches any export format, the tripwire stays quiet,
 * and internal text copied into customer text is caught in every format.
 */
const RUNS = propertyRuns(Number(process.env.LETTER_RUNS ?? 1000));

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
      { numRuns: propertyRuns(100) },
    );
  }, 240_000);
});
