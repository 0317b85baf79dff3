import { join } from 'node:path';
import { UserError, type CommandContext } from '../commands/context.js';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import type { Incident } from '../model/incident.js';
import { writeFilesAtomic } from '../output/write-file.js';
import { CHROMIUM_INSTALL_HINT, chromiumAvailable, chromiumPath, openPdfPrinter, type PdfOptions, type PdfPrinter } from '../render/pdf.js';
import { knowledgeBaseAsOf } from '../history/as-of.js';
import type { PacketDelta } from './delta.js';
import { buildStamp } from './git.js';
import { sinceLastReview } from './previous.js';
import { readNotes, type Notes } from './notes.js';
import { packetNumbers, type PacketNumbers } from './numbers.js';
import { printPacketPdf } from './pdf.js';
import { appendixOrder, measure, nextToMove, type Measured } from './layout.js';
import type { Config } from '../schema/config.js';
import { renderPacketHtml } from './render.js';
import { notesPath, resolvePacketSpec, selectIncidents, type PacketRequest, type PacketSpec } from './spec.js';
import { packetView, type PacketLayout, type PacketView } from './view.js';
import { buildProviderPacket, type ProviderPacketBuild } from './provider-build.js';
import { briefNumbers, type BriefNumbers } from './brief.js';
import { providerCredits, type ProviderCredits } from '../credits/provider.js';
import { providerList } from '../schema/config.js';

export interface PacketBuild {
  audience: 'internal';
  spec: PacketSpec;
  incidents: Incident[];
  numbers: PacketNumbers;
  view: PacketView;
  html: string;
  /** Every path of the packet, relative to the output folder. */
  files: string[];
  /** Paths written or rewritten, relative to the output folder. */
  written: string[];
  unchanged: number;
  /** Lines for the user (e.g. PDF skipped). */
  notes: string[];
  /** Page of each contents entry in the PDF, by anchor (empty without a PDF). */
  pages: Map<string, number>;
  /** "Since our last review", when the packet names a previous review. */
  delta?: PacketDelta;
}

/**
 * Prints the packet and, while its body is longer than `spec.bodyPages`, moves incident reviews
 * to the appendices and prints again (see layout.ts). Returns the last print and what moved.
 */
async function fitBody(
  spec: PacketSpec,
  incidents: readonly Incident[],
  config: Config,
  viewOf: (layout?: PacketLayout) => PacketView,
  html: (view: PacketView) => string,
  printer: PdfPrinter,
  options: PdfOptions,
): Promise<{ view: PacketView; measured: Measured; messages: string[] }> {
  let layout: PacketLayout = { moved: [], bodyPages: spec.bodyPages };
  let view = viewOf(layout);
  let measured = await measure(html(view), view.toc, printer, options);
  if (spec.bodyPages === 0) return { view, measured, messages: [] };
  const order = appendixOrder(incidents, config, spec.provider);
  const rows = (id: string) => incidents.find((i) => i.id === id)?.timeline.length ?? 0;
  while (measured.body > spec.bodyPages) {
    const next = nextToMove(order, layout, measured, view.toc, rows);
    if (next.length === 0) break;
    layout = { moved: [...layout.moved, ...next], bodyPages: spec.bodyPages };
    view = viewOf(layout);
    measured = await measure(html(view), view.toc, printer, options);
  }
  const messages: string[] = [];
  if (view.appendices) {
    messages.push(
      `packet ${spec.name}: to keep the body to ${spec.bodyPages} pages, moved to the appendices: ${view.appendices.items.map((a) => a.heading).join('; ')}`,
    );
  }
  if (measured.body > spec.bodyPages) {
    messages.push(
      `packet ${spec.name}: the body is ${measured.body} pages, over the cap of ${spec.bodyPages}, with every incident review in the appendices (raise body_pages / --body-pages, or shorten the notes)`,
    );
  }
  return { view, measured, messages };
}

/** Where a packet goes: `<out>/packets/<name>.<ext>`. */
export function packetPath(out: string, name: string, ext: 'html' | 'pdf'): string {
  return join(out, 'packets', `${name}.${ext}`);
}

function pdfOptions(view: PacketView, spec: PacketSpec, paper: 'letter' | 'a4'): PdfOptions {
  // The running header and the page numbers are CSS page-margin boxes (packet.html.hbs), so the
  // cover can go without them.
  return {
    paper,
    title: `${view.title} — ${view.organization}`,
    author: view.organization,
    subject: `${view.marking}. Period ${view.periodText}.`,
    keywords: [`build: ${view.stamp.text}`, `as of ${spec.asOf}`],
    date: new Date(`${spec.asOf.toString()}T12:00:00Z`),
    margin: { top: '0.85in', right: '0.9in', bottom: '0.85in', left: '0.9in' },
  };
}

export interface PacketData {
  spec: PacketSpec;
  incidents: Incident[];
  numbers: PacketNumbers;
  notes?: Notes;
  delta?: PacketDelta;
  /** The brief's numbers (a packet for a provider). */
  brief?: BriefNumbers;
  /** Credits owed under the provider's contract, for the months of the period (a provider with a contract). */
  credits?: ProviderCredits;
  /** Where the evaluation came from (the as-of note), for the user. */
  messages: string[];
}

/**
 * What a packet says, before it is rendered: its incidents and numbers as the knowledge base
 * stood at the end of its evaluation date, its notes without the sections dated after that day,
 * and "Since our last review" when it names a previous review.
 */
