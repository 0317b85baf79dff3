/**
 * SVG charts made at build time without a browser: plain functions `(data, options) => string`.
 * Greyscale with patterns and direct labels, so they read in print and on a photocopier.
 * Used by the review packet and the site's trends page.
 */
export { stackedBarChart, type StackedBarData, type StackedBarOptions } from './stacked-bars.js';
export { barChart, type BarDatum, type BarChartOptions } from './bars.js';
export { pointChart, type PointDatum, type PointChartOptions } from './points.js';
export { phaseBar, type PhaseBarData } from './phase-bar.js';
export { escapeXml } from './svg.js';
export type { ChartOptions, AxisOptions } from './types.js';
