import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/**
 * Prints HTML to PDF with the system Chromium, offline: every request that is not a
 * `data:` URL is aborted, content is set directly (no file URL), and the browser is always
 * closed, with a watchdog. Metadata is set afterwards so the bytes depend only on the input.
 */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export class ChromiumMissingError extends Error {
  constructor(readonly executable: string) {
    super(`Chromium was not found at ${executable}`);
    this.name = 'ChromiumMissingError';
  }
}

export const CHROMIUM_INSTALL_HINT =
  'Install it (Debian/Ubuntu: sudo apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium or Chrome binary.';

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

export function chromiumAvailable(): boolean {
  return existsSync(chromiumPath());
}

export interface PdfOptions {
  paper: 'letter' | 'a4';
  title: string;
  author: string;
  subject?: string;
  /** Metadata keywords (e.g. the build stamp). */
  keywords?: string[];
  /** Fixed date for the metadata (from the data), so the same input gives the same bytes. */
  date: Date;
  /** Chromium header/footer templates (with .pageNumber / .totalPages spans). */
  headerTemplate?: string;
  footerTemplate?: string;
  margin?: { top: string; right: string; bottom: string; left: string };
  timeoutMs?: number;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) throw new ChromiumMissingError(executablePath);
  // Loaded on first use: most commands never print, and playwright-core is slow to load.
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS, headless: true, timeout: 60_000 });
}

/** One print in its own offline context of an open browser. */
async function printOn(browser: Browser, html: string, options: PdfOptions): Promise<Uint8Array> {
  const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
  try {
    const page = await context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load', timeout: options.timeoutMs ?? 60_000 });
    await page.emulateMedia({ media: 'print' });
    const raw = await page.pdf({
      format: options.paper === 'a4' ? 'A4' : 'Letter',
      printBackground: true,
      displayHeaderFooter: Boolean(options.headerTemplate || options.footerTemplate),
      headerTemplate: options.headerTemplate ?? '<span></span>',
      footerTemplate: options.footerTemplate ?? '<span></span>',
      margin: options.margin ?? { top: '0.9in', right: '0.9in', bottom: '0.9in', left: '0.9in' },
      preferCSSPageSize: false,
      outline: true,
      tagged: true,
    });
    return await setMetadata(raw, options);
  } finally {
    await context.close();
  }
}

/**
 * One browser for prints that depend on each other (a packet's layout passes): Chromium starts
 * once. The caller closes it in `finally`; the watchdog closes it after `watchdogMs` regardless.
 */
export interface PdfPrinter {
  print(html: string, options: PdfOptions): Promise<Uint8Array>;
  /** How many documents it printed. */
  readonly prints: number;
  close(): Promise<void>;
}

export async function openPdfPrinter(watchdogMs = 600_000): Promise<PdfPrinter> {
  const browser = await launchChromium();
  const watchdog = setTimeout(() => {
    void browser.close().catch(() => undefined);
  }, watchdogMs);
  let prints = 0;
  return {
    async print(html, options) {
      prints++;
      return printOn(browser, html, options);
    },
    get prints() {
      return prints;
    },
    async close() {
      clearTimeout(watchdog);
      await browser.close().catch(() => undefined);
    },
  };
}

/** Prints several HTML documents with one browser; returns one PDF per document. */
export async function printPdfs(jobs: readonly { html: string; options: PdfOptions }[]): Promise<Uint8Array[]> {
  if (jobs.length === 0) return [];
  const printer = await openPdfPrinter(Math.max(...jobs.map((j) => j.options.timeoutMs ?? 120_000)) * jobs.length);
  try {
    const results: Uint8Array[] = [];
    for (const { html, options } of jobs) results.push(await printer.print(html, options));
    return results;
  } finally {
    await printer.close();
  }
}

export async function printPdf(html: string, options: PdfOptions): Promise<Uint8Array> {
  const [pdf] = await printPdfs([{ html, options }]);
  return pdf!;
}

async function setMetadata(raw: Uint8Array, options: PdfOptions): Promise<Uint8Array> {
  const { PDFDocument } = await import('pdf-lib'); // loaded only when printing
  const doc = await PDFDocument.load(raw, { updateMetadata: false });
  doc.setTitle(options.title, { showInWindowTitleBar: true });
  doc.setAuthor(options.author);
  if (options.subject) doc.setSubject(options.subject);
  if (options.keywords?.length) doc.setKeywords(options.keywords);
  doc.setCreator('postmortem-kb');
  doc.setProducer('postmortem-kb (Chromium, pdf-lib)');
  doc.setCreationDate(options.date);
  doc.setModificationDate(options.date);
  return stableStructureIds(await doc.save({ useObjectStreams: false }));
}

/**
 * Chromium names tagged-PDF structure elements after DOM node ids (`(node00000039)`), which
 * differ from one print to the next. Renumbers them in order (same length, so offsets and
 * the sorted ID tree stay valid), so the same input gives the same bytes.
 */
export function stableStructureIds(pdf: Uint8Array): Uint8Array {
  const text = Buffer.from(pdf).toString('latin1');
  const pattern = /\(node(\d{8})\)/g;
  const ids = [...new Set([...text.matchAll(pattern)].map((m) => m[1]!))].sort();
  if (ids.length === 0) return pdf;
  const renumbered = new Map(ids.map((id, i) => [id, String(i + 1).padStart(8, '0')]));
  return Buffer.from(
    text.replace(pattern, (_all, id: string) => `(node${renumbered.get(id)})`),
    'latin1',
  );
}
