import type { Incident } from '../model/incident.js';
import type { Config } from '../schema/config.js';
import type { PdfOptions, PdfPrinter } from '../render/pdf.js';
import { pageCount, pagesOf, pdfOutline } from './pdf.js';
import type { PacketLayout, TocEntry } from './view.js';

/**
 * The body's page cap. The body is every page before the appendices, cover and contents
 * included. When the printed body is longer than the cap, parts of the incident reviews move
 * to the appendices until it fits: first the timeline tables, then whole incident reviews,
 * each least severe first (within a severity, those not involving the packet's provider, then
 * the oldest). The packet and the command list what moved. Only a printed PDF has pages, so
 * HTML alone is never capped.
 */
export function appendixOrder(incidents: readonly Incident[], config: Pick<Config, 'severities'>, provider?: string): string[] {
  const rank = (i: Incident) => config.severities.indexOf(i.severity);
  const theirs = (i: Incident) => (provider !== undefined && i.providers.includes(provider) ? 1 : 0);
  // incidents come oldest first; a stable sort keeps that order within a severity
  const order = [...incidents].sort((a, b) => rank(b) - rank(a) || theirs(a) - theirs(b));
  return [...order.map((i) => `timeline:${i.id}`), ...order.map((i) => `incident:${i.id}`)];
}

/** Roughly how many pages a moved part frees, before it is printed: timeline rows per page, or the chapter's pages. */
const TIMELINE_ROWS_PER_PAGE = 25;

/** One print of a layout: its PDF, the page each contents entry starts on, and its body length. */
export interface Measured {
  pdf: Uint8Array;
  pages: Map<string, number>;
  body: number;
}

export async function measure(html: string, toc: readonly TocEntry[], printer: PdfPrinter, options: PdfOptions): Promise<Measured> {
  const pdf = await printer.print(html, options);
  const pages = pagesOf(await pdfOutline(pdf), toc);
  const appendices = pages.get('appendices');
  return { pdf, pages, body: appendices ? appendices - 1 : await pageCount(pdf) };
}

/**
 * The next parts to move: in `order`, those still in the body, until the pages they free add up
 * to the excess (a chapter: from its start to the start of the next contents entry; a timeline:
 * its rows), at least one. Empty when everything has moved.
 */
export function nextToMove(
  order: readonly string[],
  layout: PacketLayout,
  measured: Measured,
  toc: readonly TocEntry[],
  timelineRows: (id: string) => number,
): string[] {
  const excess = measured.body - layout.bodyPages;
  const starts = toc.map((t) => measured.pages.get(t.anchor) ?? 0);
  const chapterPages = (id: string) => {
    const at = toc.findIndex((t) => t.anchor === `incident-${id}`);
    if (at < 0) return 0;
    const next = starts.slice(at + 1).find((p) => p > 0) ?? measured.body + 1;
    return Math.max(0, next - starts[at]!);
  };
  const pages = (unit: string) => {
    const id = unit.slice(unit.indexOf(':') + 1);
    return unit.startsWith('timeline:') ? timelineRows(id) / TIMELINE_ROWS_PER_PAGE : chapterPages(id);
  };
  const whole = new Set(layout.moved.filter((u) => u.startsWith('incident:')).map((u) => u.slice('incident:'.length)));
  const chosen: string[] = [];
  let freed = 0;
  for (const unit of order) {
    if (layout.moved.includes(unit) || (unit.startsWith('timeline:') && whole.has(unit.slice('timeline:'.length)))) continue;
    if (chosen.length > 0 && freed >= excess) break;
    chosen.push(unit);
    freed += pages(unit);
  }
  return chosen;
}
