import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateKnowledgeBase, type BuiltKnowledgeBase } from '../src/db/knowledge-base.js';
import { buildPacket, type PacketBuild } from '../src/packet/build.js';
import { requestFromDocument } from '../src/packet/spec.js';
import { launchChromium } from '../src/render/pdf.js';
import type { PacketDocumentSpec } from '../src/schema/config.js';
import { captureContext } from './helpers/kb.js';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..');

function pdftotext(file: string, page?: number): string {
  const args = ['-layout', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'];
  return execFileSync('pdftotext', args, { encoding: 'utf8' });
}

const squash = (s: string) => s.replace(/\s+/g, '');

/**
 * How full each page is: from the top of the text area to the lowest word on it, as a share of
 * the text area's height (the page minus its 0.85in top and bottom margins, where the running
 * header and footer are). "More than half empty" is a fill under 0.5.
 */
function pageFill(file: string): number[] {
  const xml = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return xml
    .split('<page ')
    .slice(1)
    .map((page) => {
      const height = Number(/height="([\d.]+)"/.exec(page)![1]);
      const top = 0.85 * 72;
      const bottom = height - 0.85 * 72;
      const lows = [...page.matchAll(/yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"/g)]
        .map((m) => [Number(m[1]), Number(m[2])] as const)
        .filter(([yMin, yMax]) => yMin > top && yMax < bottom)
        .map(([, yMax]) => yMax);
      return (Math.max(top, ...lows) - top) / (bottom - top);
    });
}

describe('packet PDF (example knowledge base, real Chromium)', () => {
  let out: string;
  let kb: BuiltKnowledgeBase;
  let spec: PacketDocumentSpec;
  let packet: PacketBuild;
  let pdfFile: string;
  let pages: number;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'pmkb-packet-pdf-'));
    const ctx = captureContext(EXAMPLE, { out });
    kb = await updateKnowledgeBase(ctx);
    spec = kb.config.documents.find((d): d is PacketDocumentSpec => d.type === 'packet' && d.name === '2007-06-provider-review')!;
    packet = await buildPacket(ctx, kb, requestFromDocument(spec));
    pdfFile = join(out, 'packets', '2007-06-provider-review.pdf');
    pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdfFile], { encoding: 'utf8' }))![1]);
  }, 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes both files', () => {
    expect(packet.written).toEqual(['packets/2007-06-provider-review.html', 'packets/2007-06-provider-review.pdf']);
    expect(pages).toBeGreaterThan(10);
  });

  it('has no running header or page number on the cover, says "INTERNAL — CONFIDENTIAL" there once, and marks and numbers every other page', () => {
    const cover = pdftotext(pdfFile, 1);
    expect(cover.split('INTERNAL — CONFIDENTIAL').length - 1).toBe(1);
    expect(cover).not.toContain('Page 1 of');
    expect(cover).not.toContain('Webmail.us, Inc. · Provider review');
    for (let page = 2; page <= pages; page++) {
      const text = pdftotext(pdfFile, page);
      expect(text, `page ${page}`).toContain('Webmail.us, Inc. · Provider review: Rackspace');
      expect(text, `page ${page}`).toContain('INTERNAL — CONFIDENTIAL');
      expect(text, `page ${page}`).toContain(`Page ${page} of ${pages}`);
    }
  });

  it('keeps the body to 20 pages, with what moved listed in the appendices and by the command', () => {
    const appendices = packet.pages.get('appendices');
    expect(appendices).toBeDefined();
    expect(appendices! - 1).toBeLessThanOrEqual(20);
    const moved = packet.view.appendices!.items;
    expect(moved.length).toBeGreaterThan(0);
    const first = squash(pdftotext(pdfFile, appendices));
    expect(first).toContain(squash('To keep the body of this packet to 20 pages, these parts moved here'));
    for (const item of moved) {
      expect(first, item.heading).toContain(squash(item.heading));
      // nothing of a moved part is printed before the appendices
      expect(packet.pages.get(item.anchor)!, item.heading).toBeGreaterThanOrEqual(appendices!);
    }
    expect(packet.notes.join('\n')).toContain(
      `to keep the body to 20 pages, moved to the appendices: ${moved.map((m) => m.heading).join('; ')}`,
    );
  });

  it('leaves no page more than half empty, except before a forced page break (after the contents, at the end of the body) and the last page', () => {
    const fill = pageFill(pdfFile);
    const exempt = new Set([2, packet.pages.get('appendices')! - 1, pages]);
    const halfEmpty = fill.map((f, i) => ({ page: i + 1, f })).filter(({ page, f }) => f < 0.5 && !exempt.has(page));
    expect(halfEmpty).toEqual([]);
  });

  it('prints ordered-list numbers of two digits in full', () => {
    const text = pdftotext(pdfFile);
    expect(text).toMatch(/^\s*9\. Load balancer traffic logs are kept for 48 hours/m);
    expect(text).toMatch(/^\s*10\. What is the power and cooling outlook for Dulles\?/m);
    expect(text).toMatch(/^\s*11\. Would the provider support running live traffic in San Antonio/m);
  });

  it('has a table of contents whose page numbers point at the pages the sections start on', () => {
    // the cover, the brief (page 2), then the contents
    expect(pdftotext(pdfFile, 2)).toContain('The brief: Rackspace, June 14, 2007');
    const contents = pdftotext(pdfFile, 3);
    expect(contents).toContain('Contents');
    const toc = packet.view.toc;
    expect(toc.length).toBeGreaterThan(8);
    for (const entry of toc) {
      const page = packet.pages.get(entry.anchor);
      expect(page, entry.heading).toBeDefined();
      // the contents line ends with that page number
      const line = contents.split('\n').find((l) => squash(l).startsWith(squash(`${entry.number}${entry.title}`).slice(0, 30)));
      expect(line, entry.heading).toBeDefined();
      expect(line!.trim().endsWith(` ${page}`), line).toBe(true);
      // and the heading is printed on that page
      expect(squash(pdftotext(pdfFile, page)), entry.heading).toContain(squash(entry.heading));
    }
    // every incident has its entry: those in the body in order, then those moved to the appendices
    const incidents = toc.filter((t) => t.anchor.startsWith('incident-')).map((t) => t.anchor);
    expect([...incidents].sort()).toEqual(packet.incidents.map((i) => `incident-${i.id}`).sort());
    const body = packet.view.incidents.map((v) => v.anchor);
    expect(incidents.slice(0, body.length)).toEqual(body);
  });

  it('keeps the severity table on one page', () => {
    // the chapter flows on from the agenda: the table is on its first page or the next
    const page = packet.pages.get('summary')!;
    const text = [page, page + 1].map((p) => pdftotext(pdfFile, p)).find((t) => t.includes('Incidents by severity'))!;
    expect(text).toBeDefined();
    expect(text).toMatch(/Total\s+\d+/);
  });

  it('prints the same bytes again', async () => {
    const first = readFileSync(pdfFile);
    const ctx = captureContext(EXAMPLE, { out: join(out, 'again') });
    const again = await buildPacket(ctx, kb, requestFromDocument(spec));
    expect(again.written).toEqual(['packets/2007-06-provider-review.html', 'packets/2007-06-provider-review.pdf']);
    expect(readFileSync(join(out, 'again', 'packets', '2007-06-provider-review.pdf')).equals(first)).toBe(true);
    expect(again.html).toBe(packet.html);
  });

  it('every chart parses as SVG in Chromium and has the expected bars and points', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ javaScriptEnabled: true, offline: true });
      await page.route('**/*', (route) => route.abort());
      await page.setContent('<!DOCTYPE html><html><body></body></html>');
      const charts = [...packet.html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
      // four trend charts, a fifth splitting the provider's incidents by who caused them, and each incident's phase bar
      expect(charts.length).toBe(5 + packet.incidents.filter((i) => i.detected || i.mitigated || i.resolved).length);
      const parsed = await page.evaluate(
        (list) =>
          list.map((svg) => {
            const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
            return {
              error: doc.getElementsByTagName('parsererror').length > 0,
              root: doc.documentElement.localName,
              bars: doc.querySelectorAll('g.bar').length,
              points: doc.querySelectorAll('g.point').length,
              title: doc.querySelector('title')?.textContent ?? '',
            };
          }),
        charts,
      );
      for (const p of parsed) {
        expect(p.error, p.title).toBe(false);
        expect(p.root).toBe('svg');
        expect(p.title.length).toBeGreaterThan(0);
      }
      const byTitle = new Map(parsed.map((p) => [p.title, p]));
      expect(byTitle.get('Incidents per month, by severity')!.bars).toBe(12);
      // a point per quarter with a median on each line: all causes, and the dashed "Caused by Rackspace"
      expect(byTitle.get('Median time to resolve, per quarter')!.points).toBe(
        packet.numbers.trends.quarters.filter((q) => q.resolveMedian !== null).length +
          packet.numbers.trends.causedBy!.resolveMedians.filter((m) => m !== null).length,
      );
      expect(byTitle.get('Root-cause categories')!.bars).toBe(packet.numbers.trends.categories.length);
      expect(byTitle.get('Incidents involving Rackspace per month, by who caused them')!.bars).toBe(12);
    } finally {
      await browser.close();
    }
  });
});
