import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CommandContext } from '../commands/context.js';
import { updateKnowledgeBase } from '../db/knowledge-base.js';
import { processFiles } from '../db/parse.js';
import { queryStats } from '../db/queries/stats.js';
import { loadKnowledgeBase } from '../kb/load.js';
import { loadConfig } from '../kb/config.js';
import { listIncidentFiles } from '../kb/files.js';
import { writeRows } from '../output/rows.js';
import { generateKnowledgeBase } from './generate.js';
import { hugoInstalled, race } from './hugo.js';

/**
 * `npm run bench`: generates synthetic knowledge bases in a temp folder (never in the repo)
 * and measures the build and the stats query against the targets of docs/performance.md.
 * Options: `--sizes 1000,10000` (default), `--keep` (leave the generated folders), `--json`.
 */
interface Measure {
  metric: string;
  value: string;
  target: string;
  ok: string;
}

const args = process.argv.slice(2);
const sizesArg = args[args.indexOf('--sizes') + 1];
const sizes = args.includes('--sizes') && sizesArg ? sizesArg.split(',').map(Number) : [1000, 10000];
const keep = args.includes('--keep');
const results: Measure[] = [];
const sink = { write: () => true };

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const record = (metric: string, ms: number, targetMs?: number, unit: 's' | 'ms' = 's') => {
  const value = unit === 's' ? seconds(ms) : `${ms.toFixed(1)} ms`;
  const target = targetMs === undefined ? '' : unit === 's' ? `≤ ${seconds(targetMs)}` : `≤ ${targetMs} ms`;
  results.push({ metric, value, target, ok: targetMs === undefined ? '' : ms <= targetMs ? 'yes' : 'NO' });
  process.stderr.write(`${metric}: ${value}\n`);
};
/** The machine's load average (1, 5 and 15 minutes): figures are comparable only at like loads. */
const noteLoad = (when: string) =>
  note(
    `load average (1, 5, 15 min), ${when}`,
    loadavg()
      .map((n) => n.toFixed(2))
      .join(', '),
  );
const note = (metric: string, value: string) => {
  results.push({ metric, value, target: '', ok: '' });
  process.stderr.write(`${metric}: ${value}\n`);
};

async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const value = await fn();
  return [value, performance.now() - t];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The CLI users run (the bundle `npm run build` writes). */
const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

/** Wall time of one run of `postmortem <args>` in a process of its own (exit 0 or 1: problems are not failures here). */
function cliMs(args: readonly string[]): number {
  const t = performance.now();
  const run = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t;
  if (run.status !== 0 && run.status !== 1) throw new Error(`postmortem ${args.join(' ')} failed (exit ${run.status}): ${run.stderr}`);
  return ms;
}

/** Median wall time of `runs` runs. */
const medianMs = (runs: number, once: (n: number) => number) => median(Array.from({ length: runs }, (_, n) => once(n)));

/**
 * Runs of a command under a second through the writing loop's measures. The machine is shared and
 * its speed drifts within minutes: with 5, one bench printed `--help` at 0.14 s against 0.13 s
 * when 30 alternating pairs a minute later gave 0.097 s (docs/performance.md, fifteenth round).
 */
const SHORT_RUNS = 11;

/** Medians of `a` and `b` run alternately, `runs` times each: a figure and its baseline under the same drift. */
function alternateMs(runs: number, a: () => number, b: () => number): [number, number] {
  const as: number[] = [];
  const bs: number[] = [];
  for (let n = 0; n < runs; n++) {
    as.push(a());
    bs.push(b());
  }
  return [median(as), median(bs)];
}

/** Appends " (edited N)" to the title of a file, so that each edit is a new one. */
function editTitle(root: string, file: string, n: number): void {
  const text = readFileSync(join(root, file), 'utf8');
  writeFileSync(join(root, file), text.replace(/^title: (.*)$/m, `title: $1 (edited ${n})`));
}

/**
 * The writing loop, whole commands as a user runs them (medians of `SHORT_RUNS`): `--help` against
 * a bare Node start (the two alternately), `check` of one file, and a `build` with nothing
 * changed, of the example knowledge base (into a temp folder; the first build, which prints the
 * PDFs, is not measured).
 */
