import { createHash } from 'node:crypto';
import type { Problem } from '../problems.js';
import { readYaml, type NodePosition } from './yaml.js';
import { splitSections, type Section } from './sections.js';
import { readBodyTimeline, type BodyTimelineItem, type UnreadTimelineItem } from './body-timeline.js';
import { parseIncidentMarkdown } from './remark.js';
import { bodyUnprintableProblems } from './unprintable.js';

/**
 * Everything read from one incident file, before validation. Plain data only
 * (no class instances), so it can cross worker threads and be cached by digest.
 */
export interface SourceFile {
  file: string;
  digest: string;
  /** Front-matter as plain data; undefined when it is missing or unreadable. */
  data: unknown;
  /** Position of every front-matter value (and key), by path joined with '.'. */
  positions: Record<string, NodePosition>;
  /** Position of the opening `---`. */
  frontmatterLine: number;
  sections: Section[];
  bodyTimeline: BodyTimelineItem[];
  unreadTimeline: UnreadTimelineItem[];
  /** Problems found while reading (encoding, size, YAML). */
  problems: Problem[];
}

/** Version of the `SourceFile` shape and of what a read reports: cached reads of another version are read again. */
export const SOURCE_FORMAT = 3;

export interface ReadOptions {
  /** Largest file accepted, in bytes. */
  maxBytes?: number;
}

const FRONTMATTER = /^---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/;

export function digestOf(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/** A file that could not be read or parsed: no data, only its problems. */
export function emptySource(file: string, digest: string, problems: Problem[]): SourceFile {
  return {
    file,
    digest,
    data: undefined,
    positions: {},
    frontmatterLine: 1,
    sections: [],
    bodyTimeline: [],
    unreadTimeline: [],
    problems,
  };
}

/** Reads one incident file: checks encoding and size, splits front-matter, reads YAML and body. */
export function readSource(file: string, bytes: Uint8Array, options: ReadOptions = {}): SourceFile {
  const digest = digestOf(bytes);
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const fail = (message: string, ruleId: string, line = 1, column = 1) =>
    emptySource(file, digest, [{ file, line, column, severity: 'error', ruleId, message }]);

  if (bytes.length === 0) {
    return fail('file is empty; an incident starts with YAML front-matter between "---" lines', 'frontmatter');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('file is not valid UTF-8 text (binary data?)', 'encoding');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const match = FRONTMATTER.exec(text);
  const nul = text.indexOf('\u0000');
  if (!match && nul >= 0) {
    const before = text.slice(0, nul).split('\n');
    return fail('file contains NUL bytes (binary data?)', 'encoding', before.length, before[before.length - 1]!.length + 1);
  }
  if (!match) {
    return fail('no YAML front-matter: an incident file starts with a "---" line, the fields, and a closing "---" line', 'frontmatter');
  }
  const problems: Problem[] = [];
  const yaml = readYaml(file, match[1] ?? '', 1);
  problems.push(...yaml.problems);
  if ((yaml.data === undefined || yaml.data === null) && yaml.problems.length === 0) {
    problems.push({ file, line: 1, column: 1, severity: 'error', ruleId: 'frontmatter', message: 'front-matter is empty' });
    yaml.data = undefined;
  }

  const source: SourceFile = {
    ...emptySource(file, digest, problems),
    data: yaml.data,
    positions: yaml.positions,
  };
  if (bytes.length > maxBytes) {
    const line = match[0].split('\n').length;
    problems.push({
      file,
      line,
      column: 1,
      severity: 'error',
      ruleId: 'file-size',
      message: `file is ${(bytes.length / 1024).toFixed(0)} KB; the limit is ${(maxBytes / 1024).toFixed(0)} KB (validation.max_file_kb), so its body was not read`,
    });
    return source;
  }

  const tree = parseIncidentMarkdown(text);
  const split = splitSections(tree, text);
  source.sections = split.map((s) => s.section);
  problems.push(...bodyUnprintableProblems(file, text, match[0].length, source.sections));
  const timeline = split.find((s) => s.section.key === 'timeline');
  if (timeline) {
    const { items, unread } = readBodyTimeline(timeline.nodes);
    source.bodyTimeline = items;
    source.unreadTimeline = unread;
  }
  return source;
}
