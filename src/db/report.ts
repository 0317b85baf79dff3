import { compareProblems, countBySeverity, formatProblems, sortProblems, type Problem } from '../problems.js';

/**
 * The problems as printed (`formatProblems(sortProblems(all))`, UTF-8), put together file by
 * file: the problems are sorted by file first, so each file's lines are one run of the report.
 * The report keeps an index of those runs (`parts`), and the next build copies the run of every
 * file whose content, check context and extra problems are unchanged from the report it kept,
 * as bytes: after one edit of 10,000 files only the edited file's lines (and those of the files
 * that have cross-file, scan or config problems) are formatted again, and no other problem is read.
 */
export interface Report {
  /** The report's bytes, put together on first use. */
  readonly bytes: Buffer;
  errors: number;
  warnings: number;
  /** The index of the report's runs, as stored (JSON of `Index`); '' when the report has none. */
  parts: string;
  /**
   * True when the bytes are the kept report's, byte for byte (only its index may differ: a file's
   * digest): after an edit that left every file's lines as they were, the build neither puts the
   * report together, nor hashes nor writes it again.
   */
  same: boolean;
}

/**
 * The index as stored: the runs' fields as columns, run `i` being bytes [starts[i], ends[i]) of
 * the report — the files and digests each one text joined by NUL (no path holds one), the starts,
 * ends, counts and `pure` (1 when only the file's own check's problems are in the run) arrays of
 * numbers. Parsing it makes two strings and five arrays of numbers, not an array of seven values
 * per file (10,000 kept through the build), and runs are compared in place. (The starts are
 * implied by the ends; kept so that a changed start or end is seen: the runs no longer follow.)
 */
interface Index {
  context: string;
  files: string;
  digests: string;
  starts: number[];
  ends: number[];
  errors: number[];
  warnings: number[];
  pure: (0 | 1)[];
}

/** Joins the columns' texts (see `Index`). */
const SEPARATOR = '\u0000';

/** What the build kept: the report it printed (read only where needed), and its index as stored. */
export interface KeptReport {
  parts: string;
  /** The report's length in bytes. */
  size: number;
  /** Copies the report's bytes [start, end) into `target` at `at`. */
  copyTo(target: Uint8Array, at: number, start: number, end: number): void;
}

/** A kept report held in memory. */
export function keptInMemory(bytes: Uint8Array, parts: string): KeptReport {
  return { parts, size: bytes.length, copyTo: (target, at, start, end) => target.set(bytes.subarray(start, end), at) };
}

/** The whole kept report. */
export function keptBytes(kept: KeptReport): Buffer {
  const bytes = Buffer.allocUnsafe(kept.size);
  kept.copyTo(bytes, 0, 0, kept.size);
  return bytes;
}

export interface ReportInput {
  /** The incident files, sorted. */
  files: readonly string[];
  /** The digest each file's check was made for. */
  digestOf(file: string): string;
  /** The checks' context (tool, config, evaluation date: `checkContextOf`). */
  context: string;
  /** The per-file problems of the files asked for (read from the cache for the kept checks). */
  problemsOf(files: readonly string[]): ReadonlyMap<string, readonly Problem[]>;
  /** The cross-file, scan and config problems. */
  others: readonly Problem[];
  kept?: KeptReport;
}

/** A part of the report being put together: a run copied from the kept report (its bytes [start, end)), or lines made now. */
type Part = { file: string; digest: string; errors: number; warnings: number; pure: 0 | 1 } & (
  | { start: number; end: number }
  | { text: string }
);

export function reportOf(input: ReportInput): Report {
  const { files, digestOf, others } = input;
  const extra = byFile(others);
  const previous = keptRuns(input.kept, input.context);
  // in file order, a file whose lines are made again holding its place: no sort of 10,000 parts
  const parts: (Part | undefined)[] = [];
  const redo: string[] = [];
  const places: number[] = [];
  // both sorted by file: each file's run found walking the kept runs once (no map of 10,000)
  for (const file of files) {
    const digest = digestOf(file);
    const copied = previous?.copiedPart(file, digest);
    if (copied && !extra.has(file)) parts.push(copied);
    else {
      redo.push(file);
      places.push(parts.length);
      parts.push(undefined);
    }
  }
  const problems = input.problemsOf(redo);
  const loose: Problem[] = [];
  for (const [k, file] of redo.entries()) {
    const list = problems.get(file)!;
    // a problem of another file (none is made so): everything sorted together, without an index
    if (list.some((p) => p.file !== file)) return plain(allProblems(files, input.problemsOf, others));
    if (extra.has(file)) loose.push(...list);
    else parts[places[k]!] = madePart(file, digestOf(file), list, 1);
  }
  if (extra.size === 0) return joined(parts as Part[], input.context, previous && input.kept);
  // the files with cross-file, scan or config problems (their places left empty), and files that are not incidents, sorted in
  for (const list of extra.values()) loose.push(...list);
  const digests = new Set(files);
  const sorted = parts.filter((part) => part !== undefined);
  for (const [file, list] of byFile(loose)) sorted.push(madePart(file, digests.has(file) ? digestOf(file) : '', list, 0));
  sorted.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return joined(sorted, input.context, previous && input.kept);
}

