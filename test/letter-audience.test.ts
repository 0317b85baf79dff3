import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../src/paths.js';
import { customerLetter } from '../src/letter/model.js';
import { letterRenderer } from '../src/letter/render.js';
import { findLeak, internalStrings, publicCorpus, visibleText } from '../src/letter/tripwire.js';
import { customerPartArb, internalPartArb, letterConfig, makeIncident, canaryArb, type CustomerPart, type InternalPart } from './letter-fixtures.js';

/**
 * The audience boundary as properties: random incidents whose internal fields all carry
 * canaries. No canary may reach the HTML or the Markdown letter, and changing only internal
 * fields must not change a single byte of either. (The PDF side runs in letter-pdf.browser.test.ts.)
 */
const renderer = letterRenderer(PACKAGE_ROOT);
const RUNS = Number(process.env.LETTER_RUNS ?? 1000);

const scenarioArb = fc.integer({ min: 1, max: 3 }).chain((n) => fc.record({
  customers: fc.tuple(...Array.from({ length: n }, (_, k) => customerPartArb(`2007-03-1${k}-incident-${k}`))),
  internalsA: fc.tuple(...Array.from({ length: n }, () => internalPartArb)),
  internalsB: fc.tuple(...Array.from({ length: n }, () => internalPartArb)),
  owner: fc.record({ a: canaryArb, b: canaryArb, c: canaryArb, d: canaryArb, e: canaryArb, f: canaryArb }),
}));

function letterFor(customers: readonly CustomerPart[], internals: readonly InternalPart[], owner: { name: string; email: string; publicEmail: string }) {
  const config = letterConfig({ privateName: owner.name, privateEmail: owner.email, publicEmail: owner.publicEmail });
  const incidents = customers.map((c, k) => makeIncident(c, internals[k]!));
  const letter = customerLetter(incidents, config, { signer: 'pat', audience: config.letter.audience });
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

  it(`changing only internal fields leaves the HTML and Markdown byte-identical (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ({ customers, internalsA, internalsB, owner }) => {
        const a = letterFor(customers, internalsA, { name: `Quinn ${owner.a}`, email: `${owner.b}@corp.example`, publicEmail: `${owner.c}@corp.example` });
        const b = letterFor(customers, internalsB, { name: `Riley ${owner.d}`, email: `${owner.e}@corp.example`, publicEmail: `${owner.f}@corp.example` });
        expect(b.rendered.html).toBe(a.rendered.html);
        expect(b.rendered.markdown).toBe(a.rendered.markdown);
        expect(b.rendered.footer).toBe(a.rendered.footer);
      }),
      { numRuns: RUNS },
    );
  }, 240_000);
});