function benchLoop(exampleRoot: string): void {
  const [nodeMs, helpMs] = alternateMs(
    SHORT_RUNS,
    () => {
      const t = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      return performance.now() - t;
    },
    () => cliMs(['--help']),
  );
  record('Node start (node -e 0)', nodeMs);
  record('postmortem --help (target: 2 × Node start)', helpMs, 2 * nodeMs);
  const file = listIncidentFiles(exampleRoot)[0]!;
  const out = mkdtempSync(join(tmpdir(), 'pmkb-bench-out-'));
  try {
    cliMs(['build', '--root', exampleRoot, '--out', out]);
    // after a build, as in an editor or a pre-commit hook (the build's cache answers for the other files)
    record(
      'example KB: check <one file>',
      medianMs(SHORT_RUNS, () => cliMs(['check', '--root', exampleRoot, '--out', out, join(exampleRoot, file)])),
      300,
    );
    record(
      'example KB: build, nothing changed',
      medianMs(SHORT_RUNS, () => cliMs(['build', '--root', exampleRoot, '--out', out])),
      500,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * `postmortem build` as a whole (database, documents, site) with nothing changed, and after one
 * edited incident (medians of 5: the first edit after the cold build also writes the code cache
 * of an edit, once; see code-cache.ts). Run by `--build-command` in a process of its own.
 */
function benchBuildCommand(root: string, count: number): void {
  cliMs(['build', '--root', root]); // the site and documents, once
  const target = count === 10000 ? 500 : undefined;
  record(
    `${count}: postmortem build, nothing changed`,
    medianMs(5, () => cliMs(['build', '--root', root])),
    target,
  );
  const files = listIncidentFiles(root);
  record(
    `${count}: postmortem build, one edited incident`,
    medianMs(5, (n) => {
      editTitle(root, files[Math.floor(((n + 1) * count) / 6)]!, n);
      return cliMs(['build', '--root', root]);
    }),
    target,
  );
}

/**
 * Cold database + site against Hugo on the same files in the same run (when Hugo is installed):
 * at 10,000 incidents within Hugo's time, at 1,000 within 1.5 × (wall), peak memory ≤ 400 MB.
 */
function benchRace(root: string, count: number): void {
  if (!hugoInstalled()) {
    note(`${count}: cold build against Hugo`, 'skipped: hugo (or /usr/bin/time) is not installed');
    return;
  }
  const { ours, hugo } = race(CLI, root);
  const factor = count >= 10000 ? 1 : count >= 1000 ? 1.5 : undefined;
  const cell = (u: { wall: number; cpu: number; rssMb: number }) =>
    `${u.wall.toFixed(2)} s wall, ${u.cpu.toFixed(2)} s CPU, ${u.rssMb.toFixed(0)} MB`;
  results.push({ metric: `${count}: cold build, database + site (postmortem site)`, value: cell(ours), target: '', ok: '' });
  results.push({ metric: `${count}: Hugo, same files, same run`, value: cell(hugo), target: '', ok: '' });
  const ratio = ours.wall / hugo.wall;
  results.push({
    metric: `${count}: cold build / Hugo (wall; CPU ${(ours.cpu / hugo.cpu).toFixed(2)}×)`,
    value: `${ratio.toFixed(2)}×`,
    target: factor === undefined ? '' : `≤ ${factor}×`,
    ok: factor === undefined ? '' : ratio <= factor ? 'yes' : 'NO',
  });
  // the process's peak, every thread in it (see `race`), at every size
  results.push({
    metric: `${count}: peak memory, cold build + site (RSS)`,
    value: `${ours.rssMb.toFixed(0)} MB`,
    target: '≤ 400 MB',
    ok: ours.rssMb <= 400 ? 'yes' : 'NO',
  });
  process.stderr.write(`${count}: cold build ${cell(ours)}; Hugo ${cell(hugo)}\n`);
}

function statsTiming(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  db.pragma('query_only = ON');
  try {
    queryStats(db, { by: 'month' }); // warm the page cache and the statement
    const runs = Array.from({ length: 7 }, () => {
      const t = performance.now();
      queryStats(db, { by: 'month' });
      return performance.now() - t;
    });
    return median(runs);
  } finally {
    db.close();
  }
}

/** Grows a database to `target` incidents by copying its incident rows (for the stats query only). */
function synthesise(dbPath: string, copyPath: string, target: number): number {
  copyFileSync(dbPath, copyPath);
  return ((): number => {
    const db = new Database(copyPath);
    const columns = (db.prepare('PRAGMA table_info(incidents)').all() as { name: string }[]).map((c) => c.name);
    const base = db.prepare('SELECT count(*) FROM incidents').pluck().get() as number;
    const copies = Math.ceil(target / base) - 1;
    db.transaction(() => {
      for (let k = 1; k <= copies; k++) {
        const select = columns
          .map((c) =>
            c === 'id' || c === 'file' ? `${c} || '-copy${k}'` : c === 'started_local_date' ? `date(started_local_date, '+${k} days')` : c,
          )
          .join(', ');
        db.exec(`INSERT INTO incidents (${columns.join(', ')}) SELECT ${select} FROM incidents WHERE id NOT LIKE '%-copy%'`);
      }
    })();
    const n = db.prepare('SELECT count(*) FROM incidents').pluck().get() as number;
    db.close();
    return n;
  })();
}

async function benchSize(count: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `pmkb-bench-${count}-`));
  try {
    const [, genMs] = await timed(() => generateKnowledgeBase(root, count));
    process.stderr.write(`generated ${count} incidents in ${seconds(genMs)} under ${root}\n`);
    const ctx: CommandContext = { root, out: join(root, 'out'), stdout: sink, stderr: process.stderr, color: false };

    // The cold build runs in a process of its own, like `postmortem build`, so its peak memory is its own.
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--cold-build', root], {
      stdio: ['ignore', 'pipe', 'inherit'],
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`the cold build of ${count} incidents failed (exit ${child.status})`);
    const { ms: coldMs, rss: coldRss } = JSON.parse(child.stdout) as { ms: number; rss: number };
    const cold = await updateKnowledgeBase(ctx); // up to date: opens the result
    const db = cold.openDb();
    const valid = db.prepare('SELECT count(*) FROM incidents').pluck().get() as number;
    db.close();
    const errors = cold.problems.filter((p) => p.severity === 'error').length;
    if (errors > 0) throw new Error(`the generated knowledge base has ${errors} errors`);
    record(`${count}: cold full build`, coldMs, count === 10000 ? 30_000 : undefined);

    const [same, sameMs] = await timed(() => updateKnowledgeBase(ctx));
    if (same.rebuilt) throw new Error('a no-change build rebuilt the database');
    record(`${count}: no-change rebuild`, sameMs, count === 10000 ? 500 : undefined);

    const file = listIncidentFiles(root)[Math.floor(count / 2)]!;
    const text = readFileSync(join(root, file), 'utf8');
    writeFileSync(join(root, file), text.replace(/^title: (.*)$/m, 'title: $1 (edited)'));
    const [edited, editMs] = await timed(() => updateKnowledgeBase(ctx));
    if (edited.parsed !== 1 || edited.changed.changed.length !== 1) throw new Error(`one edit parsed ${edited.parsed} files`);
    record(`${count}: one-edit rebuild`, editMs, count === 10000 ? 500 : undefined);

    record(`${count}: stats --by month`, statsTiming(cold.dbPath), undefined, 'ms');
    results.push(...ownProcess(['--build-command', root, String(count)]));
    benchRace(root, count);
    if (count === 10000) {
      const copy = join(root, 'out', 'synthetic-100k.db');
      const rows = synthesise(cold.dbPath, copy, 100_000);
      record(`${rows}: stats --by month (rows synthesised in SQLite)`, statsTiming(copy), 100, 'ms');
    }
    note(`${count}: database size`, `${(readFileSync(cold.dbPath).length / 1e6).toFixed(1)} MB (${valid} incidents)`);
    // Peak memory: of the cold build's process, and of this one (rebuilds and queries), before the parse-speed runs below.
    const rest = process.resourceUsage().maxRSS / 1024;
    const target = count === 10000 ? '≤ 500 MB' : '';
    const ok = (mb: number) => (count === 10000 ? (mb <= 500 ? 'yes' : 'NO') : '');
    results.push({ metric: `${count}: peak memory, cold build (RSS)`, value: `${coldRss.toFixed(0)} MB`, target, ok: ok(coldRss) });
    results.push({ metric: `${count}: peak memory, rebuilds and stats (RSS)`, value: `${rest.toFixed(0)} MB`, target, ok: ok(rest) });
    if (count <= 1000) {
      // Parse speed without the build's caches and workers: the full reader (loadKnowledgeBase) and the fast one.
      const [kb, loadMs] = await timed(() => loadKnowledgeBase({ root }));
      note(`${count}: loadKnowledgeBase (1 thread)`, `${(kb.sources.length / (loadMs / 1000)).toFixed(0)} files/s (${seconds(loadMs)})`);
      const files = listIncidentFiles(root);
      const [, fastMs] = await timed(() =>
        processFiles({ root, files, config: loadConfig(root).config, today: '2030-01-01' }, () => undefined, undefined, 1),
      );
      note(
        `${count}: fast reader + per-file checks, 1 thread`,
        `${(files.length / (fastMs / 1000)).toFixed(0)} files/s (${seconds(fastMs)})`,
      );
    }
  } finally {
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The measures `args` names, run by this script in a process of its own (its stderr passed
 * through). The whole commands of a size are timed so (`--build-command`): started from this
 * process, which holds ~440 MB after the builds in it at 10,000, each command took 10–12 ms longer
 * to start than from a small one, the time `fork` takes to copy the parent's page tables (11
 * `node -e 0` from a process of 43 MB against the same process at 520 MB: 66–68 against 78.5 ms;
 * docs/performance.md, sixteenth round) — a cost of the bench, not of the command a user runs.
 */
function ownProcess(args: readonly string[]): Measure[] {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`the bench's ${args.join(' ')} failed (exit ${child.status})`);
  return JSON.parse(child.stdout) as Measure[];
}

