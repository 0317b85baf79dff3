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

/** One run: the file, the digest its check was made for ('' for none), bytes [start, end), its counts, and 1 when only its check's problems are in it. */
type Run = [file: string, digest: string, start: number, end: number, errors: number, warnings: number, pure: 0 | 1];

interface Index {
  context: string;
  runs: Run[];
}

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

/** A part of the report being put together: a run copied from the kept report (`from`: that run), or lines made now. */
type Part = { file: string; digest: string; errors: number; warnings: number; pure: 0 | 1 } & ({ from: Run } | { text: string });

export function reportOf(input: ReportInput): Report {
  const { files, digestOf, others } = input;
  const extra = byFile(others);
  const previous = keptRuns(input.kept, input.context);
  // in file order, a file whose lines are made again holding its place: no sort of 10,000 parts
  const parts: (Part | undefined)[] = [];
  const redo: string[] = [];
  const places: number[] = [];
  // both sorted by file: each file's run found walking the kept runs once (no map of 10,000)
  let next = 0;
  for (const file of files) {
    const digest = digestOf(file);
    while (previous && next < previous.length && previous[next]![0] < file) next++;
    const run = previous?.[next]?.[0] === file ? previous[next] : undefined;
    if (run && run[1] === digest && digest !== '' && run[6] === 1 && !extra.has(file))
      parts.push({ file, digest, errors: run[4], warnings: run[5], pure: 1, from: run });
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
  const runs: Run[] = [];
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
      const [, , start, end] = part.from;
      if (text || (copyStart >= 0 && copyEnd !== start)) flush();
      if (copyStart < 0) copyStart = start;
      copyEnd = end;
      length = end - start;
    }
    // a kept run where it was is the same entry of the index (the 10,000 of an edit's report not made again)
    const kept = 'from' in part && part.from[2] === offset ? part.from : undefined;
    runs.push(kept ?? [part.file, part.digest, offset, offset + length, part.errors, part.warnings, part.pure]);
    offset += length;
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
    parts: JSON.stringify({ context, runs } satisfies Index),
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
 * that fits it (a damaged one is not used).
 */
function keptRuns(kept: KeptReport | undefined, context: string): readonly Run[] | undefined {
  if (!kept?.parts) return undefined;
  let index: Index;
  try {
    index = JSON.parse(kept.parts) as Index;
  } catch {
    return undefined;
  }
  if (index?.context !== context || !Array.isArray(index.runs)) return undefined;
  let offset = 0;
  for (const [i, run] of index.runs.entries()) {
    // each file once, in order: a report's runs follow the sorted problems
    if (!isRun(run) || run[2] !== offset || (i > 0 && run[0] <= (index.runs[i - 1] as Run)[0])) return undefined;
    offset = run[3];
  }
  return offset === kept.size ? (index.runs as Run[]) : undefined;
}

function isRun(run: unknown): run is Run {
  if (!Array.isArray(run) || run.length !== 7) return false;
  const [file, digest, start, end, errors, warnings, pure] = run as unknown[];
  const count = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  return (
    typeof file === 'string' &&
    typeof digest === 'string' &&
    count(start) &&
    count(end) &&
    (end as number) >= (start as number) &&
    count(errors) &&
    count(warnings) &&
    (pure === 0 || pure === 1)
  );
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
