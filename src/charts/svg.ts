/**
 * Small SVG building blocks shared by the charts: escaping, fixed number formatting,
 * greyscale fills (grey levels and patterns) and the chart frame (title, axes, units).
 * Everything here is deterministic: same input, same string.
 */

/** Escapes text for SVG/XML text nodes and attribute values. */
export function escapeXml(text: string): string {
  // most labels need nothing: one test instead of six replacements (an incident page's phase
  // bar escaped ~20 labels: 70 of its 210 ms per 500 pages; docs/performance.md, "cold13render")
  // eslint-disable-next-line no-control-regex
  if (!/[&<>"'\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.test(text)) return text;
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
      // characters XML 1.0 does not allow at all
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
  );
}

/** A coordinate with at most two decimals and no trailing zeros ("12.5", "3", "-0.25"). */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** A value label: integers as integers, other numbers with one decimal. */
export function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * Greyscale fills, darkest first. Each one differs from its neighbours by grey level and
 * by pattern, so series stay apart in print, photocopies and for colour-blind readers.
 */
export interface Fill {
  /** Colour for the swatch and the pattern background. */
  base: string;
  /** Pattern drawn over the base, or none. */
  pattern?: 'diagonal' | 'dots' | 'cross' | 'horizontal';
  /** Text colour readable on the fill. */
  ink: string;
}

export const GREY_FILLS: readonly Fill[] = [
  { base: '#1a1a1a', ink: '#ffffff' },
  { base: '#6b6b6b', pattern: 'diagonal', ink: '#ffffff' },
  { base: '#b0b0b0', pattern: 'dots', ink: '#000000' },
  { base: '#e6e6e6', pattern: 'cross', ink: '#000000' },
  { base: '#8c8c8c', pattern: 'horizontal', ink: '#000000' },
  { base: '#ffffff', pattern: 'diagonal', ink: '#000000' },
];

export function fillFor(index: number): Fill {
  return GREY_FILLS[index % GREY_FILLS.length]!;
}

/** `<pattern>` definitions for the fills used in one chart; ids are prefixed so several charts can share a page. */
export function patternDefs(prefix: string, count: number): string {
  const defs: string[] = [];
  for (let i = 0; i < count; i++) {
    const fill = fillFor(i);
    if (!fill.pattern) continue;
    const stroke = fill.ink === '#ffffff' ? '#ffffff' : '#000000';
    const id = `${prefix}-fill-${i}`;
    const shapes = {
      diagonal: `<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="${stroke}" stroke-width="1"/>`,
      dots: `<circle cx="3" cy="3" r="1" fill="${stroke}"/>`,
      cross: `<path d="M0,3 h6 M3,0 v6" stroke="${stroke}" stroke-width="0.8"/>`,
      horizontal: `<path d="M0,1.5 h6 M0,4.5 h6" stroke="${stroke}" stroke-width="0.8"/>`,
    }[fill.pattern];
    defs.push(
      `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="${fill.base}"/>${shapes}</pattern>`,
    );
  }
  return defs.length ? `<defs>${defs.join('')}</defs>` : '';
}

/** The `fill` attribute value for series `index` (a pattern reference or a plain grey). */
export function fillRef(prefix: string, index: number): string {
  const fill = fillFor(index);
  return fill.pattern ? `url(#${prefix}-fill-${index})` : fill.base;
}

/** A safe id prefix from a caller's id (letters, digits, dashes). */
export function idPrefix(id: string | undefined, fallback: string): string {
  const cleaned = (id ?? fallback)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned || fallback;
}

export const FONT = 'font-family="\'Helvetica Neue\', Helvetica, Arial, sans-serif"';

export interface FrameOptions {
  prefix: string;
  width: number;
  height: number;
  title: string;
  /** One-line description for screen readers (the chart's data in words). */
  description?: string;
  body: string;
  defs?: string;
}

/** The outer `<svg>` with an accessible title; the visible title is drawn by the chart. */
export function svgFrame(o: FrameOptions): string {
  const titleId = `${o.prefix}-title`;
  const descId = `${o.prefix}-desc`;
  const labelled = o.description ? `${titleId} ${descId}` : titleId;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="${num(o.width)}" height="${num(o.height)}" viewBox="0 0 ${num(o.width)} ${num(o.height)}" role="img" aria-labelledby="${labelled}" ${FONT} font-size="11">`,
    `<title id="${titleId}">${escapeXml(o.title)}</title>`,
    o.description ? `<desc id="${descId}">${escapeXml(o.description)}</desc>` : '',
    o.defs ?? '',
    `<text class="chart-title" x="0" y="14" font-size="13" font-weight="bold" fill="#000000">${escapeXml(o.title)}</text>`,
    o.body,
    '</svg>',
  ].join('');
}

/** Text element with escaped content. */
export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${num(x)}" y="${num(y)}"${attrs ? ` ${attrs}` : ''}>${escapeXml(content)}</text>`;
}

/** Cuts a label to `max` characters with an ellipsis, so long names cannot overflow the chart. */
export function truncate(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, Math.max(1, max - 1))}…`;
}