/**
 * Each size runs in its own process, so its peak memory (maxRSS, worker threads included) is
 * its own and not what an earlier, smaller run left behind.
 */
if (args.includes('--cold-build')) {
  const root = args[args.indexOf('--cold-build') + 1]!;
  const [, ms] = await timed(() =>
    updateKnowledgeBase({ root, out: join(root, 'out'), stdout: sink, stderr: process.stderr, color: false }),
  );
  process.stdout.write(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS / 1024 }));
} else if (args.includes('--build-command')) {
  const at = args.indexOf('--build-command');
  benchBuildCommand(args[at + 1]!, Number(args[at + 2]));
  process.stdout.write(JSON.stringify(results));
} else if (args.includes('--child')) {
  await benchSize(sizes[0]!);
  process.stdout.write(JSON.stringify(results));
} else {
  noteLoad('at the start');
  const exampleRoot = process.cwd();
  if (existsSync(join(exampleRoot, 'postmortem.config.yaml'))) {
    benchLoop(exampleRoot); // first, while this process is small (see `ownProcess`)
    loadKnowledgeBase({ root: exampleRoot }); // warm up the code paths
    const [kb, ms] = await timed(() => loadKnowledgeBase({ root: exampleRoot }));
    note(
      'example KB: loadKnowledgeBase (1 thread)',
      `${(kb.sources.length / (ms / 1000)).toFixed(0)} files/s (${kb.sources.length} files in ${seconds(ms)})`,
    );
  }
  for (const count of sizes) results.push(...ownProcess(['--child', '--sizes', String(count), ...(keep ? ['--keep'] : [])]));
  noteLoad('at the end');
  writeRows(process.stdout, results as unknown as Record<string, unknown>[], {
    format: args.includes('--json') ? 'json' : 'table',
    columns: ['metric', 'value', 'target', 'ok'],
  });
}
