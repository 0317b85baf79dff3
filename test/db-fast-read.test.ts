import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainList, readSourceFast, tryFast } from '../src/db/fast-read.js';
import { readSource } from '../src/source/read.js';
import { listIncidentFiles } from '../src/kb/files.js';
import { generateIncident } from '../src/bench/generate.js';
import { RULES } from '../src/rules/index.js';
import { fixtureFiles } from './fixtures/db-kb.js';

const ROOT = join(import.meta.dirname, '..');
const same = (file: string, bytes: Uint8Array) => expect(readSourceFast(file, bytes)).toEqual(readSource(file, bytes));

describe('the fast reader gives exactly what readSource gives', () => {
  it('on every incident of the example knowledge base', () => {
    const files = listIncidentFiles(ROOT);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) same(file, readFileSync(join(ROOT, file)));
    // …and the fast path is the one taken for them.
    expect(files.filter((f) => !tryFast(f, readFileSync(join(ROOT, f)), {}))).toEqual([]);
  });

  it('on generated incidents', () => {
    for (let i = 0; i < 40; i++) {
      const { path, text } = generateIncident(7, i, 40);
      same(path, Buffer.from(text));
      expect(tryFast(path, Buffer.from(text), {})).toBeDefined();
    }
  });

  it('on every rule example and the database fixtures (bad input included)', () => {
    const texts = [
      ...Object.entries(fixtureFiles()),
      ...RULES.flatMap((r) => [...r.examples.ok, ...r.examples.notOk].flatMap((e) => Object.entries(e.files))),
    ].filter(([path]) => path.endsWith('.md'));
    for (const [path, content] of texts) same(path, typeof content === 'string' ? Buffer.from(content) : content);
  });

  it.each([
    ['setext heading', '---\nid: a\n---\nSummary\n-------\n\ntext\n'],
    ['heading with markup', '---\nid: a\n---\n## The *root* cause\n\ntext\n'],
    ['indented heading', '---\nid: a\n---\n  ## Summary\n\ntext\n'],
    ['html block', '---\nid: a\n---\n## Summary\n\n<div>\n## inside html\n</div>\n'],
    ['preamble', '---\nid: a\n---\nSome text first.\n\n## Summary\n\ntext\n'],
    ['crlf', '---\r\nid: a\r\n---\r\n## Summary\r\n\r\ntext\r\n'],
    ['reference link in timeline', '---\nid: a\n---\n## Timeline\n\n- 09:10 -05:00 — see [the log]\n\n[the log]: http://x\n'],
    ['unclosed fence', '---\nid: a\n---\n## Summary\n\n```\n## Timeline\n'],
    ['two timelines', '---\nid: a\n---\n## Timeline\n\n- 09:10 -05:00 — a\n\n## Timeline\n\n- 09:20 -05:00 — b\n'],
    ['closing hashes', '---\nid: a\n---\n## Summary ##\n\ntext\n'],
    ['dots front-matter end', '---\nid: a\n...\n## Summary\n\ntext\n'],
  ])('on a file with %s (read by the full reader)', (_name, text) => {
    same('incidents/a.md', Buffer.from(text));
    expect(tryFast('incidents/a.md', Buffer.from(text), {})).toBeUndefined();
  });
  it.each([
    [
      'plain entries',
      '- 2007-06-04 09:10 -04:00 — [detection] Alert fired.\n- 09:12 — Paged   on-call.\n\n- 09:20 — [action, public] Restarted lb1.dul1 (again); 50% done: ok?\n',
    ],
    ['inline code', '- 2007-06-04 09:10 -04:00 — Ran `route-regen`.\n'],
    ['emphasis', '- 2007-06-04 09:10 -04:00 — **Bold** and _under_ and snake_case.\n'],
    ['a link', '- 2007-06-04 09:10 -04:00 — See [the log](http://x.example).\n'],
    ['a reference link', '- 2007-06-04 09:10 -04:00 — See [the log].\n- 09:12 — [x] not a task\n\n    [the log]: http://x.example\n'],
    ['an image', '- 2007-06-04 09:10 -04:00 — See ![graph](g.png).\n'],
    ['an entity', '- 2007-06-04 09:10 -04:00 — A &amp; B.\n'],
    ['a hard break', '- 2007-06-04 09:10 -04:00 — first  \n  second\n'],
    ['a continuation line', '- 2007-06-04 09:10 -04:00 — first\n  second\n'],
    ['a nested list', '- 2007-06-04 09:10 -04:00 — first\n  - nested\n'],
    ['an ordered list', '1. 2007-06-04 09:10 -04:00 — first\n'],
    ['a task item', '- [ ] 2007-06-04 09:10 -04:00 — first\n'],
    ['a paragraph', 'Times are EDT.\n\n- 2007-06-04 09:10 -04:00 — first\n'],
    ['an item starting with a number marker', '- 1. 2007-06-04 09:10 — first\n'],
  ])('on a timeline with %s', (_name, list) => {
    const text = `---\nid: a\n---\n## Summary\n\nx\n\n## Timeline\n\n${list}\n## Impact\n\ny\n`;
    same('incidents/a.md', Buffer.from(text));
    expect(tryFast('incidents/a.md', Buffer.from(text), {})).toBeDefined();
  });

  it('needs no Markdown parser for plain timelines', () => {
    expect(plainList('\n- 09:10 — a\n\n- 09:12 — b\n', 10)).toHaveLength(1);
    expect(plainList('- 09:10 — `a`\n', 10)).toBeUndefined();
    const { text } = generateIncident(7, 3, 40);
    const timeline = text.slice(text.indexOf('## Timeline') + 12, text.indexOf('## Impact'));
    expect(plainList(timeline, 1)).toBeDefined();
  });

  it('on timeline entries with whitespace of every kind (runs, tabs, no-break and ideographic spaces, at the end)', () => {
    const spaces = [' ', '  ', '\t', ' \t ', '\u00a0', '\u3000', '\u2003 ', '\u200a'];
    const entries = spaces.flatMap((w, n) => [
      `- 09:1${n} -05:00 —${w}event${w}with${w}spaces`,
      `- 09:2${n} -05:00 — [mitigation,${w}public]${w}tagged${w}`,
      `- 09:3${n}${w}—${w}no offset${w}here${w}\t`,
      `- ${w}not${w}a time${w}`,
    ]);
    const text = `---\nid: a\nstarted: 2026-01-01T09:00:00-05:00\n---\n## Summary\n\nx\n\n## Timeline\n\n${entries.join('\n')}\n`;
    same('incidents/a.md', Buffer.from(text));
    const read = readSource('incidents/a.md', Buffer.from(text));
    // each entry's text with its whitespace runs made one space, trimmed
    const events = read.bodyTimeline.map((e) => e.event);
    expect(events).toContain('event with spaces');
    expect(events).toContain('tagged');
    expect(read.unreadTimeline.map((e) => e.text)).toContain('not a time');
    for (const e of [...events, ...read.unreadTimeline.map((u) => u.text)]) expect(e).toBe(e.replace(/\s+/g, ' ').trim());
  });

  it('on a file with a heading-like line in a code fence (fast path)', () => {
    const text = '---\nid: a\n---\n## Summary\n\n```\n## not a heading\n```\n\n## Timeline\n\n- 09:10 -05:00 — x\n';
    same('incidents/a.md', Buffer.from(text));
    expect(tryFast('incidents/a.md', Buffer.from(text), {})?.bodyTimeline).toHaveLength(1);
  });
  it('on a file with a tilde fence holding a heading-like line (fast path)', () => {
    const text = '---\nid: a\n---\n## Summary\n\n~~~~\n## no\n~~~\n## still no\n~~~~\n\n## Impact\n\nx\n';
    same('incidents/a.md', Buffer.from(text));
    expect(tryFast('incidents/a.md', Buffer.from(text), {})?.sections.map((s) => s.key)).toEqual(['summary', 'impact']);
  });
});
