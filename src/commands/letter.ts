import { loadKnowledgeBase } from '../kb/load.js';
import { checkTargets } from '../kb/targets.js';
import { updateKnowledgeBase } from '../db/knowledge-base.js';
import { knowledgeBaseAsOf, parseAsOf } from '../history/as-of.js';
import type { LetterOutcome } from '../letter/document.js';
import type { LetterPreview } from '../letter/preview.js';
import { formatProblem } from '../problems.js';
import { terminalText, writeRows } from '../output/rows.js';
import { LETTER_FORMATS, type LetterFormat } from '../letter/formats.js';
import { UserError, type CliEnv, type CommandContext, type CommandResult, type CommandBody } from './context.js';

export interface LetterOptions {
  ids: string[];
  signer?: string;
  audience?: string;
  /** Formats to write; default html, md and pdf. */
  formats?: LetterFormat[];
  name?: string;
  includeDrafts?: boolean;
  date?: string;
  /** `--notes FILE`: the letter's own paragraphs (Markdown, relative to the root). */
  notes?: string;
  /** `--follow-up NAME`: report on what the letter NAME promised (ids default to its incidents). */
  followUp?: string;
  /** `--as-of YYYY-MM-DD`: the incidents' text and remediation status at the end of that day. */
  asOf?: string;
  db?: string;
}

export interface LetterResult extends CommandResult {
  outcome: LetterOutcome;
}

export interface LetterPreviewResult extends CommandResult {
  preview: LetterPreview;
}

/** Reads `--format html,md` (also repeated flags) into known formats. */
export function parseFormats(value: unknown): LetterFormat[] | undefined {
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value])
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  const bad = parts.filter((p) => !(LETTER_FORMATS as readonly string[]).includes(p));
  if (bad.length)
    throw new UserError(
      `unknown letter format${bad.length === 1 ? '' : 's'}: ${bad.join(', ')}`,
      `Use one or more of ${LETTER_FORMATS.join(', ')}, e.g. --format html,pdf`,
    );
  return parts as LetterFormat[];
}

/** `postmortem letter <id>...`: the customer letter about these incidents. */
export async function runLetter(ctx: CommandContext, options: LetterOptions): Promise<LetterResult> {
  checkTargets(ctx.root, ctx.out);
  let kb = loadKnowledgeBase({ root: ctx.root, now: ctx.now });
  if (options.asOf !== undefined) {
    const date = parseAsOf(options.asOf);
    const view = knowledgeBaseAsOf(await updateKnowledgeBase(ctx, { dbPath: options.db }), ctx.root, date);
    try {
      kb = { ...kb, today: date, incidents: view.incidents() };
    } finally {
      view.db.close();
    }
    ctx.stderr.write(`note: ${view.note}\n`);
  }
  // The renderer (unified, Handlebars, playwright-core) loads only when a letter is written.
  const { produceLetter } = await import('../letter/document.js');
  const outcome = await produceLetter({
    kb,
    out: ctx.out,
    request: {
      ids: options.ids,
      signer: options.signer,
      audience: options.audience,
      formats: options.formats,
      name: options.name,
      includeDrafts: options.includeDrafts,
      date: options.date,
      notes: options.notes,
      followUp: options.followUp,
    },
  });
  for (const file of outcome.files) {
    ctx.stdout.write(`${file.changed ? 'wrote' : 'unchanged'} ${file.path}\n`);
  }
  for (const note of outcome.notes) ctx.stderr.write(`note: ${note}\n`);
  for (const warning of outcome.warnings) ctx.stderr.write(`warning: letter ${outcome.name}: ${warning}\n`);
  const { letter } = outcome;
  ctx.stdout.write(
    `Letter "${letter.subject}" dated ${letter.date}: ${letter.count} incident${letter.count === 1 ? '' : 's'}, signed by ${letter.signer ? letter.signer.name : `the ${letter.organization} team`}.\n`,
  );
  return { exitCode: 0, outcome };
}