function madePart(file: string, digest: string, list: readonly Problem[], pure: 0 | 1): Part {
  const { errors, warnings } = countBySeverity(list);
  return { file, digest, errors, warnings, pure, text: formatProblems(sortProblems(list)) };
}

function byFile(problems: readonly Problem[]): Map<string, Problem[]> {
  const map = new Map<string, Problem[]>();
  for (const p of problems) {
    const list = map.get(p.file);
    if (list) list.push(p);
    else map.set(p.file, [p]);
  }
  return map;
}

/** A piece of the report at `at`: lines made now (encoded), or a run of the kept report. */
type Piece = { at: number } & ({ made: Buffer } | { from: [start: number, end: number] });

/**
 * The parts as pieces (runs of made lines encoded at once, copied runs that follow each other
 * copied at once) and its index; the bytes are put together in one buffer when first asked for.
 */
function joined(parts: readonly Part[], context: string, kept: KeptReport | undefined): Report {
  const pieces: Piece[] = [];
  const columns = {
    files: [] as string[],
    digests: [] as string[],
    starts: [] as number[],
    ends: [] as number[],
    errors: [] as number[],
    warnings: [] as number[],
  };
  const pure: (0 | 1)[] = [];
  let offset = 0;
  let errors = 0;
  let warnings = 0;
  let text = '';
  let at = 0;
  // the kept bytes [copyStart, copyEnd) to copy at `at` (none while copyStart < 0)
  let copyStart = -1;
  let copyEnd = -1;
  const flush = () => {
    if (text) pieces.push({ at, made: Buffer.from(text) });
    if (copyStart >= 0) pieces.push({ at, from: [copyStart, copyEnd] });
    text = '';
    copyStart = -1;
    at = offset;
  };
  for (const part of parts) {
    let length: number;
    if ('text' in part) {
      if (copyStart >= 0) flush();
      text += part.text;
      length = Buffer.byteLength(part.text);
    } else {
      const { start, end } = part;
      if (text || (copyStart >= 0 && copyEnd !== start)) flush();
      if (copyStart < 0) copyStart = start;
      copyEnd = end;
      length = end - start;
    }
    columns.starts.push(offset);
    offset += length;
    columns.files.push(part.file);
    columns.digests.push(part.digest);
    columns.ends.push(offset);
    columns.errors.push(part.errors);
    columns.warnings.push(part.warnings);
    pure.push(part.pure);
    errors += part.errors;
    warnings += part.warnings;
  }
  flush();
  const size = offset;
  let bytes: Buffer | undefined;
  return {
    get bytes() {
      return (bytes ??= assembled(pieces, size, kept));
    },
    errors,
    warnings,
    parts: JSON.stringify({
      context,
      files: columns.files.join(SEPARATOR),
      digests: columns.digests.join(SEPARATOR),
      starts: columns.starts,
      ends: columns.ends,
      errors: columns.errors,
      warnings: columns.warnings,
      pure,
    } satisfies Index),
    same: kept !== undefined && kept.size === size && pieces.every((piece) => isKept(piece, kept)),
  };
}

/** True when `piece` is the kept report's bytes where it lies. */
function isKept(piece: Piece, kept: KeptReport): boolean {
  if ('from' in piece) return piece.from[0] === piece.at;
  const there = Buffer.allocUnsafe(piece.made.length);
  kept.copyTo(there, 0, piece.at, piece.at + piece.made.length);
  return there.equals(piece.made);
}

function assembled(pieces: readonly Piece[], size: number, kept: KeptReport | undefined): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (const piece of pieces) {
    if ('made' in piece) piece.made.copy(bytes, piece.at);
    else kept!.copyTo(bytes, piece.at, piece.from[0], piece.from[1]);
  }
  return bytes;
}

function plain(problems: readonly Problem[]): Report {
  return { bytes: Buffer.from(formatProblems(problems)), ...countBySeverity(problems), parts: '', same: false };
}

/**
 * The kept report's runs, in the report's order (by file), when it has an index of this context
 * that fits it (a damaged one, or one of an earlier shape, is not used).
 */
