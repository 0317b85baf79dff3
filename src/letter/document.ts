import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Incident } from '../model/incident.js';
import type { Problem } from '../problems.js';
import type { Config } from '../schema/config.js';
import { UserError } from '../commands/context.js';
import { writeFilesAtomic } from '../output/write-file.js';
import { chromiumAvailable, chromiumPath, ChromiumMissingError, CHROMIUM_INSTALL_HINT } from '../render/pdf.js';
import { requireId } from '../schema/id.js';
import { chronological, customerLetter, LetterInputError, type CustomerLetter } from './model.js';

export { LETTER_FORMATS, LETTERS_DIR, type LetterFormat };
import { LETTER_FORMATS, LETTERS_DIR, type LetterFormat } from './formats.js';
import { printLetterPdf, renderLetter } from './render.js';
import { followUp } from './follow-up.js';
import { readLetterNotes } from './notes.js';
import { LetterSettingError } from './setting-error.js';
import { letterPromises, promisesFile, promisesJson, readPromises } from './promises.js';
import { describeLeak, findLeak, internalStrings, publicCorpus, visibleText, type OutputText } from './tripwire.js';
import { glyphSources, installedCoverage, missingGlyphs } from './glyphs.js';

/** One warning per character no installed font can print, at its first field; null when fontconfig is missing. */
function glyphProblems(texts: readonly { where: string; text: string }[]): string[] | null {
  const coverage = installedCoverage();
  if (coverage === null) return null;
  return missingGlyphs(texts, coverage).map(
    (g) =>
      `${g.where}: "${g.char}" (${g.code}) has no glyph in the installed fonts; the PDF would show an empty box (install fonts-noto-core, fonts-noto-cjk and fonts-noto-color-emoji, or reword)`,
  );
}

/**
 * One letter from request to files: pick the incidents, build the customer view model,
 * render every format, run the tripwire over all of them, and only then write
 * `<out>/letters/<name>.{html,md,pdf}`. Nothing is written when any step fails.
 */

export interface LetterRequest {
  ids: readonly string[];
  name?: string;
  signer?: string;
  audience?: string;
  formats?: readonly LetterFormat[];
  includeDrafts?: boolean;
  /** Letter date `YYYY-MM-DD`; default the day the last incident was resolved. */
  date?: string;
  /** Notes file of the letter's own paragraphs, relative to the root (`notes.ts`). */
  notes?: string;
  /** Name of an earlier letter whose promises this one reports on (`follow-up.ts`); `ids` default to its incidents. */
  followUp?: string;
}

export interface LetterFile {
  /** `promises`: the `<name>.promises.json` every letter writes beside it. */
  format: LetterFormat | 'promises';
  /** Relative to the output folder, with forward slashes. */
  path: string;
  changed: boolean;
}

export interface LetterOutcome {
  name: string;
  letter: CustomerLetter;
  files: LetterFile[];
  notes: string[];
  /** Things the reader of the letter would see wrong (a character the PDF cannot print), located at their field. */
  warnings: string[];
}

/** What a letter is made from: the loaded knowledge base (`loadKnowledgeBase`) or the database build's. */
export interface LetterSources {
  root: string;
  config: Config;
  /** Valid incidents. */
  incidents: readonly Incident[];
  /** Problems of the knowledge base; files with errors are named when asked for. */
  problems: readonly Problem[];
}

/** Valid incidents for the ids, in the order they happened; clear messages for unknown, invalid and draft ones. */
export function selectIncidents(kb: LetterSources, ids: readonly string[], includeDrafts: boolean): Incident[] {
  const wanted = [...new Set(ids.map((id) => id.trim()).filter(Boolean))];
  if (wanted.length === 0) throw new UserError('name at least one incident id for the letter');
  const byId = new Map(kb.incidents.map((i) => [i.id, i]));
  const unknown: string[] = [];
  const invalid: string[] = [];
  for (const id of wanted) {
    if (byId.has(id)) continue;
    const broken = kb.problems.find((p) => p.severity === 'error' && p.file.replace(/^.*\//, '') === `${id}.md`);
    if (broken) invalid.push(`${id} (${broken.file})`);
    else unknown.push(id);
  }
  if (unknown.length) {
    throw new UserError(
      `unknown incident id${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`,
      'Incident ids are the file names under incidents/ without .md; run "postmortem check" to see every incident.',
    );
  }
  if (invalid.length) {
    throw new UserError(
      `incident${invalid.length === 1 ? '' : 's'} with errors cannot go into a letter: ${invalid.join(', ')}`,
      'Run "postmortem check" to see the problems and fix them.',
    );
  }
  const incidents = wanted.map((id) => byId.get(id)!);
  const drafts = incidents.filter((i) => i.status !== 'final');
  if (drafts.length && !includeDrafts) {
    throw new UserError(
      `only final incidents go into customer letters; not final: ${drafts.map((i) => `${i.id} (status: ${i.status})`).join(', ')}`,
      'Finish the review and set status: final, or pass --include-drafts to write the letter anyway.',
    );
  }
  return chronological(incidents);
}

/** `<first id>_<second id>...`, or dates and a count when that gets long. */
export function defaultLetterName(incidents: readonly Incident[], letter: CustomerLetter): string {
  if (incidents.length === 1) return incidents[0]!.id;
  const joined = incidents.map((i) => i.id).join('_');
  if (joined.length <= 120) return joined;
  const first = incidents[0]!.started.toString().slice(0, 10);
  return `${first}_to_${letter.date_iso}_${incidents.length}-incidents`;
}

function run(command: string, args: string[]): Promise<{ ok: true; stdout: string } | { ok: false; missing: boolean; message: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout) => {
      if (!error) resolve({ ok: true, stdout });
      else resolve({ ok: false, missing: (error as NodeJS.ErrnoException).code === 'ENOENT', message: error.message });
    });
  });
}

