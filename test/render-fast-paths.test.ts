import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Element, Nodes, Properties } from 'hast';
import { toHtml } from 'hast-util-to-html';
import type { StateInline } from 'markdown-it';
import { afterEach, describe, expect, it } from 'vitest';
import { escapeXml } from '../src/charts/svg.js';
import { writePartsAtomic } from '../src/output/write-file.js';
import { textRule } from '../src/render/gfm-autolink-literal.js';
import { ATTRIBUTES, hastToHtml } from '../src/render/hast-html.js';
import { freshFolders } from '../src/site/page.js';

/**
 * The shortcuts of the cold build's page rendering (cold13render), each against what it stands
 * in for: `hastToHtml` against hast-util-to-html, the text rule's stops against the rule as it
 * was, `escapeXml`'s test against its replacements, and the page write that does not read a
 * file in a folder the build made. (test/markdown-parity.test.ts holds the Markdown's bytes.)
 */

const el = (tagName: string, properties: Properties = {}, children: Element['children'] = []): Element => ({
  type: 'element',
  tagName,
  properties,
  children,
});

/** Every BMP code unit, lone surrogates included. */
const ALL_UNITS = Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).join('');

describe('hastToHtml writes what hast-util-to-html writes', () => {
  const values: Properties[string][] = [
    'plain',
    '',
    'a"b&c\'d`e<f>g\u0000h',
    ALL_UNITS,
    true,
    false,
    0,
    3,
    -1.5,
    Number.NaN,
    ['a', 'b'],
    [],
    ['', 'x ', ''],
    null,
    undefined,
  ];

  it('for every attribute of its table, with values of every kind', () => {
    for (const key of Object.keys(ATTRIBUTES)) {
      for (const value of values) {
        const tree = el('a', { [key]: value }, [{ type: 'text', value: 'x' }]);
        expect(hastToHtml(tree), `${key}: ${JSON.stringify(value)}`).toBe(toHtml(tree));
      }
    }
    // the attribute names of the table are property-information's
    const named = el('span', Object.fromEntries(Object.keys(ATTRIBUTES).map((key) => [key, 'v'])));
    expect(hastToHtml(named)).toBe(toHtml(named));
  });

  it('for boolean attributes given their own name or an empty string', () => {
    for (const value of ['checked', 'disabled', '', 'other']) {
      const tree = el('input', { type: 'checkbox', checked: value, disabled: value });
      expect(hastToHtml(tree)).toBe(toHtml(tree));
    }
  });

  it('for text with every code unit, void elements with and without content, and nesting', () => {
    const trees: Nodes[] = [
      { type: 'text', value: ALL_UNITS },
      el('p', {}, [{ type: 'text', value: ALL_UNITS }]),
      el('br'),
      el('img', { src: 'data:x', alt: 'a<b' }),
      el('hr', {}, [{ type: 'text', value: 'inside' }]),
      el('input', {}, [{ type: 'text', value: '' }]),
      {
        type: 'root',
        children: [
          el('ul', {}, [
            { type: 'text', value: '\n' },
            el('li', { className: ['task-list-item'] }, [el('input', { type: 'checkbox', checked: true, disabled: true })]),
          ]),
        ],
      },
      { type: 'root', children: [] },
    ];
    for (const tree of trees) expect(hastToHtml(tree)).toBe(toHtml(tree));
  });

  it('for anything else, by handing the tree to hast-util-to-html', () => {
    const trees: Nodes[] = [
      el('p', { dataOther: 'x', onClick: 'y' }, [{ type: 'text', value: 'a' }]),
      el('td', { headers: ['a', 'b'] }),
      el('div', {}, [el('svg', { viewBox: '0 0 1 1' }, [el('title', {}, [{ type: 'text', value: '<&' }]), el('path', { d: 'M0' })])]),
      el('div', {}, [el('script', {}, [{ type: 'text', value: 'a < b && c' }]), el('style', {}, [{ type: 'text', value: 'a>b' }])]),
      { type: 'root', children: [{ type: 'comment', value: 'c' }, { type: 'doctype' }, el('p')] },
      el('template', {}, []),
    ];
    for (const tree of trees) expect(hastToHtml(tree)).toBe(toHtml(tree));
  });
});

