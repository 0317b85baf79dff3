import { scaleLinear } from 'd3-scale';
import { horizontalValueAxis, ticksFor } from './axis.js';
import { breakMark, valueDomain } from './outlier.js';
import { escapeXml, formatValue, idPrefix, num, svgFrame, text, truncate } from './svg.js';
import type { AxisOptions, ChartOptions } from './types.js';

export interface BarDatum {
  label: string;
  value: number;
  /** The share of `value` drawn dark from the start of the bar (e.g. the incidents a provider caused); named by `partLabel`. */
  part?: number;
}

export type BarChartOptions = ChartOptions &
  AxisOptions & {
    /** Longest label drawn before it is cut with an ellipsis (default 24 characters). */
    maxLabelLength?: number;
    /** What a datum's `part` is ("caused by Rackspace"): the legend above the bars, and each bar's tooltip. */
    partLabel?: string;
  };

/**
 * Horizontal bars, one row per datum in the order given (sort before calling), each
 * labelled with its value at the end of the bar. Height grows with the number of rows. A value
 * at least ten times the next largest is drawn to the end of the axis, broken, and labelled
 * with its value and "off scale".
 */
export function barChart(data: readonly BarDatum[], options: BarChartOptions): string {
  const width = options.width ?? 640;
  const prefix = idPrefix(options.id, 'bars');
  const format = options.format ?? formatValue;
  const rowHeight = 20;
  const maxLabel = options.maxLabelLength ?? 24;
  const labelWidth = Math.min(180, 12 + Math.max(4, ...data.map((d) => Math.min(maxLabel, d.label.length))) * 6.2);
  const margin = { top: 40, right: 48, bottom: 34, left: labelWidth };
  const height = options.height ?? margin.top + margin.bottom + Math.max(1, data.length) * rowHeight;
  const domain = valueDomain(data.map((d) => d.value));
  const x = scaleLinear()
    .domain([0, domain.max])
    .nice()
    .range([margin.left, width - margin.right]);
  const integer = data.every((d) => Number.isInteger(d.value));
  const plotBottom = height - margin.bottom;
  const parts: string[] = [
    horizontalValueAxis(x, ticksFor(x, 6, integer), margin.top, plotBottom, options.valueAxisLabel, width - margin.right),
  ];
  if (options.categoryAxisLabel)
    parts.push(text(0, margin.top - 6, options.categoryAxisLabel, 'class="axis-label" font-size="10.5" fill="#333333"'));
  if (options.partLabel) {
    parts.push(`<rect x="${num(width - margin.right - 150)}" y="${num(margin.top - 15)}" width="10" height="10" fill="#000000"/>`);
    parts.push(text(width - margin.right - 136, margin.top - 6, options.partLabel, 'class="legend" font-size="10.5" fill="#000000"'));
  }
  data.forEach((d, i) => {
    const top = margin.top + i * rowHeight + 3;
    const off = d.value > x.domain()[1]!;
    const w = Math.max(0, x(Math.min(x.domain()[1]!, Math.max(0, d.value))) - x(0));
    parts.push(`<g class="bar${off ? ' outlier' : ''}" data-label="${escapeXml(d.label)}" data-value="${num(d.value)}">`);
    parts.push(text(margin.left - 6, top + 10.5, truncate(d.label, maxLabel), 'text-anchor="end" font-size="10.5" fill="#000000"'));
    const tooltip = `${d.label}: ${format(d.value)}${d.part !== undefined && options.partLabel ? `, ${format(d.part)} ${options.partLabel}` : ''}`;
    parts.push(
      `<rect x="${num(x(0))}" y="${num(top)}" width="${num(w)}" height="${rowHeight - 6}" fill="#595959" stroke="#000000" stroke-width="0.6"><title>${escapeXml(tooltip)}</title></rect>`,
    );
    if (d.part) {
      const pw = Math.min(w, Math.max(0, x(Math.min(x.domain()[1]!, d.part)) - x(0)));
      parts.push(
        `<rect class="bar-part" x="${num(x(0))}" y="${num(top)}" width="${num(pw)}" height="${rowHeight - 6}" fill="#000000"><title>${escapeXml(tooltip)}</title></rect>`,
      );
    }
    if (off) parts.push(breakMark(x(0) + w - 14, top + 7, 'y'));
    parts.push(
      off
        ? text(
            x(0) + w - 24,
            top + 10.5,
            `${format(d.value)} (off scale)`,
            'text-anchor="end" font-size="10" font-weight="bold" fill="#ffffff"',
          )
        : text(x(0) + w + 4, top + 10.5, format(d.value), 'font-size="10" font-weight="bold" fill="#000000"'),
    );
    parts.push('</g>');
  });
  if (data.length === 0) parts.push(text(margin.left + 6, margin.top + 14, 'No data in this period', 'font-size="10.5" fill="#333333"'));
  const partText = (d: BarDatum) => (d.part !== undefined && options.partLabel ? ` (${format(d.part)} ${options.partLabel})` : '');
  const description =
    options.description ?? `${options.title}: ${data.map((d) => `${d.label} ${format(d.value)}${partText(d)}`).join(', ') || 'no data'}.`;
  return svgFrame({ prefix, width, height, title: options.title, description, body: parts.join('') });
}
