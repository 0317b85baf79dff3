import type { List, ListItem, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';

/**
 * A timeline entry written as a list item in the `## Timeline` section:
 * `- 2007-06-04 09:10 -04:00 — Load balancer 1 saturated` or `- 09:10 — [mitigation, public] ...`.
 * Date and offset may be missing here; the typed step fills them from the previous entry.
 */
export interface BodyTimelineItem {
  date?: string;
  time: string;
  offset?: string;
  event: string;
  kind?: string;
  public: boolean;
  line: number;
  column: number;
}

export interface UnreadTimelineItem {
  text: string;
  line: number;
  column: number;
}

const ENTRY = new RegExp(
  '^(?:(\\d{4}-\\d{2}-\\d{2})[ T])?' + // date
    '(\\d{1,2}:\\d{2}(?::\\d{2})?)' + // time
    '(?:\\s*(Z|[+-]\\d{2}:?\\d{2}|UTC))?' + // offset
    '\\s*(?:—|–|-{1,2}|:)\\s*' + // separator
    '([\\s\\S]+)$',
);
const TAGS = /^\[([a-z, -]+)\]\s*/i;

export function readBodyTimeline(nodes: readonly RootContent[]): {
  items: BodyTimelineItem[];
  unread: UnreadTimelineItem[];
} {
  const items: BodyTimelineItem[] = [];
  const unread: UnreadTimelineItem[] = [];
  for (const node of nodes) {
    if (node.type !== 'list') continue;
    for (const item of (node as List).children as ListItem[]) {
      const line = item.position?.start.line ?? 1;
      const column = item.position?.start.column ?? 1;
      const first = item.children[0];
      const text = (first ? toString(first) : '').replace(/\s+/g, ' ').trim();
      const m = ENTRY.exec(text);
      if (!m) {
        unread.push({ text, line, column });
        continue;
      }
      let event = m[4]!.trim();
      let kind: string | undefined;
      let isPublic = false;
      const tags = TAGS.exec(event);
      if (tags) {
        for (const tag of tags[1]!.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean)) {
          if (tag === 'public') isPublic = true;
          else kind = tag;
        }
        event = event.slice(tags[0].length).trim();
      }
      items.push({
        date: m[1],
        time: m[2]!.length === 4 ? `0${m[2]}` : m[2]!,
        offset: m[3] === 'UTC' ? 'Z' : m[3],
        event,
        kind,
        public: isPublic,
        line,
        column,
      });
    }
  }
  return { items, unread };
}