export function packetData(ctx: CommandContext, kb: BuiltKnowledgeBase, request: PacketRequest): PacketData {
  const config = kb.config;
  const spec = resolvePacketSpec(request, config, kb.today, kb.incidents());
  const notesFile = notesPath(ctx.root, spec);
  const notes = notesFile ? readNotes(notesFile, spec.notes!, spec.asOf) : undefined;
  const asOf = knowledgeBaseAsOf(kb, ctx.root, spec.asOf);
  try {
    const all = asOf.incidents();
    const incidents = selectIncidents(spec, all, config);
    const numbers = packetNumbers(
      asOf.db,
      config,
      spec.period,
      spec.provider,
      incidents.map((i) => i.id),
      spec.asOf,
    );
    // "Since our last review" is internal: the provider's version does not show it.
    const delta =
      spec.previous && spec.audience === 'internal'
        ? sinceLastReview(ctx, kb, spec, { date: spec.asOf, commit: asOf.commit?.id, db: asOf.db, incidents: all, notes })
        : undefined;
    const provider = spec.provider;
    const brief = provider === undefined ? undefined : briefNumbers(asOf.db, config, provider, spec.period, spec.asOf);
    const contracted = provider !== undefined && providerList(config).some((p) => p.id === provider && p.contract);
    const credits = contracted
      ? providerCredits(asOf.db, config, { provider, since: spec.period.since.toString(), until: spec.period.until.toString() }, spec.asOf)
      : undefined;
    return { spec, incidents, numbers, notes, delta, brief, credits, messages: [`packet ${spec.name}: ${asOf.note}`] };
  } finally {
    asOf.db.close();
  }
}

/**
 * Builds one packet for its audience: the internal packet (`buildPacket`), or the version for
 * the provider (`provider-build.ts`), which never sees the internal view.
 */
export async function writePacket(
  ctx: CommandContext,
  kb: BuiltKnowledgeBase,
  request: PacketRequest,
): Promise<PacketBuild | ProviderPacketBuild> {
  const data = packetData(ctx, kb, request);
  return data.spec.audience === 'provider' ? buildProviderPacket(ctx, kb.config, data) : renderInternalPacket(ctx, kb, data);
}

/**
 * Builds one internal packet: selects its incidents, takes its numbers from the database, renders
 * HTML (and the PDF when asked and Chromium is there), and only then writes the files,
 * so a failure leaves what an earlier build wrote in place.
 */
export async function buildPacket(ctx: CommandContext, kb: BuiltKnowledgeBase, request: PacketRequest): Promise<PacketBuild> {
  const data = packetData(ctx, kb, request);
  // Never the internal packet under a provider packet's name: those go through writePacket.
  if (data.spec.audience !== 'internal')
    throw new UserError(
      `Packet "${data.spec.name}" is for the ${data.spec.audience}`,
      'Packets for the provider are built by writePacket (what postmortem packet and postmortem build call).',
    );
  return renderInternalPacket(ctx, kb, data);
}

async function renderInternalPacket(ctx: CommandContext, kb: BuiltKnowledgeBase, data: PacketData): Promise<PacketBuild> {
  const config = kb.config;
  const { spec, incidents, numbers, notes, delta, brief, credits, messages } = data;
  const stamp = buildStamp(ctx.root);
  const viewOf = (layout?: PacketLayout) => packetView({ spec, config, incidents, numbers, notes, stamp, delta, layout, brief, credits });
  const renderOf = (view: PacketView) => (pages: Map<string, number>) =>
    renderPacketHtml(ctx.root, config.timezone, {
      ...view,
      toc: view.toc.map((t) => ({ ...t, page: pages.get(t.anchor) })),
    });
  let view = viewOf();
  const outputs: { path: string; content: string | Uint8Array }[] = [];
  let pages = new Map<string, number>();
  let pdf: Uint8Array | undefined;
  if (spec.formats.includes('pdf')) {
    if (chromiumAvailable()) {
      const options = pdfOptions(view, spec, config.paper);
      // one browser for every pass: measuring the body, moving parts to the appendices, page numbers
      const printer = await openPdfPrinter();
      try {
        const fitted = await fitBody(spec, incidents, config, viewOf, (v) => renderOf(v)(new Map()), printer, options);
        view = fitted.view;
        messages.push(...fitted.messages);
        const printed = await printPacketPdf(renderOf(view), view.toc, printer, options, fitted.measured.pdf);
        pages = printed.pages;
        pdf = printed.pdf;
      } finally {
        await printer.close();
      }
    } else {
      messages.push(`PDF of packet ${spec.name} skipped: Chromium not found at ${chromiumPath()}. ${CHROMIUM_INSTALL_HINT}`);
    }
  }
  const html = renderOf(view)(new Map());
  if (spec.formats.includes('html') || !pdf) outputs.push({ path: packetPath(ctx.out, spec.name, 'html'), content: html });
  if (pdf) outputs.push({ path: packetPath(ctx.out, spec.name, 'pdf'), content: pdf });
  // Every format is written, or none: a failure leaves the previous set of files together.
  const changed = writeFilesAtomic(outputs);
  const files = outputs.map((o) =>
    o.path
      .slice(ctx.out.length + 1)
      .split('\\')
      .join('/'),
  );
  const written = files.filter((_, n) => changed[n]);
  const unchanged = changed.filter((c) => !c).length;
  return { audience: 'internal', spec, incidents, numbers, view, html, files, written, unchanged, notes: messages, pages, delta };
}
