import Database from 'better-sqlite3';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { readSourceFast } from '../db/fast-read.js';
import { META } from '../db/schema.js';
import { incidentRows, IncidentWriter } from '../db/write.js';
import { validateSource } from '../kb/validate.js';
import type { Incident } from '../model/incident.js';
import { Temporal } from '../model/time.js';
import { digestOf } from '../source/read.js';
import { UserError } from '../commands/context.js';
import { filesAt, lastCommitBefore, readBlobs, repoState } from './git.js';

/**
 * The knowledge base as it stood at the end of a day: the incident text of that day's last
 * commit (first-parent) when the history reaches back that far, else today's text with the
 * records' own dates applied (fields alone). In both cases incidents that started later are
 * left out, and a remediation done or dropped after the day (its completion date) is open.
 * The result is an in-memory copy of the database, so every query reads it unchanged.
 */
export interface AsOfView {
  date: Temporal.PlainDate;
  /** Read-only, in memory; the caller closes it. */
  db: Database.Database;
  /** The valid incidents of that day (all when ids omitted), in file order, with remediation status as of that day. */
  incidents(ids?: readonly string[]): Incident[];
  /** The commit whose text was used, if any. */
  commit?: { id: string; committedAt: string };
  /** One line for the user: where the view comes from. */
  note: string;
}

/** `--as-of DATE`, checked. */
export function parseAsOf(text: string): Temporal.PlainDate {
  try {
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return Temporal.PlainDate.from(text, { overflow: 'reject' });
  } catch {
    // reported below
  }
  throw new UserError(`--as-of "${text}" is not a date`, 'Write it as YYYY-MM-DD, e.g. 2007-06-14.');
}

/** The last instant of a day in the config's time zone, as ISO 8601 with its offset (what `git log --before` reads). */
export function endOfDay(date: Temporal.PlainDate, timeZone: string): string {
  const next = date.add({ days: 1 }).toZonedDateTime({ timeZone }).subtract({ seconds: 1 });
  return next.toString({ timeZoneName: 'never', smallestUnit: 'second' });
}

interface TextAt {
  /** Incidents whose text at the commit differs from today's, by file. */
  replaced: Map<string, Incident>;
  /** Files at the commit that were not valid incidents then. */
  invalid: number;
}

/** Puts the incident text of `commit` into `db`, returning the incidents parsed from it. */
function applyCommitText(
  kb: BuiltKnowledgeBase,
  root: string,
  prefix: string,
  commit: string,
  db: Database.Database,
  date: Temporal.PlainDate,
): TextAt {
  const config = kb.config;
  const current = new Map(
    (db.prepare('SELECT file, id, digest FROM incidents').raw().all() as [string, string, string][]).map(([f, id, d]) => [
      f,
      { id, digest: d },
    ]),
  );
  const files = filesAt(root, commit);
  const blobs = readBlobs(
    root,
    prefix,
    files.map((path) => ({ commit, path })),
  );
  const writer = new IncidentWriter(db);
  const replaced = new Map<string, Incident>();
  const keep = new Set<string>();
  let invalid = 0;
  const incoming: Incident[] = [];
  files.forEach((file, i) => {
    const bytes = blobs[i];
    if (!bytes) return;
    const now = current.get(file);
    if (now && now.digest === digestOf(bytes)) {
      keep.add(file);
      return;
    }
    const result = validateSource(readSourceFast(file, bytes, { maxBytes: config.validation.max_file_kb * 1024 }), config, date);
    if (result.incident) incoming.push(result.incident);
    else invalid++;
  });
  for (const [file, { id }] of current) if (!keep.has(file)) writer.delete(id);
  const taken = new Set([...keep].map((f) => current.get(f)!.id));
  for (const incident of incoming) {
    if (taken.has(incident.id)) continue; // a duplicate id at that commit: the first file keeps it
    taken.add(incident.id);
    writer.add(incidentRows(incident, config));
    replaced.set(incident.file, incident);
  }
  writer.flushSearch();
  writer.prune();
  return { replaced, invalid };
}

