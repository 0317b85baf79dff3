import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { Config } from '../schema/config.js';
import { scanIncidentFiles, idsOfFiles } from '../kb/files.js';
import { readSourceFile } from '../kb/load.js';
import { locate } from '../source/locate.js';
import type { Problem } from '../problems.js';
import type { SourceFile } from '../source/read.js';
import { onFile } from '../output/file-error.js';

/** Where the import keeps what it last imported of each record, so that hand edits can be told from source changes. */
export const STATE_FILE = '.postmortem/imports.json';

/** What was last imported of one record: its file and each front-matter field (and `body`) as imported. */
export interface ImportedRecord {
  file: string;
  fields: Record<string, unknown>;
}

export interface ImportState {
  version: 1;
  /** By `<kind>:<source id>`. */
  records: Record<string, ImportedRecord>;
}

export function readState(root: string): ImportState {
  const path = join(root, STATE_FILE);
  if (!existsSync(path)) return { version: 1, records: {} };
  const text = onFile(path, 'read', () => readFileSync(path, 'utf8'));
  try {
    const state = JSON.parse(text) as ImportState;
    if (state.version === 1 && state.records && typeof state.records === 'object') return state;
  } catch {
    /* reported below */
  }
  throw new Error(`${STATE_FILE} is not a state file this version writes`);
}

/** The state as written: keys sorted, so the same imports give the same bytes. */
export function stateText(state: ImportState): string {
  const records = Object.fromEntries(
    Object.keys(state.records)
      .sort()
      .map((k) => [k, state.records[k]!]),
  );
  return `${JSON.stringify({ version: 1, records }, null, 2)}\n`;
}

/** A record already in the knowledge base: what re-import and the duplicate check need of it. */
export interface ExistingRecord {
  file: string;
  source: SourceFile;
  data: Record<string, unknown>;
  body: string;
  sourceKey?: string;
  duplicateKey: string;
}

/** The knowledge base's records, by source key, and every id in use. */
export function existingRecords(
  root: string,
  config: Config,
): { bySource: Map<string, ExistingRecord>; byDuplicate: Map<string, ExistingRecord>; ids: Set<string> } {
  const { files } = scanIncidentFiles(root);
  const bySource = new Map<string, ExistingRecord>();
  const byDuplicate = new Map<string, ExistingRecord>();
  for (const file of files) {
    const source = readSourceFile(root, file, config);
    const data = source.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) continue;
    const d = data as Record<string, unknown>;
    const src = d.source as { kind?: unknown; id?: unknown } | undefined;
    const sourceKey = src && typeof src.kind === 'string' && typeof src.id === 'string' ? `${src.kind}:${src.id}` : undefined;
    const company = (d.extra as Record<string, unknown> | undefined)?.company;
    const record: ExistingRecord = {
      file,
      source,
      data: d,
      body: bodyOf(readFileSync(join(root, file), 'utf8')),
      ...(sourceKey ? { sourceKey } : {}),
      duplicateKey: duplicateKey(
        typeof company === 'string' ? company : undefined,
        typeof d.title === 'string' ? d.title : undefined,
        typeof d.started === 'string' ? d.started.slice(0, 10) : undefined,
      ),
    };
    if (sourceKey) bySource.set(sourceKey, record);
    if (!byDuplicate.has(record.duplicateKey)) byDuplicate.set(record.duplicateKey, record);
  }
  return { bySource, byDuplicate, ids: idsOfFiles(files) };
}

/** Records are duplicates when company, title (case and spacing aside) and start day are the same. */
export function duplicateKey(company: string | undefined, title: string | undefined, day: string | undefined): string {
  const norm = (t: string | undefined) => (t ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  return JSON.stringify([norm(company), norm(title), day ?? 'no day']);
}

const FRONTMATTER = /^---[ \t]*\r?\n(?:[\s\S]*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

function bodyOf(text: string): string {
  const m = FRONTMATTER.exec(text);
  return (m ? text.slice(m[0].length) : text).trim();
}

/** The outcome of importing a record over its file: the fields to update and the conflicts (hand edits the source changed too). */
export interface Merge {
  updates: Record<string, unknown>;
  conflicts: Problem[];
}

/**
 * Three-way: a field whose file value still equals what was last imported takes the new value;
 * one edited by hand keeps the hand edit, and when the source changed it too that is a conflict.
 * Without a state entry every differing field counts as edited by hand.
 */
export function mergeFields(existing: ExistingRecord, previous: ImportedRecord | undefined, next: Record<string, unknown>): Merge {
  const current: Record<string, unknown> = { ...existing.data, body: existing.body };
  const updates: Record<string, unknown> = {};
  const conflicts: Problem[] = [];
  const fields = [...new Set([...Object.keys(next), ...Object.keys(previous?.fields ?? {})])];
  for (const field of fields) {
    const [c, n, p] = [current[field], next[field], previous?.fields[field]];
    if (isDeepStrictEqual(c, n)) continue;
    const untouched = previous !== undefined && isDeepStrictEqual(c, p);
    if (untouched) updates[field] = n;
    else if (previous !== undefined && isDeepStrictEqual(n, p)) continue;
    else {
      const at =
        field === 'body'
          ? { line: existing.source.frontmatterLine, column: 1 }
          : locate(existing.source.positions, [field], { rootLine: existing.source.frontmatterLine });
      conflicts.push({
        file: existing.file,
        ...at,
        severity: 'warning',
        ruleId: 'import-conflict',
        message: `\`${field}\` was edited by hand and the source changed it too (now ${JSON.stringify(n) ?? 'absent'}); the hand edit is kept`,
      });
    }
  }
  return { updates, conflicts };
}

/** The file with its fields updated in place (comments and the order of other fields kept). */
export function updatedText(text: string, updates: Record<string, unknown>): string {
  const m = FRONTMATTER.exec(text)!;
  const doc = parseDocument(text.slice(4, m[0].lastIndexOf('---')), { schema: 'core' });
  for (const [field, value] of Object.entries(updates)) {
    if (field === 'body') continue;
    if (value === undefined) doc.delete(field);
    else doc.set(field, value);
  }
  const body = 'body' in updates ? (updates.body ? `\n${String(updates.body).trimEnd()}\n` : '') : text.slice(m[0].length);
  return `---\n${doc.toString({ lineWidth: 0 })}---\n${body}`;
}
