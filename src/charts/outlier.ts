import { num } from './svg.js';

/**
 * When one value dwarfs the rest (at least `OUTLIER_RATIO` times the next largest), a linear
 * axis up to it would flatten every other value to a sliver. The axis then stops a little
 * above the next largest value and the outlier is drawn broken at the edge of the plot, marked
 * and labelled with its true value.
 */
export const OUTLIER_RATIO = 10;

export interface ValueDomain {
  /** Top of the value axis. */
  max: number;
  /** The value drawn off scale, if any (only the largest one, and only when it is alone). */
  outlier: number | undefined;
}

export function valueDomain(values: readonly number[]): ValueDomain {
  const sorted = values.filter((v) => Number.isFinite(v) && v > 0).sort((a, b) => b - a);
  const [first = 0, second = 0] = sorted;
  if (sorted.length >= 2 && second > 0 && first >= OUTLIER_RATIO * second) {
    return { max: second * 1.5, outlier: first };
  }
  return { max: Math.max(1, first), outlier: undefined };
}

/**
 * Two short parallel slashes with white between them: the sign that a line or bar is broken.
 * `across: 'x'` cuts a vertical line at (x, y); `across: 'y'` cuts a horizontal bar.
 */
export function breakMark(x: number, y: number, across: 'x' | 'y'): string {
  const slashes =
    across === 'x'
      ? [
          [x - 7, y + 1, x + 7, y - 5],
          [x - 7, y + 6, x + 7, y],
        ]
      : [
          [x - 6, y + 7, x - 1, y - 7],
          [x - 1, y + 7, x + 4, y - 7],
        ];
  const d = slashes.map(([x1, y1, x2, y2]) => `M${num(x1!)} ${num(y1!)}L${num(x2!)} ${num(y2!)}`).join('');
  return `<g class="axis-break"><path d="${d}" stroke="#ffffff" stroke-width="4" fill="none"/><path d="${d}" stroke="#000000" stroke-width="1.1" fill="none"/></g>`;
}
