import type { ScaleLinear } from 'd3-scale';
import { num, text } from './svg.js';

/** Tick values for a linear value axis; whole numbers only when `integer` (counts). */
export function ticksFor(scale: ScaleLinear<number, number>, count: number, integer: boolean): number[] {
  const ticks = scale.ticks(count);
  return integer ? ticks.filter((t) => Number.isInteger(t)) : ticks;
}

export function tickLabel(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
}

/** A vertical value axis with light grid lines across the plot. */
export function verticalValueAxis(
  scale: ScaleLinear<number, number>,
  ticks: number[],
  left: number,
  right: number,
  label: string,
  labelY: number,
): string {
  const parts: string[] = ['<g class="axis axis-value">'];
  for (const t of ticks) {
    const y = scale(t);
    parts.push(
      `<line x1="${num(left)}" x2="${num(right)}" y1="${num(y)}" y2="${num(y)}" stroke="${t === 0 ? '#000000' : '#d0d0d0'}" stroke-width="${t === 0 ? 1 : 0.6}"/>`,
    );
    parts.push(text(left - 5, y + 3.5, tickLabel(t), 'text-anchor="end" fill="#333333" font-size="10"'));
  }
  parts.push(text(0, labelY, label, 'class="axis-label" fill="#333333" font-size="10.5"'));
  parts.push('</g>');
  return parts.join('');
}

/** A horizontal value axis (under a plot) with grid lines and a unit label. */
export function horizontalValueAxis(
  scale: ScaleLinear<number, number>,
  ticks: number[],
  top: number,
  bottom: number,
  label: string,
  width: number,
): string {
  const parts: string[] = ['<g class="axis axis-value">'];
  for (const t of ticks) {
    const x = scale(t);
    parts.push(
      `<line x1="${num(x)}" x2="${num(x)}" y1="${num(top)}" y2="${num(bottom)}" stroke="${t === 0 ? '#000000' : '#d0d0d0'}" stroke-width="${t === 0 ? 1 : 0.6}"/>`,
    );
    parts.push(text(x, bottom + 12, tickLabel(t), 'text-anchor="middle" fill="#333333" font-size="10"'));
  }
  parts.push(text(width, bottom + 26, label, 'class="axis-label" text-anchor="end" fill="#333333" font-size="10.5"'));
  parts.push('</g>');
  return parts.join('');
}

/** A category's name under the plot at `x`, one line per "\n" of `label`, the first line 13 below `bottom`. */
export function categoryName(x: number, bottom: number, label: string): string {
  return label
    .split('\n')
    .map((line, k) => text(x, bottom + 13 + k * 11, line, 'text-anchor="middle" font-size="10" fill="#333333"'))
    .join('');
}

/** The category axis's own label, in the bottom right corner of a chart `width` × `height` (nothing when there is none). */
export function categoryAxisLabel(label: string | undefined, right: number, height: number): string {
  return label ? text(right, height - 4, label, 'class="axis-label" text-anchor="end" font-size="10.5" fill="#333333"') : '';
}
