import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Root } from 'mdast';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import { visit } from 'unist-util-visit';
import { afterAll, describe, expect, it } from 'vitest';
import { runLetter } from '../src/commands/letter.js';
import { produceLetter } from '../src/letter/document.js';
import { launchChromium } from '../src/render/pdf.js';
import { captureContext, removeKb, tempKb } from './helpers/kb.js';
import { canaryArb, customerPartArb, internalPartArb, letterConfig, makeIncident, type CustomerPart } from './letter-fixtures.js';

/** Real Chromium, real pdftotext: the PDF letter of the example, canaries, hostile text. */
const roots: string[] = [];
afterAll(() => roots.forEach(removeKb));
const tempOut = () => {
  const d = tempKb({});
  roots.push(d);
  return d;
};
const pdftotext = (file: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
const squash = (s: string) => s.replace(/\s+/g, ' ');

describe('PDF letter of the example knowledge base', () => {
  it('carries the facts, page numbers, metadata, letter paper and embedded fonts', async () => {
    const out = tempOut();
    const ctx = captureContext(process.cwd(), { out, now: '2008-01-15' });
    const result = await runLetter(ctx, {
      ids: ['2007-06-04-dulles-load-balancer-overload', '2007-06-13-mail-routing-database'],
      formats: ['pdf'],
      name: 'june',
    });
    expect(result.outcome.files.map((f) => f.path)).toEqual(['letters/june.pdf', 'letters/june.promises.json']);
    const file = join(out, 'letters', 'june.pdf');
    const text = squash(pdftotext(file));
    for (const fact of [
      'Webmail.us, Inc.',
      'June 13, 2007',
      'To our customers and partners,',
      'Monday, June 4, 2007 — Dulles, VA',
      'Wednesday, June 13, 2007 — Dulles, VA',
      '1 hour and 45 minutes',
      'By 10:25 AM EDT, service was back for more than 99% of affected customers.',
      'Both incidents left customers unable to access email.',
      'What we have changed',
      'What we are changing',
      'Led by Bill Boebel, our chief technology officer',
      'Pat Matthews',
      'Chief Executive Officer',
    ])
      expect(text).toContain(fact);
    for (const secret of ['Dana Whitcomb', 'OPS-1411', 'lb1.dul1', 'rebuild_routes']) expect(text).not.toContain(secret);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain(`Page 1 of ${pages}`);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
    expect(info).toMatch(/Title:\s+Webmail\.us, Inc\.: Service interruptions on June 4 and June 13, 2007/);
    expect(info).toMatch(/Author:\s+Pat Matthews, Webmail\.us, Inc\./);
    expect(info).toMatch(/Page size:\s+612 x 792 pts \(letter\)/);
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    for (const line of fonts) expect(line.split(/\s+/).slice(-5, -4)[0], line).toBe('yes');
    // Same input, same bytes (Chromium's per-print structure ids included), whatever the clock.
    for (const now of ['2030-01-01', '2008-01-15', '2007-06-14']) {
      const again = await runLetter(captureContext(process.cwd(), { out, now }), {
        ids: ['2007-06-13-mail-routing-database', '2007-06-04-dulles-load-balancer-overload'],
        formats: ['pdf'],
        name: 'june',
      });
      expect(again.outcome.files[0]!.changed, `reprint at ${now}`).toBe(false);
    }
  });
});

describe('PDF letter with Japanese text and emoji', () => {
  it('prints every character with an embedded Noto font, and warns about none', async () => {
    const japanese = '東京のお客様はメールを受信できませんでした';
    const root = tempKb({
      'postmortem.config.yaml': 'organization: 例 Mail 📬\ntimezone: Asia/Tokyo\nservices: [webmail]\n',
      'incidents/2007-03-11-tokyo.md': `---
id: 2007-03-11-tokyo
title: Webmail unavailable in Tokyo 🗼
status: final
severity: SEV2
services: [webmail]
started: 2007-03-11T09:00:00+09:00
resolved: 2007-03-11T10:00:00+09:00
impact:
  summary: ${japanese}。Mail was held and delivered 📧✅.
  symptoms: [cannot access email]
root_cause:
  category: capacity
  summary: The session store ran out of connections after a pool resize.
timeline:
  - {at: 2007-03-11T09:00:00+09:00, event: Pager went off for the session store., kind: detection}
owners:
  authors: [dana]
---
`,
    });
    roots.push(root);
    const out = tempOut();
    const ctx = captureContext(root, { out, now: '2008-01-15' });
    const result = await runLetter(ctx, { ids: ['2007-03-11-tokyo'], formats: ['pdf'], name: 'tokyo' });
    expect(result.outcome.warnings).toEqual([]);
    expect(ctx.err_()).not.toContain('warning');
    const file = join(out, 'letters', 'tokyo.pdf');
    const text = squash(pdftotext(file));
    expect(text).toContain(japanese);
    expect(text).toContain('例 Mail');
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    // Latin text in Liberation; the CJK outlines (CFF) and the colour emoji come from Noto, which
    // Chromium embeds as Type 3 fonts (pdffonts shows them without a name).
    expect(
      fonts.some((line) => /LiberationSerif/.test(line)),
      fonts.join('\n'),
    ).toBe(true);
    expect(fonts.filter((line) => /Type 3/.test(line)).length, fonts.join('\n')).toBeGreaterThan(0);
    // The emoji are drawn in colour (an empty box would be black on white): pixels far from grey.
    const ppm = execFileSync('pdftoppm', ['-r', '50', '-f', '1', '-l', '1', file]);
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'))!;
    let colourful = 0;
    for (let i = header[0].length; i + 2 < ppm.length; i += 3) {
      if (Math.max(ppm[i]!, ppm[i + 1]!, ppm[i + 2]!) - Math.min(ppm[i]!, ppm[i + 1]!, ppm[i + 2]!) > 120) colourful++;
    }
    expect(colourful).toBeGreaterThan(20);
    // Every font is embedded (emb = yes): nothing is left for the reader's machine to substitute.
    for (const line of fonts) expect(line.split(/\s+/).slice(-5, -4)[0], line).toBe('yes');
  });
});

describe('PDF letters of random incidents with canaries in every internal field', () => {
  it('never show a canary in the PDF text (pdftotext), on A4 and letter paper', async () => {
    const scenarios = fc.sample(
      fc.record({
        customers: fc.tuple(customerPartArb('2007-03-10-a'), customerPartArb('2007-03-11-b')),
        internals: fc.tuple(internalPartArb, internalPartArb),
        owner: fc.tuple(canaryArb, canaryArb, canaryArb),
      }),
      { numRuns: 4, seed: 20070613 },
    );
    for (const [n, { customers, internals, owner }] of scenarios.entries()) {
      const paper = n % 2 === 0 ? 'a4' : 'letter';
      const config = letterConfig(
        { privateName: `Quinn ${owner[0]}`, privateEmail: `${owner[1]}@corp.example`, publicEmail: `${owner[2]}@corp.example` },
        { paper },
      );
      const incidents = customers.map((c, k) => makeIncident(c, internals[k]!));
      const out = tempOut();
      const outcome = await produceLetter({
        kb: { root: out, config, incidents, problems: [] },
        out,
        request: { ids: incidents.map((i) => i.id), name: 'canary' },
      });
      expect(outcome.files.map((f) => f.format)).toEqual(['html', 'md', 'pdf', 'promises']);
      expect(outcome.notes).toEqual([]);
      const text = pdftotext(join(out, 'letters', 'canary.pdf')).toLowerCase();
      expect(execFileSync('pdfinfo', [join(out, 'letters', 'canary.pdf')], { encoding: 'utf8' })).toMatch(
        paper === 'a4' ? /Page size:\s+59\d\.\d+ x 84\d\.\d+ pts \(A4\)/ : /Page size:\s+612 x 792 pts \(letter\)/,
      );
      for (const canary of [...internals.flatMap((i) => i.canaries), ...owner]) expect(text).not.toContain(canary);
      // The text really is the letter (so the absence of canaries means something).
      expect(squash(text)).toContain('example mail, inc.');
      for (const view of outcome.letter.incidents) expect(squash(text)).toContain(view.date.toLowerCase());
    }
  });
});

const HOSTILE = [
  '<script>window.__pwned = 1</script>',
  '<img src="https://evil.example/x.png" onerror="window.__pwned = 2">',
  '[click me](javascript:window.__pwned=3)',
  '<iframe src="https://evil.example/frame"></iframe>',
  '![tracker](https://evil.example/t.gif)',
  '<a href="javascript:window.__pwned=4">link</a>',
  '<svg onload="window.__pwned = 5"><circle r="1"/></svg>',
  '<link rel="stylesheet" href="https://evil.example/x.css"><style>@import url(https://evil.example/y.css);</style>',
];
const hostile = HOSTILE.join(' ');

function hostileLetterInputs() {
  const customer: CustomerPart = {
    id: '2007-03-10-hostile',
    title: `Title ${hostile}`,
    services: ['webmail'],
    locations: ['dulles-va'],
    startOffset: 60,
    toMitigation: 30,
    mitigationToResolution: 10,
    percent: 99.5,
    impact: `Impact ${hostile}`,
    symptoms: [`cannot ${HOSTILE[0]}`],
    publicEvents: [`Event ${hostile}`],
    percentOf: 'customers',
    publicActions: [
      {
        action: `Action ${hostile}`,
        customerAction: `We changed it. ${hostile}`,
        ownerPublic: true,
        status: 'done',
        due: '2007-06-30',
        completed: '2007-03-10',
      },
    ],
    windows: [],
    relatedCause: `Related ${hostile}`,
    links: [],
    credits: [],
    customerSummary: `Summary\n\n${HOSTILE.join('\n\n')}\n\nMail was slow. <script>alert('t5')</script> See [Details](javascript:x).\n\n<div onclick="x()">raw block</div>`,
  };
  const internal = fc.sample(internalPartArb, { numRuns: 1, seed: 1 })[0]!;
  const config = letterConfig(
    { privateName: 'Quinn Private', privateEmail: 'quinn@corp.example', publicEmail: 'lead@corp.example' },
    {
      organization: `Org ${HOSTILE[0]}`,
      locations: { 'dulles-va': `Dulles ${HOSTILE[1]}` },
      letter: { signer: 'pat', audience: `partners ${HOSTILE[2]}` },
    },
  );
  return { config, incidents: [makeIncident(customer, internal)] };
}

describe('hostile text in customer fields', () => {
  it('is shown as text or dropped, never live, in HTML (parsed by Chromium), Markdown and PDF', async () => {
    const { config, incidents } = hostileLetterInputs();
    const out = tempOut();
    const outcome = await produceLetter({
      kb: { root: out, config, incidents, problems: [] },
      out,
      request: { ids: [incidents[0]!.id], name: 'hostile' },
    });
    expect(outcome.files.map((f) => f.format)).toEqual(['html', 'md', 'pdf', 'promises']);
    const html = readFileSync(join(out, 'letters', 'hostile.html'), 'utf8');
    const md = readFileSync(join(out, 'letters', 'hostile.md'), 'utf8');

    // HTML: a real parse, with JavaScript on, and every request recorded.
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ javaScriptEnabled: true });
      const page = await context.newPage();
      const requests: string[] = [];
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await page.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      await page.setContent(html, { waitUntil: 'load' });
      const found = await page.evaluate(() => {
        const all = Array.from(document.querySelectorAll('*'));
        return {
          scripts: document.querySelectorAll('script').length,
          frames: document.querySelectorAll('iframe, frame, object, embed, img, svg, link, video, audio, source').length,
          onAttributes: all.flatMap((el) =>
            Array.from(el.attributes)
              .filter((a) => a.name.toLowerCase().startsWith('on'))
              .map((a) => `${el.tagName}.${a.name}`),
          ),
          remote: all.flatMap((el) =>
            ['src', 'href', 'srcset', 'action', 'data']
              .map((n) => el.getAttribute(n) ?? '')
              .filter((v) => /^\s*(?:https?:|\/\/|javascript:)/i.test(v)),
          ),
          links: Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href')),
          styles: document.querySelectorAll('style').length,
          pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
          // biome-ignore lint/performance/useDomNodeTextContent: the text a reader sees, laid out
          text: document.body.innerText,
        };
      });
      expect(found.scripts).toBe(0);
      expect(found.frames).toBe(0);
      expect(found.onAttributes).toEqual([]);
      expect(found.remote).toEqual([]);
      expect(found.links).toEqual([]);
      expect(found.styles).toBe(1); // the letter's own
      expect(found.pwned).toBeNull();
      expect(requests.filter((u) => !u.startsWith('data:'))).toEqual([]);
      expect(dialogs).toEqual([]);
      // Markup in customer fields never reaches customers as literal text: no tags, no script text, no dead link.
      expect(found.text).toContain('Title');
      expect(found.text).toContain('Mail was slow. See Details.');
      expect(found.text).toContain('We changed it. click me tracker link');
      expect(found.text).not.toMatch(/<script|onerror|alert\(|__pwned|javascript:/);
      expect(found.text).toContain('Dulles');
      await context.close();
    } finally {
      await browser.close();
    }

    // Markdown: parsed by a CommonMark + GFM parser, nothing live remains.
    const tree = unified().use(remarkParse).use(remarkGfm).parse(md) as Root;
    const live: string[] = [];
    visit(tree, (node) => {
      if (node.type === 'html' || node.type === 'image' || node.type === 'imageReference') live.push(`${node.type}`);
      // Links are in reference style (e-mail ready): their definitions hold the same safe URLs.
      if (node.type === 'definition' && !/^(?:https:|mailto:)/i.test(node.url)) live.push(`definition ${node.url}`);
      if (node.type === 'link' && !/^(?:https:|mailto:)/i.test(node.url)) live.push(`link ${node.url}`);
    });
    expect(live).toEqual([]);
    expect(md).not.toMatch(/pwned = 1|onerror|alert\(/);

    // PDF: the text shows the plain fields literally and has no JavaScript or links.
    const pdf = readFileSync(join(out, 'letters', 'hostile.pdf'));
    const text = squash(pdftotext(join(out, 'letters', 'hostile.pdf')));
    expect(text).toContain('Mail was slow. See Details.');
    expect(text).not.toMatch(/<script|onerror|alert\(|__pwned/);
    expect(pdf.includes('/JavaScript')).toBe(false);
    expect(pdf.includes('/JS')).toBe(false);
    expect(pdf.includes('/URI')).toBe(false);
  });
});
