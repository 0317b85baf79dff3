import { scaleLinear, scalePoint } from 'd3-scale';
import { line } from 'd3-shape';
import { categoryAxisLabel, categoryName, ticksFor, verticalValueAxis } from './axis.js';
import { breakMark, valueDomain } from './outlier.js';
import { escapeXml, formatValue, idPrefix, num, svgFrame, text } from './svg.js';
import type { AxisOptions, ChartOptions } from './types.js';

export interface PointDatum {
  /** Category along the x axis (e.g. "Q3 2006"); a "\n" splits it over two lines. */
  label: string;
  /** `null` when there is no value for the category (drawn as a gap, labelled "none"). */
  value: number | null;
}

export type PointChartOptions = ChartOptions &
  AxisOptions & {
    /** Label for categories without a value (default "none"). */
    missingLabel?: string;
    /**
     * A second line over the same categories (e.g. only the incidents a provider caused): dashed,
     * with square points and its value labels below them; a legend then names both lines.
     */
    second?: { label: string; values: (number | null)[] };
    /** Legend name of the main line (needed with `second`). */
    label?: string;
  };

/** How each line is told apart in print: dash pattern and point shape, not colour. */
const DASHED = 'stroke-dasharray="5 3"';

/**
 * A line with a marked, labelled point per category that has a value; categories without a
 * value break the line. Categories are drawn in the order given. A value at least ten times
 * the next largest is drawn off scale: at the top of the plot, its line broken, labelled with
 * its value and "off scale".
 */
export function pointChart(data: readonly PointDatum[], options: PointChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 240;
  const prefix = idPrefix(options.id, 'points');
  const format = options.format ?? formatValue;
  const margin = { top: 40, right: 16, bottom: 46, left: 40 };
  const second = options.second;
  if (second && second.values.length !== data.length)
    throw new Error(`line "${second.label}" has ${second.values.length} values for ${data.length} categories`);
  const values = [...data.map((d) => d.value), ...(second?.values ?? [])].filter((v): v is number => v !== null);
  const domain = valueDomain(values);
  const x = scalePoint<number>()
    .domain(data.map((_, i) => i))
    .range([margin.left + 10, width - margin.right - 10])
    .padding(0.5);
  const y = scaleLinear()
    .domain([0, domain.max])
    .nice()
    .range([height - margin.bottom, margin.top + 12]);
  const top = y.domain()[1]!;
  const parts: string[] = [
    verticalValueAxis(y, ticksFor(y, 5, false), margin.left, width - margin.right, options.valueAxisLabel, margin.top),
  ];
  const path = line<PointDatum & { i: number }>()
    .defined((d) => d.value !== null)
    .x((d) => x(d.i) ?? 0)
    .y((d) => y(Math.min(d.value ?? 0, top)))
    .digits(2);
  const d = path(data.map((p, i) => ({ ...p, i })));
  if (d) parts.push(`<path class="line" d="${d}" fill="none" stroke="#000000" stroke-width="1.6"/>`);
  if (second) {
    parts.push(legend(width - margin.right, options.label ?? options.valueAxisLabel, second.label));
    const d2 = path(second.values.map((value, i) => ({ label: data[i]!.label, value, i })));
    if (d2) parts.push(`<path class="line second" d="${d2}" fill="none" stroke="#000000" stroke-width="1.4" ${DASHED}/>`);
    second.values.forEach((value, i) => {
      if (value === null) return;
      const cx = x(i) ?? 0;
      const off = value > top;
      const cy = y(Math.min(value, top));
      const name = `${data[i]!.label.replace(/\n/g, ' ')}, ${second.label}`;
      parts.push(`<g class="point second${off ? ' outlier' : ''}" data-label="${escapeXml(name)}" data-value="${num(value)}">`);
      parts.push(
        `<rect x="${num(cx - 3.5)}" y="${num(cy - 3.5)}" width="7" height="7" fill="#ffffff" stroke="#000000" stroke-width="1.4"><title>${escapeXml(`${name}: ${format(value)}`)}</title></rect>`,
      );
      parts.push(
        text(
          cx,
          cy + 15,
          off ? `${format(value)} (off scale)` : format(value),
          'text-anchor="middle" font-size="9.5" font-style="italic" fill="#000000"',
        ),
      );
      parts.push('</g>');
    });
  }
  data.forEach((p, i) => {
    const cx = x(i) ?? 0;
    if (p.value !== null) {
      const off = p.value > top;
      const cy = y(Math.min(p.value, top));
      const label = off ? `${format(p.value)} (off scale)` : format(p.value);
      parts.push(
        `<g class="point${off ? ' outlier' : ''}" data-label="${escapeXml(p.label.replace(/\n/g, ' '))}" data-value="${num(p.value)}">`,
      );
      if (off) parts.push(breakMark(cx, cy + 14, 'x'));
      parts.push(
        `<circle cx="${num(cx)}" cy="${num(cy)}" r="3.5" fill="${off ? '#000000' : '#ffffff'}" stroke="#000000" stroke-width="1.6"><title>${escapeXml(`${p.label.replace(/\n/g, ' ')}: ${format(p.value)}`)}</title></circle>`,
      );
      parts.push(text(cx, cy - 8, label, 'text-anchor="middle" font-size="10" font-weight="bold" fill="#000000"'));
      parts.push('</g>');
    } else {
      parts.push(
        text(
          cx,
          height - margin.bottom - 5,
          options.missingLabel ?? 'none',
          'class="missing" text-anchor="middle" font-size="9.5" font-style="italic" fill="#555555"',
        ),
      );
    }
    parts.push(categoryName(cx, height - margin.bottom, p.label));
  });
  parts.push(categoryAxisLabel(options.categoryAxisLabel, width - margin.right, height));
  const offScale = domain.outlier === undefined ? '' : ` The axis stops at ${format(top)}; ${format(domain.outlier)} is drawn off scale.`;
  const shown = (v: number | null) => (v === null ? (options.missingLabel ?? 'none') : format(v));
  const secondText = (i: number) => (second ? ` (${second.label}: ${shown(second.values[i] ?? null)})` : '');
  const description =
    options.description ??
    `${options.title}: ${data.map((p, i) => `${p.label.replace(/\n/g, ' ')} ${shown(p.value)}${secondText(i)}`).join(', ')}.${offScale}`;
  return svgFrame({ prefix, width, height, title: options.title, description, body: parts.join('') });
}

/** Legend at the top right: a solid line with a round point, then a dashed one with a square point. */
function legend(right: number, first: string, second: string): string {
  const w = (label: string) => 34 + label.length * 5.8;
  const x2 = right - w(second);
  const x1 = x2 - 12 - w(first);
  const entry = (x: number, label: string, dashed: boolean) =>
    `<path d="M${num(x)} 30H${num(x + 22)}" stroke="#000000" stroke-width="1.5"${dashed ? ` ${DASHED}` : ''}/>` +
    (dashed
      ? `<rect x="${num(x + 7.5)}" y="26.5" width="7" height="7" fill="#ffffff" stroke="#000000" stroke-width="1.4"/>`
      : `<circle cx="${num(x + 11)}" cy="30" r="3.5" fill="#ffffff" stroke="#000000" stroke-width="1.6"/>`) +
    text(x + 28, 33.5, label, 'font-size="10.5" fill="#000000"');
  return `<g class="legend">${entry(x1, first, false)}${entry(x2, second, true)}</g>`;
}