/** What the records' own dates say about the day: later incidents out, later completions open. */
function applyFields(db: Database.Database, date: Temporal.PlainDate): { undated: number } {
  const day = date.toString();
  const writer = new IncidentWriter(db);
  for (const id of db.prepare('SELECT id FROM incidents WHERE started_local_date > ? ORDER BY id').pluck().all(day) as string[])
    writer.delete(id);
  writer.prune();
  db.prepare(`UPDATE remediations SET status = 'open'
    WHERE status IN ('done', 'wont-do') AND completed IS NOT NULL AND completed > ?`).run(day);
  db.prepare(`UPDATE remediations SET status = 'open'
    WHERE status = 'done' AND completed IS NULL AND EXISTS (
      SELECT 1 FROM remediation_completion c
       WHERE c.incident_id = remediations.incident_id AND c.remediation_id = remediations.remediation_id AND c.completed > ?)`).run(day);
  const undated = db.prepare(`SELECT count(*) FROM remediation_completion WHERE completed IS NULL`).pluck().get() as number;
  return { undated };
}

/** The knowledge base as of the end of `date` (see `AsOfView`). */
export function knowledgeBaseAsOf(kb: BuiltKnowledgeBase, root: string, date: Temporal.PlainDate): AsOfView {
  const source = kb.openDb();
  let db: Database.Database;
  try {
    db = new Database(source.serialize());
  } finally {
    source.close();
  }
  try {
    const repo = repoState(root);
    let commit: AsOfView['commit'];
    let text: TextAt = { replaced: new Map(), invalid: 0 };
    let why: string;
    if (repo.kind === 'git') {
      commit = lastCommitBefore(root, repo.head, endOfDay(date, kb.config.timezone));
      if (commit) text = applyCommitText(kb, root, repo.prefix, commit.id, db, date);
      why = commit ? '' : 'the git history starts after that day';
    } else {
      why = kb.history.note ?? repo.kind;
    }
    db.exec('BEGIN');
    const { undated } = applyFields(db, date);
    db.prepare('INSERT OR REPLACE INTO meta VALUES (?, ?)').run(META.today, date.toString());
    db.exec('COMMIT');
    db.pragma('query_only = ON');
    const day = date.toString();
    const note = commit
      ? `as of ${day}: incident text of commit ${commit.id.slice(0, 7)} (${commit.committedAt.slice(0, 10)})${text.invalid ? `; ${text.invalid} file${text.invalid === 1 ? '' : 's'} invalid at that commit left out` : ''}`
      : `as of ${day}: ${why}, so today's incident text is used with the records' own dates (incidents started later left out; remediations completed later counted as open${undated ? `; ${undated} done without a completion date counted as done` : ''})`;
    const status = new Map(
      (db.prepare('SELECT incident_id, remediation_id, status FROM remediations').raw().all() as [string, string, string][]).map(
        ([i, r, s]) => [`${i}\0${r}`, s],
      ),
    );
    const files = new Map(db.prepare('SELECT id, file FROM incidents').raw().all() as [string, string][]);
    const view: AsOfView = {
      date,
      db,
      commit,
      note,
      incidents(ids) {
        const wanted = [...files].filter(([id]) => !ids || ids.includes(id));
        const fromToday = new Map(
          kb.incidents(wanted.filter(([, file]) => !text.replaced.has(file)).map(([id]) => id)).map((i) => [i.id, i]),
        );
        return wanted
          .map(([id, file]) => text.replaced.get(file) ?? fromToday.get(id))
          .filter((i): i is Incident => i !== undefined)
          .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
          .map((i) => ({
            ...i,
            remediations: i.remediations.map((r) => ({ ...r, status: (status.get(`${i.id}\0${r.id}`) ?? r.status) as typeof r.status })),
          }));
      },
    };
    return view;
  } catch (error) {
    db.close();
    throw error;
  }
}