function keptRuns(kept: KeptReport | undefined, context: string): KeptRuns | undefined {
  let index: Index | undefined;
  try {
    index = kept?.parts ? (JSON.parse(kept.parts) as Index) : undefined;
  } catch {
    return undefined;
  }
  return index?.context === context && fits(index, kept!.size) ? new KeptRuns(index) : undefined;
}

/** True when `index` has the shape written, each file once and in order, its runs following each other to `size`. */
function fits(index: Index, size: number): boolean {
  const { files, digests, starts, ends, errors, warnings, pure } = index;
  const columns = [starts, ends, errors, warnings, pure];
  if (typeof files !== 'string' || typeof digests !== 'string' || !columns.every(Array.isArray)) return false;
  const n = ends.length;
  if (columns.some((column) => column.length !== n)) return false;
  if (n === 0) return files === '' && digests === '' && size === 0;
  if (separators(digests) !== n - 1) return false;
  const count = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  let offset = 0;
  let name = 0; // where run i's file begins in `files`
  let before = ''; // run i - 1's file
  for (let i = 0; i < n; i++) {
    const end = ends[i]!;
    if (starts[i] !== offset || !count(end) || end < offset || !count(errors[i]) || !count(warnings[i])) return false;
    if (pure[i] !== 0 && pure[i] !== 1) return false;
    offset = end;
    const last = files.indexOf(SEPARATOR, name);
    // the last run's file ends the text; each file after the one before it (none empty)
    if (last < 0 !== (i === n - 1)) return false;
    const file = files.slice(name, last < 0 ? files.length : last);
    if (file <= before) return false;
    before = file;
    name = last + 1;
  }
  return offset === size;
}

/** How many times the separator is in `text`. */
function separators(text: string): number {
  let found = 0;
  for (let at = text.indexOf(SEPARATOR); at >= 0; at = text.indexOf(SEPARATOR, at + 1)) found++;
  return found;
}

/**
 * The kept runs walked forward in file order, one run at a time (its file and digest compared
 * where they are in the index's texts: nothing is sliced or made per run).
 */
class KeptRuns {
  private i = 0;
  /** Where the current run's file begins and ends in the index's `files`, and its digest begins in `digests`. */
  private name = 0;
  private nameEnd: number;
  private digest = 0;

  constructor(private readonly index: Index) {
    this.nameEnd = this.endOfName();
  }

  /** Moves to the first run whose file is not before `file`; true when it is `file`'s. */
  private seek(file: string): boolean {
    const { files, ends } = this.index;
    for (; this.i < ends.length; this.step()) {
      // native comparisons only: a loop over characters would run as cold code in a one-shot build
      if (this.nameEnd - this.name === file.length && files.startsWith(file, this.name)) return true;
      if (files.slice(this.name, this.nameEnd) > file) return false;
    }
    return false;
  }

  /**
   * `file`'s run as a part to copy, when there is one made for `digest` (not '') from the file's
   * own problems only; else undefined. One call per file, the columns read in place: the five
   * getters this replaced were ~5 ms of a title edit at 10,000 (cold code; docs/performance.md,
   * thirteenth round: e15db).
   */
  copiedPart(file: string, digest: string): Part | undefined {
    if (!this.seek(file) || digest === '' || !this.digestIs(digest)) return undefined;
    const { errors, warnings, starts, ends, pure } = this.index;
    const i = this.i;
    if (pure[i] !== 1) return undefined;
    return { file, digest, errors: errors[i]!, warnings: warnings[i]!, pure: 1, start: starts[i]!, end: ends[i]! };
  }

  /** True when the current run was made for `digest`. */
  private digestIs(digest: string): boolean {
    const { digests } = this.index;
    const end = this.digest + digest.length;
    return digests.startsWith(digest, this.digest) && (end === digests.length || digests.charCodeAt(end) === 0);
  }

  private endOfName(): number {
    const end = this.index.files.indexOf(SEPARATOR, this.name);
    return end < 0 ? this.index.files.length : end;
  }

  private step(): void {
    this.name = this.nameEnd + 1;
    this.nameEnd = this.endOfName();
    const digestEnd = this.index.digests.indexOf(SEPARATOR, this.digest);
    this.digest = digestEnd < 0 ? this.index.digests.length : digestEnd + 1;
    this.i++;
  }
}

/** Every problem, sorted (what `check` reports): made only when asked for. */
export function allProblems(
  files: readonly string[],
  problemsOf: (files: readonly string[]) => ReadonlyMap<string, readonly Problem[]>,
  others: readonly Problem[],
): Problem[] {
  const all: Problem[] = [...others];
  for (const list of problemsOf(files).values()) all.push(...list);
  return all.sort(compareProblems);
}