/**
 * `postmortem letter <id>... --preview`: writes nothing; prints the customer-text warnings of
 * the incidents, the word count and the claims table (sentence → rule → fields).
 */
export async function runLetterPreview(ctx: CommandContext, options: LetterOptions): Promise<LetterPreviewResult> {
  const kb = loadKnowledgeBase({ root: ctx.root, now: ctx.now });
  const { previewLetter } = await import('../letter/preview.js');
  const preview = previewLetter(kb, {
    ids: options.ids,
    signer: options.signer,
    audience: options.audience,
    name: options.name,
    includeDrafts: options.includeDrafts,
    date: options.date,
  });
  const { letter, problems, words, claims } = preview;
  ctx.stdout.write(`Preview of letter ${preview.name} ("${terminalText(letter.subject)}", dated ${letter.date}); nothing written.\n\n`);
  ctx.stdout.write(
    problems.length ? `${problems.map(formatProblem).map(terminalText).join('\n')}\n` : 'No warnings about customer text.\n',
  );
  ctx.stdout.write(`\nWords: ${words} (the letter up to its valediction)\n\n`);
  writeRows(
    ctx.stdout,
    claims.map((c) => ({ rule: c.rule, incident: c.incident ?? '', fields: c.fields.join(', '), sentence: c.text })),
    {
      format: 'table',
      columns: ['rule', 'incident', 'fields', 'sentence'],
      title: 'Claims (each sentence and the fields it comes from):',
    },
  );
  return { exitCode: 0, preview };
}

export const letterCommand = (env: CliEnv): CommandBody => ({
  builder: (y) =>
    y
      .positional('ids', { type: 'string', array: true, describe: 'Incident ids (file names without .md)' })
      .option('signer', { type: 'string', describe: 'Owner id who signs (must be public) [default: letter.signer]' })
      .option('audience', { type: 'string', describe: 'Whom the letter addresses, "To our <audience>," [default: letter.audience]' })
      .option('format', { type: 'string', describe: 'Formats, comma-separated: html,md,pdf [default: all]' })
      .option('name', { type: 'string', describe: 'File name without extension [default: from the incident ids]' })
      .option('date', {
        type: 'string',
        describe: 'Date printed on the letter, YYYY-MM-DD [default: the day the last incident was resolved]',
      })
      .option('notes', {
        type: 'string',
        describe: "Markdown file whose ## sections become the letter's own paragraphs (next steps, credits, ...), relative to the root",
      })
      .option('follow-up', {
        type: 'string',
        describe:
          'Write the follow-up to the letter of this name: what it promised, what is done, what slipped (needs --date; ids default to its incidents)',
      })
      .option('include-drafts', { type: 'boolean', default: false, describe: 'Allow incidents whose status is not final' })
      .option('preview', {
        type: 'boolean',
        default: false,
        describe: 'Write nothing; print the customer-text warnings, the word count and each sentence with the fields it comes from',
      })
      .option('as-of', {
        type: 'string',
        describe:
          "Write from the incidents as they stood at the end of this day (YYYY-MM-DD): the text of its last commit, else the records' own dates",
      })
      .option('db', { type: 'string', describe: 'Database file, with --as-of [default: <out>/postmortems.db]' }),
  handler: async (argv) => {
    const run = argv.preview ? runLetterPreview : runLetter;
    const result = await run(env.context(argv), {
      ids: ((argv.ids as string[] | undefined) ?? []).map(String),
      signer: argv.signer as string | undefined,
      audience: argv.audience as string | undefined,
      formats: parseFormats(argv.format),
      name: argv.name as string | undefined,
      includeDrafts: argv.includeDrafts as boolean,
      date: argv.date as string | undefined,
      notes: argv.notes as string | undefined,
      followUp: argv.followUp as string | undefined,
      asOf: argv.asOf as string | undefined,
      db: argv.db as string | undefined,
    });
    env.finish(result);
  },
});
