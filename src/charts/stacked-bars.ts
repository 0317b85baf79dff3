import { scaleBand, scaleLinear } from 'd3-scale';
import { stack } from 'd3-shape';
import { categoryAxisLabel, categoryName, ticksFor, verticalValueAxis } from './axis.js';
import { escapeXml, fillFor, fillRef, formatValue, idPrefix, num, patternDefs, svgFrame, text } from './svg.js';
import type { AxisOptions, ChartOptions } from './types.js';

export interface StackedBarData {
  /** Categories along the x axis, in the order drawn (e.g. months, oldest first). A "\n" splits a label over two lines. */
  categories: string[];
  /** Stacked series, bottom first (e.g. worst severity first); each has one value per category. */
  series: { label: string; values: number[] }[];
  /**
   * A share of each bar to mark (e.g. the incidents a provider caused), drawn as a narrow black
   * bar beside the stack from the axis up to its value, named in the legend and in each tooltip.
   */
  part?: { label: string; values: number[] };
}

export type StackedBarOptions = ChartOptions & AxisOptions;

/** Width of the bar that marks a part: narrow, so it never reads as one more series. */
const PART_WIDTH = 5;

/**
 * Vertical stacked bars, one per category, each segment a series in a distinct grey and
 * pattern; a legend names the series, and each bar carries its total. With `part`, a narrow
 * black bar beside each stack (told apart by its width and place, not only its colour) shows the
 * marked share, with its own legend entry.
 */
export function stackedBarChart(data: StackedBarData, options: StackedBarOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 270;
  const prefix = idPrefix(options.id, 'stacked');
  const format = options.format ?? formatValue;
  const n = data.categories.length;
  for (const s of data.series) {
    if (s.values.length !== n) throw new Error(`series "${s.label}" has ${s.values.length} values for ${n} categories`);
  }
  if (data.part && data.part.values.length !== n)
    throw new Error(`part "${data.part.label}" has ${data.part.values.length} values for ${n} categories`);
  const margin = { top: 52, right: 8, bottom: 46, left: 40 };
  const rows = data.categories.map((_, i) => Object.fromEntries(data.series.map((s, j) => [String(j), Math.max(0, s.values[i] ?? 0)])));
  const keys = data.series.map((_, j) => String(j));
  const stacked = stack<Record<string, number>>().keys(keys)(rows);
  const totals = rows.map((r) => keys.reduce((sum, k) => sum + (r[k] ?? 0), 0));
  const max = Math.max(1, ...totals);
  const x = scaleBand<number>()
    .domain(data.categories.map((_, i) => i))
    .range([margin.left, width - margin.right])
    .paddingInner(0.25)
    .paddingOuter(0.15);
  const y = scaleLinear()
    .domain([0, max])
    .nice()
    .range([height - margin.bottom, margin.top + 10]);
  const integer = data.series.every((s) => s.values.every((v) => Number.isInteger(v)));
  const parts: string[] = [];

  // legend under the title
  let lx = 0;
  parts.push('<g class="legend">');
  data.series.forEach((s, j) => {
    parts.push(`<rect x="${num(lx)}" y="24" width="12" height="12" fill="${fillRef(prefix, j)}" stroke="#000000" stroke-width="0.6"/>`);
    parts.push(text(lx + 16, 34, s.label, 'fill="#000000" font-size="10.5"'));
    lx += 16 + s.label.length * 6.2 + 14;
  });
  if (data.part) {
    parts.push(`<rect class="part-swatch" x="${num(lx + 3)}" y="22" width="${PART_WIDTH}" height="14" fill="#000000"/>`);
    parts.push(text(lx + 3 + PART_WIDTH + 5, 34, data.part.label, 'fill="#000000" font-size="10.5"'));
  }
  parts.push('</g>');

  parts.push(verticalValueAxis(y, ticksFor(y, 5, integer), margin.left, width - margin.right, options.valueAxisLabel, margin.top));

  const band = x.bandwidth();
  data.categories.forEach((category, i) => {
    const x0 = x(i) ?? 0;
    parts.push(`<g class="bar" data-category="${escapeXml(category.replace(/\n/g, ' '))}" data-total="${num(totals[i] ?? 0)}">`);
    stacked.forEach((layer, j) => {
      const [lo, hi] = layer[i] ?? [0, 0];
      if (hi - lo <= 0) return;
      const top = y(hi);
      const h = y(lo) - top;
      parts.push(
        `<rect class="segment" x="${num(x0)}" y="${num(top)}" width="${num(band)}" height="${num(h)}" fill="${fillRef(prefix, j)}" stroke="#000000" stroke-width="0.6"><title>${escapeXml(`${category.replace(/\n/g, ' ')} — ${data.series[j]!.label}: ${format(hi - lo)}`)}</title></rect>`,
      );
      if (h >= 13 && band >= 14) {
        const ink = fillFor(j).ink;
        const bg = fillFor(j).base;
        // a small plate behind the number keeps it readable over a pattern
        parts.push(`<rect x="${num(x0 + band / 2 - 8)}" y="${num(top + h / 2 - 6.5)}" width="16" height="12" fill="${bg}"/>`);
        parts.push(text(x0 + band / 2, top + h / 2 + 3.5, format(hi - lo), `text-anchor="middle" font-size="9.5" fill="${ink}"`));
      }
    });
    const part = data.part?.values[i] ?? 0;
    if (data.part && part > 0) {
      const top = y(Math.min(part, y.domain()[1]!));
      parts.push(
        `<rect class="part" x="${num(x0 - PART_WIDTH - 1.5)}" y="${num(top)}" width="${PART_WIDTH}" height="${num(y(0) - top)}" fill="#000000"><title>${escapeXml(`${category.replace(/\n/g, ' ')} — ${data.part.label}: ${format(part)}`)}</title></rect>`,
      );
    }
    const total = totals[i] ?? 0;
    parts.push(
      text(
        x0 + band / 2,
        y(total) - 4,
        format(total),
        'class="total" text-anchor="middle" font-size="10" font-weight="bold" fill="#000000"',
      ),
    );
    parts.push(categoryName(x0 + band / 2, height - margin.bottom, category));
    parts.push('</g>');
  });
  parts.push(categoryAxisLabel(options.categoryAxisLabel, width - margin.right, height));

  const partText = (i: number) => (data.part ? ` (${format(data.part.values[i] ?? 0)} ${data.part.label})` : '');
  const description =
    options.description ??
    `${options.title}: ${data.categories.map((c, i) => `${c.replace(/\n/g, ' ')} ${format(totals[i] ?? 0)}${partText(i)}`).join(', ')}.`;
  return svgFrame({
    prefix,
    width,
    height,
    title: options.title,
    description,
    defs: patternDefs(prefix, data.series.length),
    body: parts.join(''),
  });
}
