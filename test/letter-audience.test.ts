import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/paths.js';
import { customerLetter } from '../src/letter/model.js';
import { letterRenderer } from '../src/letter/render.js';
import { letterNotes } from '../src/letter/notes.js';
import { findLeak, internalStrings, letters, publicCorpus, readerText, visibleText } from '../src/letter/tripwire.js';
import {
  customerPartArb,
  internalPartArb,
  letterConfig,
  makeIncident,
  canaryArb,
  INVISIBLES,
  sprinkle,
  type CustomerPart,
  type InternalPart,
} from './letter-fixtures.js';

/**
 * The audience boundary as properties: random incidents whose internal fields all carry
 * canaries. No canary may reach the HTML or the Markdown letter, and changing only internal
 * fields must not change a single byte of either. (The PDF side runs in letter-pdf.browser.test.ts.)
 */
const renderer = letterRenderer(PACKAGE_ROOT);
const RUNS = Number(process.env.LETTER_RUNS ?? 1000);

const scenarioArb = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    customers: fc.tuple(...Array.from({ length: n }, (_, k) => customerPartArb(`2007-03-1${k}-incident-${k}`))),
    internalsA: fc.tuple(...Array.from({ length: n }, () => internalPartArb)),
    internalsB: fc.tuple(...Array.from({ length: n }, () => internalPartArb)),
    owner: fc.record({ a: canaryArb, b: canaryArb, c: canaryArb, d: canaryArb, e: canaryArb, f: canaryArb }),
  }),
);

function letterFor(
  customers: readonly CustomerPart[],
  internals: readonly InternalPart[],
  owner: { name: string; email: string; publicEmail: string },
  notes?: string,
) {
  const config = letterConfig(
    { privateName: owner.name, privateEmail: owner.email, publicEmail: owner.publicEmail },
    { contact: { email: 'help@mail.example', status_page: 'https://status.mail.example/' } },
  );
  const incidents = customers.map((c, k) => makeIncident(c, internals[k]!));
  const letter = customerLetter(incidents, config, {
    signer: 'pat',
    audience: config.letter.audience,
    notes: notes === undefined ? undefined : letterNotes(notes),
  });
  return { config, incidents, letter, rendered: renderer.render(letter) };
}

