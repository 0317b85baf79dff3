/** Options every chart takes. Text is escaped by the chart; ids keep several charts apart on one page. */
export interface ChartOptions {
  /** Visible title, also the SVG's accessible name. */
  title: string;
  /** Id prefix for patterns and labels (unique on the page). */
  id?: string;
  /** Sentence for screen readers; a default is derived from the data. */
  description?: string;
  width?: number;
  height?: number;
  /** Formats the value labels drawn next to bars and points (default: integers, one decimal otherwise). */
  format?: (value: number) => string;
}

/** A value axis: its title must say the unit, e.g. "Incidents" or "Hours". */
export interface AxisOptions {
  valueAxisLabel: string;
  categoryAxisLabel?: string;
}