/** The text rule's loop as it was before the `@` it needs was looked for once (d76d1c6). */
function stopsBefore(src: string, from: number, max: number): number {
  const alpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  const atext = (c: number) => c === 43 || c === 45 || c === 46 || c === 95 || alpha(c) || (c >= 48 && c <= 57);
  const terminator = (c: number) => '\n!#$%&*+-:<=>@[\\]^_`{}~'.includes(String.fromCharCode(c));
  const www = (c: number) => Number.isNaN(c) || [40, 42, 95, 91, 93, 126, 32, 9, 10, 13].includes(c);
  if (terminator(src.charCodeAt(from))) return from;
  let previous = src.charCodeAt(from);
  let pos = from + 1;
  while (pos < max) {
    const c = src.charCodeAt(pos);
    if (terminator(c)) break;
    if (!alpha(previous)) {
      if (((c === 72 || c === 104) && !alpha(previous)) || ((c === 87 || c === 119) && www(previous))) break;
      if (atext(c) && !(previous === 47 || atext(previous))) {
        let q = pos + 1;
        while (q < max && atext(src.charCodeAt(q))) q++;
        if (src.charCodeAt(q) === 64) break;
      }
    }
    previous = c;
    pos++;
  }
  return pos;
}

describe("the text rule (markdown-it's `text` with GFM's literal starts)", () => {
  it('stops where it stopped before, with and without `@` in the text, over texts of many kinds', () => {
    const pieces = ['a', 'b1', '9', '_', '.', '+', '/', '@', ' ', 'w', 'h', 'W', 'x@y', '(', '~', 'é', '-', '\n', 'ab', 'www'];
    let seed = 5;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 5000; k++) {
      let src = '';
      for (let n = 3 + next(25); n > 0; n--) src += pieces[next(pieces.length)];
      const max = src.length - next(3);
      // the rule's stops along the text, one parse state moved on as markdown-it's inline
      // tokenizer moves it, and sometimes back (as after a link label scanned ahead)
      const state = { src, pos: 0, posMax: max, pending: '' } as unknown as StateInline;
      for (let back = 12; state.pos < max; ) {
        const from = state.pos;
        const moved = textRule(state, false);
        expect(moved ? state.pos : from, `${JSON.stringify(src)} from ${from}`).toBe(stopsBefore(src, from, max));
        if (back > 0 && next(3) === 0) {
          back--;
          state.pos = next(from + 1);
        } else {
          state.pos = Math.max(from + 1, state.pos);
        }
      }
    }
  });
});

describe('escapeXml', () => {
  it('escapes the five characters and drops those XML 1.0 does not allow, for every code unit', () => {
    const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
    const dropped = (c: number) => c <= 8 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f) || c === 0xfffe || c === 0xffff;
    for (let c = 0; c < 0x10000; c++) {
      const character = String.fromCharCode(c);
      const want = `a${entities[character] ?? (dropped(c) ? '' : character)}b`;
      if (escapeXml(`a${character}b`) !== want) expect(escapeXml(`a${character}b`), `U+${c.toString(16)}`).toBe(want);
    }
    expect(escapeXml('plain label: 5 min')).toBe('plain label: 5 min');
  });
});

describe('a page written in a folder the build made', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is not read first; a folder that was there already is, and its unchanged files are left alone', () => {
    dir = mkdtempSync(join(tmpdir(), 'fresh-'));
    writeFileSync(join(dir, 'old.html'), 'same');
    // only the folders made now are fresh
    const fresh = new Set(freshFolders(dir, ['new/a.html', 'new/b.html', 'old.html', 'deep/er/c.html']));
    expect([...fresh].sort()).toEqual([join(dir, 'deep/er'), join(dir, 'new')]);
    const folders = new Set(fresh);
    expect(writePartsAtomic(join(dir, 'new/a.html'), [Buffer.from('page')], { folders, fresh })).toBe(true);
    expect(readFileSync(join(dir, 'new/a.html'), 'utf8')).toBe('page');
    // not read: the same bytes are written again (a file another program put there is replaced)
    expect(writePartsAtomic(join(dir, 'new/a.html'), [Buffer.from('page')], { folders, fresh })).toBe(true);
    expect(writePartsAtomic(join(dir, 'new/a.html'), [Buffer.from('page')], { folders })).toBe(false);
    // in a folder that was there already, a file with the same bytes is not written
    expect(writePartsAtomic(join(dir, 'old.html'), [Buffer.from('same')], { folders, fresh })).toBe(false);
    expect(writePartsAtomic(join(dir, 'old.html'), [Buffer.from('other')], { folders, fresh })).toBe(true);
    expect(readFileSync(join(dir, 'old.html'), 'utf8')).toBe('other');
    // a second call makes nothing: nothing is fresh
    expect(freshFolders(dir, ['new/a.html', 'old.html'])).toEqual([]);
  });
});
