import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib';
import type { PdfOptions, PdfPrinter } from '../render/pdf.js';
import type { TocEntry } from './view.js';

/**
 * Prints the packet with a table of contents that carries page numbers. Chromium writes a
 * PDF outline from the headings; pass one prints, reads the page of each heading from that
 * outline, and the HTML is printed again with the numbers filled in. The contents list
 * reserves room for the numbers, so pages do not move; if they do, it prints once more.
 */
export interface PacketPdf {
  pdf: Uint8Array;
  /** Page (1-based) of each TOC entry's heading, by anchor. */
  pages: Map<string, number>;
  passes: number;
}

const decode = (v: unknown) => (v instanceof PDFString || v instanceof PDFHexString ? v.decodeText() : '');

/** The outline of a PDF as `[title, page]` pairs (pages 1-based), depth first. */
export async function pdfOutline(pdf: Uint8Array): Promise<{ title: string; page: number }[]> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const pageRefs = doc.getPages().map((p) => p.ref.toString());
  const result: { title: string; page: number }[] = [];
  const root = doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict);
  const seen = new Set<PDFDict>();
  const walk = (start: PDFDict | undefined) => {
    for (let item = start; item && !seen.has(item); ) {
      seen.add(item);
      const dest = item.lookup(PDFName.of('Dest'));
      const ref = dest instanceof PDFArray ? dest.get(0) : undefined;
      const page = ref ? pageRefs.indexOf(ref.toString()) + 1 : 0;
      result.push({
        title: decode(item.lookup(PDFName.of('Title')))
          .replace(/\s+/g, ' ')
          .trim(),
        page,
      });
      walk(item.lookupMaybe(PDFName.of('First'), PDFDict));
      item = item.lookupMaybe(PDFName.of('Next'), PDFDict);
    }
  };
  walk(root?.lookupMaybe(PDFName.of('First'), PDFDict));
  return result;
}

export async function pageCount(pdf: Uint8Array): Promise<number> {
  return (await PDFDocument.load(pdf, { updateMetadata: false })).getPageCount();
}

/**
 * Page of each TOC entry: the first outline item whose title is the entry's heading. Chromium
 * drops the space where a heading wraps onto a second line, so whitespace is ignored.
 */
export function pagesOf(outline: readonly { title: string; page: number }[], toc: readonly TocEntry[]): Map<string, number> {
  const pages = new Map<string, number>();
  for (const entry of toc) {
    const wanted = entry.heading.replace(/\s+/g, '');
    const hit = outline.find((o) => o.title.replace(/\s+/g, '') === wanted && o.page > 0);
    if (hit) pages.set(entry.anchor, hit.page);
  }
  return pages;
}

/**
 * `first`: the PDF of `render(new Map())` if it was already printed (to measure the body),
 * so it is not printed again.
 */
export async function printPacketPdf(
  render: (pages: Map<string, number>) => string,
  toc: readonly TocEntry[],
  printer: PdfPrinter,
  options: PdfOptions,
  first?: Uint8Array,
): Promise<PacketPdf> {
  let pages = new Map<string, number>();
  let pdf = first ?? (await printer.print(render(pages), options));
  let passes = 1;
  for (; passes < 4; passes++) {
    const found = pagesOf(await pdfOutline(pdf), toc);
    const same = found.size === pages.size && [...found].every(([k, v]) => pages.get(k) === v);
    if (same && passes > 1) break;
    pages = found;
    pdf = await printer.print(render(pages), options);
  }
  return { pdf, pages, passes };
}
