import { scaleLinear } from 'd3-scale';
import { tickLabel } from './axis.js';
import { escapeXml, fillRef, idPrefix, num, patternDefs, svgFrame, text } from './svg.js';
import type { ChartOptions } from './types.js';

export interface PhaseBarData {
  /** Consecutive phases from the start of the incident, in order (e.g. to detect, to mitigate, to resolve). */
  phases: { label: string; minutes: number }[];
}

/**
 * One horizontal bar drawn to scale, cut into an incident's phases, with a time axis from the
 * start (minutes, or hours for long incidents) and a legend giving each phase's duration.
 * `format` formats durations given in minutes (default "N min").
 */
export function phaseBar(data: PhaseBarData, options: ChartOptions): string {
  const width = options.width ?? 640;
  const prefix = idPrefix(options.id, 'phases');
  const format = options.format ?? ((m: number) => `${Math.round(m)} min`);
  const phases = data.phases.map((p) => ({ ...p, minutes: Math.max(0, p.minutes) }));
  const total = phases.reduce((s, p) => s + p.minutes, 0);
  const hours = total >= 180;
  const unit = hours ? 60 : 1;
  const margin = { left: 4, right: 16 };
  const barTop = 26;
  const barHeight = 22;
  const x = scaleLinear()
    .domain([0, Math.max(total / unit, 1)])
    .nice()
    .range([margin.left, width - margin.right]);
  const parts: string[] = [];
  let at = 0;
  phases.forEach((p, j) => {
    const x0 = x(at / unit);
    const x1 = x((at + p.minutes) / unit);
    at += p.minutes;
    if (p.minutes <= 0) return;
    parts.push(
      `<rect class="phase" data-phase="${escapeXml(p.label)}" data-minutes="${num(p.minutes)}" x="${num(x0)}" y="${barTop}" width="${num(Math.max(0.8, x1 - x0))}" height="${barHeight}" fill="${fillRef(prefix, j)}" stroke="#000000" stroke-width="0.6"><title>${escapeXml(`${p.label}: ${format(p.minutes)}`)}</title></rect>`,
    );
  });
  // time axis
  const axisY = barTop + barHeight + 4;
  parts.push('<g class="axis axis-time">');
  parts.push(
    `<line x1="${num(x.range()[0]!)}" x2="${num(x.range()[1]!)}" y1="${axisY}" y2="${axisY}" stroke="#000000" stroke-width="0.8"/>`,
  );
  for (const t of x.ticks(8)) {
    const tx = x(t);
    parts.push(`<line x1="${num(tx)}" x2="${num(tx)}" y1="${axisY}" y2="${axisY + 4}" stroke="#000000" stroke-width="0.8"/>`);
    parts.push(text(tx, axisY + 14, tickLabel(t), 'text-anchor="middle" font-size="9.5" fill="#333333"'));
  }
  parts.push(
    text(
      width - margin.right,
      axisY + 27,
      hours ? 'Hours since impact began' : 'Minutes since impact began',
      'class="axis-label" text-anchor="end" font-size="10" fill="#333333"',
    ),
  );
  parts.push('</g>');
  // legend with durations
  const legendY = axisY + 40;
  let lx = margin.left;
  parts.push('<g class="legend">');
  phases.forEach((p, j) => {
    const label = `${p.label}: ${format(p.minutes)}`;
    parts.push(
      `<rect x="${num(lx)}" y="${legendY - 10}" width="12" height="12" fill="${fillRef(prefix, j)}" stroke="#000000" stroke-width="0.6"/>`,
    );
    parts.push(text(lx + 16, legendY, label, 'font-size="10.5" fill="#000000"'));
    lx += 16 + label.length * 5.9 + 16;
  });
  parts.push('</g>');
  const height = options.height ?? legendY + 8;
  const description = options.description ?? `${options.title}: ${phases.map((p) => `${p.label} ${format(p.minutes)}`).join(', ')}.`;
  return svgFrame({
    prefix,
    width,
    height,
    title: options.title,
    description,
    defs: patternDefs(prefix, phases.length),
    body: parts.join(''),
  });
}
