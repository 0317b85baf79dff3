import type { Heading, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';

/** The level-2 sections the spec recognises (case-insensitive), by canonical key. */
export const RECOGNISED_SECTIONS = {
  summary: 'Summary',
  impact: 'Impact',
  timeline: 'Timeline',
  'root-cause': 'Root cause',
  resolution: 'Resolution',
  remediations: 'Remediations',
  'lessons-learned': 'Lessons learned',
  'customer-summary': 'Customer summary',
  'internal-notes': 'Internal notes',
} as const;

export type SectionKey = keyof typeof RECOGNISED_SECTIONS;

export interface Section {
  /** Heading text as written. */
  title: string;
  /** Canonical key for recognised sections, otherwise a slug of the title. */
  key: string;
  recognised: boolean;
  /** Only the Customer summary is customer-facing. */
  audience: 'customer' | 'internal';
  /** Markdown source of the section body (heading excluded), trimmed. */
  markdown: string;
  line: number;
  column: number;
  /** Where `markdown` starts in the file (the heading's position when it is empty). */
  bodyLine: number;
  bodyColumn: number;
}

export function slugify(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'section'
  );
}

export function recognisedKey(title: string): SectionKey | undefined {
  const wanted = title.trim().toLowerCase().replace(/\s+/g, ' ');
  for (const [key, name] of Object.entries(RECOGNISED_SECTIONS)) {
    if (name.toLowerCase() === wanted) return key as SectionKey;
  }
  return undefined;
}

export interface SectionNodes {
  section: Section;
  nodes: RootContent[];
}

/** Splits the body into level-2 sections, in source order. Content before the first one is kept as "preamble". */
export function splitSections(tree: Root, text: string): SectionNodes[] {
  const result: SectionNodes[] = [];
  let current: SectionNodes | undefined;
  let preamble: RootContent[] = [];
  const close = (endOffset: number) => {
    if (!current) return;
    const first = current.nodes[0];
    const start = first?.position?.start.offset;
    current.section.markdown = start === undefined ? '' : text.slice(start, endOffset).trim();
    if (current.section.markdown) {
      current.section.bodyLine = first!.position!.start.line;
      current.section.bodyColumn = first!.position!.start.column;
    }
    result.push(current);
  };
  for (const node of tree.children) {
    if (node.type === 'yaml') continue;
    if (node.type === 'heading' && (node as Heading).depth === 2) {
      close(node.position?.start.offset ?? text.length);
      const title = toString(node).trim();
      const key = recognisedKey(title);
      current = {
        section: {
          title,
          key: key ?? slugify(title),
          recognised: key !== undefined,
          audience: key === 'customer-summary' ? 'customer' : 'internal',
          markdown: '',
          line: node.position?.start.line ?? 1,
          column: node.position?.start.column ?? 1,
          bodyLine: node.position?.start.line ?? 1,
          bodyColumn: node.position?.start.column ?? 1,
        },
        nodes: [],
      };
    } else if (current) {
      current.nodes.push(node);
    } else {
      preamble.push(node);
    }
  }
  close(text.length);
  if (preamble.length > 0) {
    const first = preamble[0]!;
    const last = preamble[preamble.length - 1]!;
    const markdown = text.slice(first.position?.start.offset ?? 0, last.position?.end.offset ?? 0).trim();
    if (markdown) {
      result.unshift({
        section: {
          title: '',
          key: 'preamble',
          recognised: false,
          audience: 'internal',
          markdown,
          line: first.position?.start.line ?? 1,
          column: first.position?.start.column ?? 1,
          bodyLine: first.position?.start.line ?? 1,
          bodyColumn: first.position?.start.column ?? 1,
        },
        nodes: preamble,
      });
    }
    preamble = [];
  }
  return result;
}
