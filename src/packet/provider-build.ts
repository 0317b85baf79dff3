import { creditsView } from './credits-view.js';
import { UserError, type CommandContext } from '../commands/context.js';
import type { Incident } from '../model/incident.js';
import { pdfText } from '../letter/document.js';
import type { OutputText } from '../letter/tripwire.js';
import { writeFilesAtomic } from '../output/write-file.js';
import { createEnvironment } from '../render/handlebars.js';
import { CHROMIUM_INSTALL_HINT, chromiumAvailable, chromiumPath, openPdfPrinter, type PdfOptions } from '../render/pdf.js';
import { serviceName } from '../format/names.js';
import type { Config } from '../schema/config.js';
import { packetHelpers } from './helpers.js';
import { printPacketPdf } from './pdf.js';
import { describeProviderLeak, findProviderLeak } from './provider-tripwire.js';
import { providerPacketView, type ProviderCredits, type ProviderPacketView } from './provider-view.js';
import type { PacketSpec } from './spec.js';
import { packetPath, type PacketData } from './build.js';

/**
 * The packet for the provider (`audience: provider`): the allowlist view (`provider-view.ts`),
 * rendered in its own Handlebars environment from `templates/packet/provider.html.hbs`,
 * printed, checked by the tripwire in every output, and only then written, all formats or none.
 */
export interface ProviderPacketBuild {
  audience: 'provider';
  spec: PacketSpec;
  /** The incidents the provider was involved in (those the document reviews). */
  incidents: Incident[];
  view: ProviderPacketView;
  html: string;
  files: string[];
  written: string[];
  unchanged: number;
  notes: string[];
  pages: Map<string, number>;
}

export const PROVIDER_TEMPLATE = 'packet/provider.html.hbs';
const HINT = 'The provider packet template sees only the provider view model (see "The provider version" in docs/packets.md).';

/** Renders the provider packet's HTML from its view model alone. */
export function providerPacketRenderer(root: string, zone: string): (view: ProviderPacketView) => string {
  const env = createEnvironment('customer', packetHelpers(zone), { hint: HINT });
  env.registerPartialFile(root, 'styles', 'packet/styles.css');
  const template = env.load(root, PROVIDER_TEMPLATE);
  return (view) =>
    template(view)
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n');
}

/** The running header and the page numbers are CSS page-margin boxes (provider.html.hbs), so the cover goes without them. */
export function providerPdfOptions(view: ProviderPacketView, config: Config): PdfOptions {
  return {
    paper: config.paper,
    title: `${view.title} — ${view.organization}`,
    author: view.organization,
    subject: `${view.marking}. Period ${view.periodText}.`,
    keywords: [`as of ${view.asOf}`],
    date: new Date(`${view.asOf.toString()}T12:00:00Z`),
    margin: { top: '0.85in', right: '0.9in', bottom: '0.85in', left: '0.9in' },
  };
}

/** Everything of the document a reader can get at, for the tripwire. */
async function outputsOf(
  html: string,
  pdf: { bytes: Uint8Array; options: PdfOptions } | undefined,
  messages: string[],
  name: string,
): Promise<OutputText[]> {
  const outputs: OutputText[] = [{ format: 'HTML', text: html, markup: 'html' }];
  if (!pdf) return outputs;
  const { options } = pdf;
  outputs.push({
    format: 'PDF metadata',
    text: [options.title, options.author, options.subject, ...(options.keywords ?? [])].join('\n'),
    markup: 'text',
  });
  const text = await pdfText(pdf.bytes);
  if (text === undefined)
    messages.push(`PDF text of packet ${name} not checked: pdftotext (poppler-utils) not found; the HTML it was printed from was.`);
  else outputs.push({ format: 'PDF', text, markup: 'text' });
  return outputs;
}

/**
 * Builds, checks and writes the provider version of a packet. A hit of the tripwire is a
 * `UserError` naming the source of the text, and nothing is written.
 */
export async function buildProviderPacket(ctx: CommandContext, config: Config, data: PacketData): Promise<ProviderPacketBuild> {
  const credits: ProviderCredits | undefined = data.credits
    ? creditsView(data.credits, data.spec.asOf, (id) => serviceName(config, id))
    : undefined;
  const { spec, numbers, notes, messages } = data;
  const view = providerPacketView({
    spec,
    config,
    incidents: data.incidents,
    actions: numbers.allActions,
    notes,
    credits,
    totals: numbers.current.provider,
  });
  const renderer = providerPacketRenderer(ctx.root, config.timezone);
  const render = (pages: Map<string, number>) => renderer({ ...view, toc: view.toc.map((t) => ({ ...t, page: pages.get(t.anchor) })) });
  // The HTML file is the same with or without a PDF: page numbers only in the printed contents.
  const html = render(new Map());
  let pages = new Map<string, number>();
  let pdf: { bytes: Uint8Array; options: PdfOptions } | undefined;
  if (spec.formats.includes('pdf')) {
    if (chromiumAvailable()) {
      const options = providerPdfOptions(view, config);
      const printer = await openPdfPrinter();
      const printed = await printPacketPdf(render, view.toc, printer, options).finally(() => printer.close());
      pages = printed.pages;
      pdf = { bytes: printed.pdf, options };
    } else {
      messages.push(`PDF of packet ${spec.name} skipped: Chromium not found at ${chromiumPath()}. ${CHROMIUM_INSTALL_HINT}`);
    }
  }
  const leak = findProviderLeak(await outputsOf(html, pdf, messages, spec.name), {
    config,
    provider: spec.provider!,
    incidents: data.incidents,
    notes,
  });
  if (leak) {
    throw new UserError(
      `${describeProviderLeak(leak)}; packet ${spec.name} for the provider was not written`,
      'The provider version never carries our names, tickets, internal notes or other providers. Reword the text that repeats it, or fix templates/packet/provider.html.hbs if it shows it.',
    );
  }
  const outputs: { path: string; content: string | Uint8Array }[] = [];
  if (spec.formats.includes('html') || !pdf) outputs.push({ path: packetPath(ctx.out, spec.name, 'html'), content: html });
  if (pdf) outputs.push({ path: packetPath(ctx.out, spec.name, 'pdf'), content: pdf.bytes });
  const changed = writeFilesAtomic(outputs);
  const files = outputs.map((o) =>
    o.path
      .slice(ctx.out.length + 1)
      .split('\\')
      .join('/'),
  );
  return {
    audience: 'provider',
    spec,
    incidents: data.incidents.filter((i) => i.providers.includes(spec.provider!)),
    view,
    html,
    files,
    written: files.filter((_, n) => changed[n]),
    unchanged: changed.filter((c) => !c).length,
    notes: messages,
    pages,
  };
}