/** The text of a PDF by `pdftotext` (poppler-utils), or undefined when it is not installed. */
export async function pdfText(pdf: Uint8Array): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'pmkb-letter-'));
  try {
    const file = join(dir, 'letter.pdf');
    writeFileSync(file, pdf);
    const result = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
    if (result.ok) return result.stdout;
    if (result.missing) return undefined;
    throw new Error(`pdftotext failed: ${result.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ProduceOptions {
  kb: LetterSources;
  out: string;
  request: LetterRequest;
}

/** Renders, checks and writes one letter. Throws UserError (nothing written) on any problem. */
export async function produceLetter({ kb, out, request }: ProduceOptions): Promise<LetterOutcome> {
  const { config } = kb;
  const formats = [...new Set(request.formats?.length ? request.formats : LETTER_FORMATS)];
  if (request.name !== undefined) requireId('letter name', request.name);
  const promised = request.followUp === undefined ? undefined : readPromises(join(out, LETTERS_DIR), request.followUp);
  if (promised && request.date === undefined) {
    throw new LetterSettingError(
      `a follow-up letter needs its own date: it reports on "${promised.letter}" as of that day`,
      'follows',
      'Pass --date YYYY-MM-DD (or date: in its documents: entry).',
    );
  }
  const incidents = selectIncidents(kb, request.ids.length ? request.ids : (promised?.incidents ?? []), request.includeDrafts ?? false);
  const noteSections = request.notes === undefined ? undefined : readLetterNotes(kb.root, request.notes);
  let letter: CustomerLetter;
  try {
    letter = customerLetter(incidents, config, {
      signer: request.signer ?? config.letter.signer,
      audience: request.audience ?? config.letter.audience,
      date: request.date,
      notes: noteSections,
      followUp: promised && followUp(promised, incidents, request.date!, config),
    });
  } catch (error) {
    if (error instanceof LetterInputError) throw new UserError(error.message);
    throw error;
  }
  const name = request.name ?? defaultLetterName(incidents, letter);
  const rendered = renderLetter(kb.root, letter);
  const notes: string[] = [];
  const warnings: string[] = [];

  let pdf: Uint8Array | undefined;
  if (formats.includes('pdf')) {
    const sources = glyphSources(incidents, noteSections && { file: request.notes!, sections: noteSections });
    const glyphs = glyphProblems([
      ...sources,
      { where: "the letter's own text", text: visibleText({ format: 'HTML', text: rendered.html, markup: 'html' }) },
    ]);
    if (glyphs === null)
      notes.push(`characters of letter ${name} not checked against the installed fonts: fc-list (fontconfig) not found.`);
    else warnings.push(...glyphs);
    if (!chromiumAvailable()) {
      notes.push(`PDF of letter ${name} skipped: Chromium not found at ${chromiumPath()}. ${CHROMIUM_INSTALL_HINT}`);
    } else {
      try {
        pdf = await printLetterPdf(rendered, letter, config);
      } catch (error) {
        if (!(error instanceof ChromiumMissingError)) throw error;
        notes.push(`PDF of letter ${name} skipped: ${error.message}. ${CHROMIUM_INSTALL_HINT}`);
      }
    }
  }

  // The tripwire: every format, before anything is written.
  const outputs: OutputText[] = [
    { format: 'HTML', text: rendered.html, markup: 'html' },
    { format: 'HTML (PDF footer)', text: rendered.footer, markup: 'html' },
    { format: 'Markdown', text: rendered.markdown, markup: 'markdown' },
  ];
  if (pdf) {
    const text = await pdfText(pdf);
    if (text === undefined) notes.push(`PDF text of letter ${name} not checked for internal details: pdftotext (poppler-utils) not found.`);
    else outputs.push({ format: 'PDF', text, markup: 'text' });
  }
  const leak = findLeak(outputs, internalStrings(incidents, config), publicCorpus(incidents, config, rendered.prose));
  if (leak) {
    throw new UserError(
      `${describeLeak(leak)}; letter ${name} was not written`,
      'Customer letters never carry internal details. Reword the customer text that repeats it, or fix the template in templates/letter/ that shows it.',
    );
  }

  // Every format is written, or none: a failure leaves the previous set of files together.
  const contents: [LetterFile['format'], string | Uint8Array][] = [];
  if (formats.includes('html')) contents.push(['html', rendered.html]);
  if (formats.includes('md')) contents.push(['md', rendered.markdown]);
  if (pdf) contents.push(['pdf', pdf]);
  contents.push(['promises', promisesJson(letterPromises(name, letter.date_iso, incidents, config))]);
  const fileName = (format: LetterFile['format']) => (format === 'promises' ? promisesFile(name) : `${name}.${format}`);
  const changed = writeFilesAtomic(contents.map(([format, content]) => ({ path: join(out, LETTERS_DIR, fileName(format)), content })));
  const files: LetterFile[] = contents.map(([format], n) => ({ format, path: `${LETTERS_DIR}/${fileName(format)}`, changed: changed[n]! }));
  return { name, letter, files, notes, warnings };
}
