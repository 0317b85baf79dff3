import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BuiltKnowledgeBase } from '../db/knowledge-base.js';
import { TOOL_VERSION } from '../db/database-file.js';
import { writeFileAtomic } from '../output/write-file.js';
import { DEFAULT_TEMPLATES } from '../paths.js';

/**
 * Never redo finished work: each letter and packet that `postmortem build` writes has a *key*, a
 * digest of everything that goes into it — its `documents:` entry, the config, the evaluation
 * date, the tool version, its kind's templates (the knowledge base's own and the defaults), the
 * incident records it reads (file and content digest), and what else it names (a notes file, the
 * git stamp, whether Chromium is there to print). When a document's key is the one its files were
 * written under, and those files still hold the bytes written then, nothing is rendered or printed.
 */
export type DocumentKind = 'letter' | 'packet';

export interface DocumentInputs {
  kind: DocumentKind;
  /** The document's entry of `documents:` in the config. */
  spec: unknown;
  /** `[file, content digest]` of every incident record the document reads. */
  records: readonly (readonly [file: string, digest: string])[];
  /** Other files it reads (relative to the knowledge base's root); a missing file counts as empty. */
  files?: readonly string[];
  /** Anything else its output depends on. */
  facts?: readonly string[];
}

const digest = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 32);

/** Every file under a folder, by path relative to it, sorted; none when it does not exist. */
function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

/** Names and bytes of the templates of a kind: the defaults and the knowledge base's own. */
function templatesDigest(root: string, kind: DocumentKind): string {
  const parts: string[] = [];
  [join(DEFAULT_TEMPLATES, kind), join(root, 'templates', kind)].forEach((base, n) => {
    for (const name of filesUnder(base)) parts.push(String(n), name, digest(readFileSync(join(base, name))));
  });
  return digest(parts.join('\u0000'));
}

function fileDigest(path: string): string {
  try {
    return digest(readFileSync(path));
  } catch {
    return '';
  }
}

/**
 * The keys of one kind's documents in one build: the templates are read and hashed once, not once
 * per document.
 */
export function documentKeys(
  root: string,
  kb: Pick<BuiltKnowledgeBase, 'config' | 'today'>,
  kind: DocumentKind,
): (inputs: Omit<DocumentInputs, 'kind'>) => string {
  const shared = [TOOL_VERSION, kind, JSON.stringify(kb.config), kb.today.toString(), templatesDigest(root, kind)];
  return (inputs) =>
    digest(
      [
        shared[0],
        shared[1],
        JSON.stringify(inputs.spec),
        ...shared.slice(2),
        ...inputs.records.map(([file, d]) => `${file}\u0001${d}`),
        ...(inputs.files ?? []).map((f) => `${f}\u0001${fileDigest(join(root, f))}`),
        ...(inputs.facts ?? []),
      ].join('\u0000'),
    );
}

/**
 * The `[file, digest]` of the valid incidents, read from the database once: by file, those with
 * the ids asked for (all when omitted).
 */
export function incidentRecords(kb: Pick<BuiltKnowledgeBase, 'openDb'>): (ids?: readonly string[]) => [string, string][] {
  const db = kb.openDb();
  let rows: [string, string, string][];
  try {
    rows = db.prepare('SELECT incident_id, file, digest FROM files WHERE incident_id IS NOT NULL ORDER BY file').raw().all() as [
      string,
      string,
      string,
    ][];
  } finally {
    db.close();
  }
  return (ids) => {
    const wanted = ids && new Set(ids.map((id) => id.trim()));
    return rows.filter(([id]) => !wanted || wanted.has(id)).map(([, file, d]) => [file, d]);
  };
}

/**
 * One file a finished document left: its path (relative to the output folder), its digest, and
 * its size and modification time when it was last hashed (a time of 0: hash it again next time).
 */
type FileEntry = [path: string, digest: string, size?: number, mtimeMs?: number];

/** What a finished document left: its files, and its notes. */
interface Finished {
  files: FileEntry[];
  notes: string[];
}

/** Format 1 kept digests only; its entries are hashed once and kept with their size and time. */
const STATE_FORMATS = ['finished-documents-1', 'finished-documents-2'];
const STATE_FORMAT = STATE_FORMATS[1]!;

/**
 * The entry of a file as it is now, or undefined when it no longer holds the bytes written: the
 * same size and time as when it was hashed mean the same bytes (as git assumes), otherwise it is
 * hashed. A time within 2 s of now is kept as 0, since a file can change again within one tick.
 */
function currentEntry(out: string, [path, digest, size, mtimeMs]: FileEntry): FileEntry | undefined {
  let st: { size: number; mtimeMs: number };
  try {
    st = statSync(join(out, path));
  } catch {
    return undefined;
  }
  if (mtimeMs && st.size === size && st.mtimeMs === mtimeMs) return [path, digest, size, mtimeMs];
  return fileDigest(join(out, path)) === digest ? stamped(path, digest, st) : undefined;
}

const stamped = (path: string, digest: string, st: { size: number; mtimeMs: number }): FileEntry => [
  path,
  digest,
  st.size,
  st.mtimeMs > Date.now() - 2000 ? 0 : st.mtimeMs,
];

/**
 * The documents of one kind finished by the previous build, by key, kept in
 * `<out>/<folder>/.finished.json`. Only the keys used by this build are kept when it is saved.
 */
export class FinishedDocuments {
  private readonly path: string;
  private readonly previous: Record<string, Finished>;
  private readonly next: Record<string, Finished> = {};

  constructor(
    private readonly out: string,
    folder: string,
  ) {
    this.path = join(out, folder, '.finished.json');
    let previous: Record<string, Finished> = {};
    try {
      const state = JSON.parse(readFileSync(this.path, 'utf8')) as { format?: string; documents?: Record<string, Finished> };
      if (STATE_FORMATS.includes(state.format ?? '') && state.documents) previous = state.documents;
    } catch {
      // missing or damaged: every document is rendered
    }
    this.previous = previous;
  }

  /**
   * Whether the document finished under this key is still there (each of its files holds the
   * bytes written then: `currentEntry`); if so its files count as unchanged and its notes are said again.
   */
  reuse(key: string, result: { unchanged: number; notes: string[] }): boolean {
    const done = this.previous[key];
    if (!done) return false;
    const files: FileEntry[] = [];
    for (const entry of done.files) {
      const current = currentEntry(this.out, entry);
      if (!current) return false;
      files.push(current);
    }
    this.next[key] = { files, notes: done.notes };
    result.unchanged += done.files.length;
    result.notes.push(...done.notes);
    return true;
  }

  /** Records a document just written under its key: its files as they are now, and its notes. */
  record(key: string, paths: readonly string[], notes: readonly string[]): void {
    this.next[key] = {
      files: paths.map((p) => stamped(p, fileDigest(join(this.out, p)), statSync(join(this.out, p)))),
      notes: [...notes],
    };
  }

  save(): void {
    const documents = Object.fromEntries(
      Object.keys(this.next)
        .sort()
        .map((k) => [k, this.next[k]!]),
    );
    if (Object.keys(documents).length === 0 && Object.keys(this.previous).length === 0) return;
    writeFileAtomic(this.path, `${JSON.stringify({ format: STATE_FORMAT, documents }, null, 1)}\n`);
  }
}