describe('customer letter audience boundary (property)', () => {
  it(`no internal canary reaches the HTML or Markdown letter, and the tripwire stays quiet (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ({ customers, internalsA, owner }) => {
        const ownerA = { name: `Quinn ${owner.a}`, email: `${owner.b}@corp.example`, publicEmail: `${owner.c}@corp.example` };
        const { config, incidents, rendered } = letterFor(customers, internalsA, ownerA);
        const canaries = [...internalsA.flatMap((i) => i.canaries), owner.a, owner.b, owner.c];
        const outputs = [
          { format: 'HTML', text: rendered.html, markup: 'html' as const },
          { format: 'Markdown', text: rendered.markdown, markup: 'markdown' as const },
          { format: 'footer', text: rendered.footer, markup: 'html' as const },
        ];
        for (const output of outputs) {
          const raw = output.text.toLowerCase();
          const visible = visibleText(output).toLowerCase();
          for (const canary of canaries) {
            expect(raw.includes(canary), `${canary} in ${output.format}`).toBe(false);
            expect(visible.includes(canary), `${canary} in visible ${output.format}`).toBe(false);
          }
        }
        expect(findLeak(outputs, internalStrings(incidents, config), publicCorpus(incidents, config))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  }, 240_000);

  /**
   * Internal text copied into the Customer summary and disguised the ways a reader still gets
   * at it: in a link title, a (twice) percent-encoded or form-encoded URL, a heading of any
   * level, with invisible characters inside, in fullwidth forms. Whenever a canary reaches
   * what a reader can see or follow, the tripwire reports it (and the letter is not written).
   */
  const disguises: Record<string, (secret: string, at: number[]) => string> = {
    'link title': (x) => `[status](https://status.example/ "${x.replace(/"/g, '')}")`,
    'encoded URL': (x) => `[status](https://status.example/?q=${encodeURIComponent(x)})`,
    'twice-encoded URL': (x) => `[status](https://status.example/${encodeURIComponent(encodeURIComponent(x))})`,
    'form-encoded URL': (x) => `[status](https://status.example/?q=${encodeURIComponent(x).replace(/%20/g, '+')})`,
    heading: (x, at) => `${'#'.repeat(1 + (at[0]! % 6))} ${x}`,
    'invisible characters': (x, at) => sprinkle(x, at, INVISIBLES),
    fullwidth: (x) => x.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
  };
  const hiddenArb = fc.record({
    customer: customerPartArb('2007-03-10-incident-0'),
    internal: internalPartArb,
    owner: canaryArb,
    secret: fc.constantFrom('ticket', 'owner', 'root cause'),
    disguise: fc.constantFrom(...Object.keys(disguises)),
    /** The Customer summary, or the letter's notes file (customer text too). */
    place: fc.constantFrom('summary', 'notes'),
    at: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
  });

  it(`internal text hidden in the Customer summary or the letter's notes never reaches a letter unreported (${RUNS} runs)`, () => {
    let reached = 0;
    fc.assert(
      fc.property(hiddenArb, ({ customer, internal, owner, secret, disguise, at, place }) => {
        const ownerName = `Quinn ${owner}`;
        const text = secret === 'ticket' ? internal.tickets[1]! : secret === 'owner' ? ownerName : internal.rootCause.split('. ')[0]!;
        const canary = secret === 'ticket' ? internal.canaries[11]! : secret === 'owner' ? owner : internal.canaries[1]!;
        const hidden = disguises[disguise]!(text, at);
        const summary = place === 'summary' ? `${customer.customerSummary ?? 'We are sorry.'}\n\n${hidden}\n` : customer.customerSummary;
        const notes = place === 'notes' ? `# Notes\n\n## Next steps\n\nWe will visit our provider.\n\n## More\n\n${hidden}\n` : undefined;
        const { config, incidents, rendered } = letterFor(
          [{ ...customer, customerSummary: summary }],
          [internal],
          { name: ownerName, email: 'x@corp.example', publicEmail: 'y@corp.example' },
          notes,
        );
        const outputs = [
          { format: 'HTML', text: rendered.html, markup: 'html' as const },
          { format: 'Markdown', text: rendered.markdown, markup: 'markdown' as const },
        ];
        const exposed = outputs.some((o) => letters(readerText(o)).includes(canary));
        if (exposed) reached++;
        if (exposed)
          expect(
            findLeak(outputs, internalStrings(incidents, config), publicCorpus(incidents, config)),
            `${disguise} of ${secret} in ${place}`,
          ).toBeDefined();
      }),
      { numRuns: RUNS },
    );
    // The disguises do reach the letter (else the property would prove nothing).
    expect(reached).toBeGreaterThan(RUNS / 2);
  }, 240_000);

  it(`changing only internal fields leaves the HTML and Markdown byte-identical (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ({ customers, internalsA, internalsB, owner }) => {
        const a = letterFor(customers, internalsA, {
          name: `Quinn ${owner.a}`,
          email: `${owner.b}@corp.example`,
          publicEmail: `${owner.c}@corp.example`,
        });
        const b = letterFor(customers, internalsB, {
          name: `Riley ${owner.d}`,
          email: `${owner.e}@corp.example`,
          publicEmail: `${owner.f}@corp.example`,
        });
        expect(b.rendered.html).toBe(a.rendered.html);
        expect(b.rendered.markdown).toBe(a.rendered.markdown);
        expect(b.rendered.footer).toBe(a.rendered.footer);
      }),
      { numRuns: RUNS },
    );
  }, 240_000);
});
