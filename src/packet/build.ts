import { join } from 'node:path';
import { escapeXml } from '../charts/index.js';
import type { CommandContext } from '../commands/context.js';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import type { Incident } from '../model/incident.js';
import { writeFilesAtomic } from '../output/write-file.js';
import { CHROMIUM_INSTALL_HINT, chromiumAvailable, chromiumPath, type PdfOptions } from '../render/pdf.js';
import { knowledgeBaseAsOf } from '../history/as-of.js';
import type { PacketDelta } from './delta.js';
import { buildStamp } from './git.js';
import { sinceLastReview } from './previous.js';
import { readNotes, type Notes } from './notes.js';
import { packetNumbers, type PacketNumbers } from './numbers.js';
import { printPacketPdf } from './pdf.js';
import { renderPacketHtml } from './render.js';
import { notesPath, resolvePacketSpec, selectIncidents, type PacketRequest, type PacketSpec } from './spec.js';
import { packetView, type PacketView } from './view.js';
import { briefNumbers, type BriefNumbers } from './brief.js';
import { providerCredits, type ProviderCredits } from '../credits/provider.js';
import { providerList } from '../schema/config.js';

export interface PacketBuild {
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

/** Where a packet goes: `<out>/packets/<name>.<ext>`. */
export function packetPath(out: string, name: string, ext: 'html' | 'pdf'): string {
  return join(out, 'packets', `${name}.${ext}`);
}

function pdfOptions(view: PacketView, spec: PacketSpec, paper: 'letter' | 'a4'): PdfOptions {
  const stampDate = spec.asOf;
  const marking = escapeXml(view.marking);
  const heading = escapeXml(`${view.organization} · ${view.title}`);
  const style = 'font-family: "Liberation Sans", Helvetica, Arial, sans-serif; font-size: 7.5pt; color: #333; width: 100%; margin: 0 0.9in; display: flex; justify-content: space-between;';
  return {
    paper,
    title: `${view.title} — ${view.organization}`,
    author: view.organization,
    subject: `${view.marking}. Period ${view.periodText}.`,
    keywords: [`build: ${view.stamp.text}`, `as of ${spec.asOf}`],
    date: new Date(`${stampDate.toString()}T12:00:00Z`),
    headerTemplate: `<div style='${style}'><span>${heading}</span><span style="font-weight: bold; letter-spacing: 0.04em;">${marking.toUpperCase()}</span></div>`,
    footerTemplate: `<div style='${style}'><span>${marking}</span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
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
    const numbers = packetNumbers(asOf.db, config, spec.period, spec.provider, incidents.map((i) => i.id), spec.asOf);
    const delta = spec.previous ? sinceLastReview(ctx, kb, spec, { date: spec.asOf, commit: asOf.commit?.id, db: asOf.db, incidents: all, notes }) : undefined;
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
 * Builds one packet: selects its incidents, takes its numbers from the database, renders
 * HTML (and the PDF when asked and Chromium is there), and only then writes the files,
 * so a failure leaves what an earlier build wrote in place.
 */
export async function buildPacket(ctx: CommandContext, kb: BuiltKnowledgeBase, request: PacketRequest): Promise<PacketBuild> {
  const config = kb.config;
  const { spec, incidents, numbers, notes, delta, brief, credits, messages } = packetData(ctx, kb, request);
  const view = packetView({ spec, config, incidents, numbers, notes, stamp: buildStamp(ctx.root), delta, brief, credits });
  const render = (pages: Map<string, number>) => renderPacketHtml(ctx.root, config.timezone, {
    ...view,
    toc: view.toc.map((t) => ({ ...t, page: pages.get(t.anchor) })),
  });
  const html = render(new Map());
  const outputs: { path: string; content: string | Uint8Array }[] = [];
  let pages = new Map<string, number>();
  if (spec.formats.includes('html')) outputs.push({ path: packetPath(ctx.out, spec.name, 'html'), content: html });
  if (spec.formats.includes('pdf')) {
    if (chromiumAvailable()) {
      const printed = await printPacketPdf(render, view.toc, pdfOptions(view, spec, config.paper));
      pages = printed.pages;
      outputs.push({ path: packetPath(ctx.out, spec.name, 'pdf'), content: printed.pdf });
    } else {
      if (!spec.formats.includes('html')) outputs.push({ path: packetPath(ctx.out, spec.name, 'html'), content: html });
      messages.push(`PDF of packet ${spec.name} skipped: Chromium not found at ${chromiumPath()}. ${CHROMIUM_INSTALL_HINT}`);
    }
  }
  // Every format is written, or none: a failure leaves the previous set of files together.
  const changed = writeFilesAtomic(outputs);
  const files = outputs.map((o) => o.path.slice(ctx.out.length + 1).split('\\').join('/'));
  const written = files.filter((_, n) => changed[n]);
  const unchanged = changed.filter((c) => !c).length;
  return { spec, incidents, numbers, view, html, files, written, unchanged, notes: messages, pages, delta };
}
