import { randomBytes } from 'node:crypto';
import { BUILD_STEPS } from '../build/steps.js';
import { UserError, type CommandContext } from '../commands/context.js';
import { updateKnowledgeBase, type BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { printProblems } from '../output/problems.js';
import type { Problem } from '../problems.js';
import type { Config, DocumentSpec } from '../schema/config.js';
import { LETTER_FORMATS } from '../letter/formats.js';

/**
 * The builds behind `postmortem serve`: the database and every build step, with letters and
 * packets rendered as HTML only (PDFs are printed when asked for, see `printDocument`). A build
 * that brings a new error (a file that had none before has one now) writes nothing: the last
 * good pages stay, and the problems are shown over them until the file is fixed.
 */
export interface ServeState {
  /** Changes when a build wrote anything (see `ServeSession.versionOf` for a page's own). */
  build: string;
  /** Every problem of the last build, errors and warnings, as `check` reports them. */
  problems: Problem[];
  /** True when the last build was held back by a new error (the pages are the last good ones). */
  held: boolean;
}

export type DocumentKind = 'letter' | 'packet';

/**
 * The config with every letter and packet in its formats but PDF (HTML always; a letter's
 * Markdown costs nothing more): a save never waits for Chromium.
 */
export function previewConfig(config: Config): Config {
  const documents = config.documents.map(
    (d): DocumentSpec =>
      d.type === 'letter'
        ? { ...d, formats: ['html', ...(d.formats ?? LETTER_FORMATS).filter((f) => f === 'md')] }
        : { ...d, formats: ['html'] },
  );
  return { ...config, documents };
}

const LOCATED = /^(.+?):(\d+):(\d+): (error|warning): (.*)$/s;

/** A build failure as a problem: located when its message starts with `path:line:col: error:` (templates). */
export function problemFromError(error: unknown, ruleId: string): Problem {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof UserError && error.hint ? ` (${error.hint})` : '';
  const at = LOCATED.exec(message);
  if (at)
    return {
      file: at[1]!,
      line: Number(at[2]),
      column: Number(at[3]),
      severity: at[4] as Problem['severity'],
      ruleId,
      message: at[5]! + hint,
    };
  return { file: '.', line: 1, column: 1, severity: 'error', ruleId, message: message + hint };
}

const errorFiles = (problems: readonly Problem[]) => new Set(problems.filter((p) => p.severity === 'error').map((p) => p.file));

interface StepsOutcome {
  /** Files written (relative to the output folder). */
  written: string[];
  problems: Problem[];
  notes: string[];
  /** Milliseconds per step, for the terminal. */
  times: string[];
}

/** Every build step; a step that fails with a user error becomes a problem and the others still run. */
async function runSteps(ctx: CommandContext, kb: BuiltKnowledgeBase): Promise<StepsOutcome> {
  const outcome: StepsOutcome = { written: [], problems: [], notes: [], times: [] };
  for (const step of BUILD_STEPS) {
    const started = performance.now();
    try {
      const result = await step.run(ctx, kb);
      outcome.written.push(...result.written);
      outcome.problems.push(...result.problems);
      outcome.notes.push(...result.notes.map((n) => `${step.name}: ${n}`));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      outcome.problems.push(problemFromError(error, step.name));
    }
    outcome.times.push(`${step.name} ${Math.round(performance.now() - started)}`);
  }
  return outcome;
}

/** After the first build: the errors, and the warnings of the files just changed (not every warning at every save). */
function worthPrinting(problems: readonly Problem[], changed: readonly string[]): readonly Problem[] {
  if (changed.length === 0) return problems;
  const files = new Set(changed);
  return problems.filter((p) => p.severity === 'error' || files.has(p.file));
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Which open pages a build's written files reach: an HTML file, the page itself; a search shard,
 * the index page that loads it; anything else (a style sheet, a script, an image), every page.
 */
export function pagesReached(written: readonly string[]): { pages: string[]; all: boolean } {
  const pages: string[] = [];
  let all = false;
  for (const file of written) {
    if (file.endsWith('.html')) pages.push(file);
    else if (file.startsWith('site/assets/search/shard-')) pages.push('site/index.html');
    else if (!file.endsWith('.pdf') && !file.endsWith('.md')) all = true;
  }
  return { pages, all };
}

export class ServeSession {
  private readonly id = randomBytes(4).toString('hex');
  private generation = 0;
  /** The build that last changed each page (by its file under the output folder), and every page. */
  private readonly pageGenerations = new Map<string, number>();
  private allPages = 0;
  private goodErrorFiles: Set<string> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private latest: BuiltKnowledgeBase | undefined;
  private readonly pending = new Set<string>();
  private queued = false;
  state: ServeState = { build: `${this.id}-0`, problems: [], held: false };

  constructor(
    private readonly ctx: CommandContext,
    private readonly onState: (state: ServeState) => void,
  ) {}

  /** The config of the last build (undefined before the first). */
  get config(): Config | undefined {
    return this.latest?.config;
  }

  /** Runs `task` after every build or print before it: one at a time. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Builds after `changed` (paths relative to the root; empty for the first build) and tells the pages. */
  build(changed: readonly string[]): Promise<ServeState> {
    return this.exclusive(() => this.buildNow(changed));
  }

  /**
   * A build after the current one for these changes, and those that come before it starts:
   * saves during a long build make one more build, not one each.
   */
  buildSoon(changed: readonly string[]): void {
    for (const path of changed) this.pending.add(path);
    if (this.queued) return;
    this.queued = true;
    this.exclusive(() => {
      this.queued = false;
      const batch = [...this.pending].sort();
      this.pending.clear();
      return this.buildNow(batch);
    }).catch((error: unknown) => {
      this.ctx.stderr.write(`postmortem serve: internal error: ${(error as Error).message}\nThe server goes on; please report this.\n`);
    });
  }

  private async buildNow(changed: readonly string[]): Promise<ServeState> {
    const started = performance.now();
    const { ctx } = this;
    let databaseMs = 0;
    if (changed.length) ctx.stdout.write(`\nChanged: ${changed.join(', ')}\n`);
    let kb: BuiltKnowledgeBase;
    try {
      kb = await updateKnowledgeBase(ctx);
      databaseMs = performance.now() - started;
    } catch (error) {
      return this.hold([problemFromError(error, error instanceof UserError ? 'build' : 'internal')], changed, 'the build failed');
    }
    this.latest = kb;
    const errors = errorFiles(kb.problems);
    const fresh = [...errors].filter((file) => this.goodErrorFiles && !this.goodErrorFiles.has(file));
    if (fresh.length > 0) return this.hold(kb.problems, changed, `new errors in ${fresh.join(', ')}`);
    let steps: StepsOutcome;
    try {
      steps = await runSteps(ctx, { ...kb, config: previewConfig(kb.config) });
    } catch (error) {
      return this.hold([...kb.problems, problemFromError(error, 'internal')], changed, 'the build failed');
    }
    this.goodErrorFiles = errors;
    const problems = [...kb.problems, ...steps.problems];
    printProblems(ctx, worthPrinting(problems, changed));
    if (this.generation === 0 || steps.written.length > 0) this.generation += 1;
    const reached = pagesReached(steps.written);
    if (this.allPages === 0 || reached.all) this.allPages = this.generation;
    for (const page of reached.pages) this.pageGenerations.set(page, this.generation);
    const ms = Math.round(performance.now() - started);
    const times = [`database ${Math.round(databaseMs)}`, ...steps.times].join(', ');
    ctx.stdout.write(`Built in ${ms} ms (${times}): ${plural(steps.written.length, 'file')} written${summary(problems)}.\n`);
    return this.publish({ build: `${this.id}-${this.generation}`, problems, held: false });
  }

  /**
   * The build an open page was made by, for the file under the output folder it shows: it
   * changes only when a build changed that file (or one every page uses), so a save reloads
   * only the pages whose output changed. Without a file (the server's own pages): any build.
   */
  versionOf(file: string | undefined): string {
    if (file === undefined) return this.state.build;
    return `${this.id}-${Math.max(this.pageGenerations.get(file) ?? 0, this.allPages)}`;
  }

  private hold(problems: Problem[], changed: readonly string[], why: string): ServeState {
    printProblems(this.ctx, worthPrinting(problems, changed));
    this.ctx.stdout.write(`Kept the last good build: ${why}. Fix and save to build again.\n`);
    return this.publish({ build: this.state.build, problems, held: true });
  }

  private publish(state: ServeState): ServeState {
    this.state = state;
    this.onState(state);
    return state;
  }

  /**
   * Prints one letter or packet of the config to PDF with the existing document code (the HTML
   * is written again with it). Returns the path of the PDF under the output folder, or the
   * reason there is none.
   */
  printDocument(kind: DocumentKind, name: string): Promise<{ path: string } | { error: string; status: number }> {
    return this.exclusive(async () => {
      const kb = this.latest;
      const spec = kb?.config.documents.find((d) => d.type === kind && d.name === name);
      if (!kb || !spec) return { error: `No ${kind} named "${name}" in the config.`, status: 404 };
      const step = BUILD_STEPS.find((s) => s.name === `${kind}s`)!;
      const config = { ...kb.config, documents: [{ ...spec, formats: ['html', 'pdf'] } as DocumentSpec] };
      const result = await step.run(this.ctx, { ...kb, config }).catch((error: unknown) => {
        if (error instanceof UserError) return { problems: [problemFromError(error, step.name)], notes: [], written: [], unchanged: 0 };
        throw error;
      });
      const pdf = `${kind}s/${name}.pdf`;
      if (result.problems.length) return { error: result.problems.map((p) => p.message).join('\n'), status: 500 };
      const skipped = result.notes.find((n) => /PDF .* skipped/.test(n));
      if (skipped) return { error: skipped, status: 503 };
      return { path: pdf };
    });
  }
}

function summary(problems: readonly Problem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  return errors || warnings ? `; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}` : '';
}
