import { describe, expect, it } from 'vitest';
import { barChart, phaseBar, pointChart, stackedBarChart } from '../src/charts/index.js';
import { checkXml } from './charts-xml.js';

const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

function wellFormed(svg: string): string[] {
  const { errors, elements } = checkXml(svg);
  expect(errors).toEqual([]);
  expect(elements[0]).toBe('svg');
  expect(elements).toContain('title');
  return elements;
}

describe('stackedBarChart', () => {
  const data = {
    categories: ['Jul\n2006', 'Aug', 'Sep', 'Oct'],
    series: [
      { label: 'SEV1', values: [0, 1, 0, 2] },
      { label: 'SEV2', values: [1, 0, 0, 1] },
      { label: 'SEV3', values: [0, 3, 0, 0] },
    ],
  };
  const svg = stackedBarChart(data, {
    id: 'm',
    title: 'Incidents per month, by severity',
    valueAxisLabel: 'Incidents',
    categoryAxisLabel: 'Month',
  });

  it('is well-formed SVG with a title, axis labels and a legend entry per series', () => {
    wellFormed(svg);
    expect(svg).toContain('<title id="m-title">Incidents per month, by severity</title>');
    expect(svg).toContain('>Incidents</text>');
    expect(svg).toContain('>Month</text>');
    for (const s of ['SEV1', 'SEV2', 'SEV3']) expect(svg).toContain(`>${s}</text>`);
  });

  it('draws one bar per category and one segment per non-zero value, with the totals', () => {
    expect(count(svg, /<g class="bar"/g)).toBe(4);
    expect(count(svg, /<rect class="segment"/g)).toBe(5);
    const totals = [...svg.matchAll(/data-total="(\d+)"/g)].map((m) => Number(m[1]));
    expect(totals).toEqual([1, 4, 0, 3]);
    expect(count(svg, /class="total"[^>]*>4</g)).toBe(1);
  });

  it('tells series apart without colour: grey levels and patterns', () => {
    expect(svg).not.toMatch(/#(?!([0-9a-f]{2})\1\1)[0-9a-f]{6}/i); // only greys (#rrggbb with r = g = b)
    expect('#ff0000').toMatch(/#(?!([0-9a-f]{2})\1\1)[0-9a-f]{6}/i);
    expect(count(svg, /<pattern /g)).toBeGreaterThanOrEqual(2);
  });

  it('segment heights are proportional to values', () => {
    const heights = [...svg.matchAll(/<rect class="segment"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    // Aug: SEV1 = 1 and SEV3 = 3
    expect(heights[2]! / heights[1]!).toBeCloseTo(3, 1);
  });

  it('is deterministic and escapes text', () => {
    expect(stackedBarChart(data, { id: 'm', title: 'Incidents per month, by severity', valueAxisLabel: 'Incidents' })).toBe(
      stackedBarChart(data, { id: 'm', title: 'Incidents per month, by severity', valueAxisLabel: 'Incidents' }),
    );
    const evil = stackedBarChart(
      { categories: ['<script>alert(1)</script>'], series: [{ label: 'A & "B"', values: [1] }] },
      { title: 'x</title><script>', valueAxisLabel: 'n' },
    );
    wellFormed(evil);
    expect(evil).not.toContain('<script>');
    expect(evil).toContain('A &amp; &quot;B&quot;');
  });

  it('marks a part of each bar with a narrow black bar beside it, named in the legend and the tooltip', () => {
    const marked = stackedBarChart(
      { ...data, part: { label: 'caused by Acme', values: [1, 0, 0, 2] } },
      { id: 'p', title: 'T', valueAxisLabel: 'Incidents' },
    );
    wellFormed(marked);
    expect(count(marked, /<rect class="part" /g)).toBe(2); // none where the part is 0
    expect(marked).toContain('<title>Jul 2006 — caused by Acme: 1</title>');
    expect(marked).toContain('<title>Oct — caused by Acme: 2</title>');
    expect(marked).toMatch(/<rect class="part-swatch"[^>]*\/><text[^>]*>caused by Acme<\/text>/);
    expect(marked).toContain('Oct 3 (2 caused by Acme)');
    // narrower than a bar, and as tall as its value: Oct's part is 2/3 of Oct's stack
    const part = /<rect class="part" x="[^"]+" y="([^"]+)" width="5" height="([^"]+)" fill="#000000"><title>Oct/.exec(marked)!;
    const segments = [...marked.matchAll(/<rect class="segment"[^>]*height="([^"]+)"[^>]*><title>Oct/g)].map((m) => Number(m[1]));
    expect(Number(part[2]) / segments.reduce((a, b) => a + b, 0)).toBeCloseTo(2 / 3, 1);
    expect(svg).not.toContain('class="part"');
  });

  it('rejects series whose length does not match the categories', () => {
    expect(() =>
      stackedBarChart({ categories: ['a', 'b'], series: [{ label: 's', values: [1] }] }, { title: 't', valueAxisLabel: 'n' }),
    ).toThrow(/series "s" has 1 values for 2 categories/);
  });
});

describe('barChart', () => {
  it('draws one labelled bar per datum, longest for the largest value', () => {
    const data = [
      { label: 'capacity', value: 4 },
      { label: 'network', value: 2 },
      { label: 'a-very-long-category-name-indeed', value: 1 },
    ];
    const svg = barChart(data, { title: 'Root-cause categories', valueAxisLabel: 'Incidents', categoryAxisLabel: 'Category' });
    wellFormed(svg);
    expect(count(svg, /<g class="bar"/g)).toBe(3);
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(3);
    expect(widths[0]! / widths[1]!).toBeCloseTo(2, 1);
    expect(svg).toContain('>4</text>');
    expect(svg).toContain('a-very-long-category-na…');
  });

  it("draws each bar's part dark from its start, with a legend and the part in its tooltip", () => {
    const data = [
      { label: 'capacity', value: 4, part: 1 },
      { label: 'network', value: 2, part: 2 },
      { label: 'change', value: 3, part: 0 },
    ];
    const svg = barChart(data, { title: 'Root-cause categories', valueAxisLabel: 'Incidents', partLabel: 'caused by Rackspace' });
    wellFormed(svg);
    const bars = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="14" fill="#595959"/g)].map((m) => Number(m[1]));
    const parts = [...svg.matchAll(/<rect class="bar-part" x="[\d.]+" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(parts).toHaveLength(2); // no dark part for a bar with none
    expect(parts[0]! / bars[0]!).toBeCloseTo(0.25, 2);
    expect(parts[1]).toBeCloseTo(bars[1]!, 5);
    expect(svg).toContain('>caused by Rackspace</text>');
    expect(svg).toContain('<title>capacity: 4, 1 caused by Rackspace</title>');
    expect(svg).toContain('change 3 (0 caused by Rackspace)');
  });

  it('says so when there is no data', () => {
    const svg = barChart([], { title: 'Services most affected', valueAxisLabel: 'Incidents' });
    wellFormed(svg);
    expect(count(svg, /<g class="bar"/g)).toBe(0);
    expect(svg).toContain('No data in this period');
  });
});

describe('pointChart', () => {
  it('draws a point per value, a gap and a label for missing ones', () => {
    const svg = pointChart(
      [
        { label: 'Q3\n2006', value: 148 },
        { label: 'Q4\n2006', value: null },
        { label: 'Q1\n2007', value: 170 },
        { label: 'Q2\n2007', value: 105 },
      ],
      { title: 'Median time to resolve, per quarter', valueAxisLabel: 'Minutes', missingLabel: 'no incidents', format: (v) => `${v}m` },
    );
    wellFormed(svg);
    expect(count(svg, /<g class="point"/g)).toBe(3);
    expect(count(svg, /<circle /g)).toBe(3);
    expect(svg).toContain('>no incidents</text>');
    expect(svg).toContain('>170m</text>');
    // the line breaks at the gap: two sub-paths
    const d = /<path class="line" d="([^"]+)"/.exec(svg)![1]!;
    expect(count(d, /M/g)).toBe(2);
  });

  it('draws a second line dashed with square points and labels below, and a legend naming both', () => {
    const svg = pointChart(
      [
        { label: 'Q1', value: 120 },
        { label: 'Q2', value: 60 },
        { label: 'Q3', value: null },
      ],
      {
        title: 'Median time to resolve',
        valueAxisLabel: 'Minutes',
        format: (v) => `${v}m`,
        label: 'All causes',
        second: { label: 'Caused by Acme', values: [90, null, 30] },
      },
    );
    wellFormed(svg);
    expect(svg).toMatch(/<path class="line second" d="[^"]+"[^>]*stroke-dasharray="5 3"/);
    expect(count(svg, /<g class="point second"/g)).toBe(2);
    expect(svg).toContain('<title>Q1, Caused by Acme: 90m</title>');
    expect(svg).toContain('<title>Q3, Caused by Acme: 30m</title>');
    expect(svg).toMatch(/>All causes<\/text>.*>Caused by Acme<\/text>/s);
    expect(svg).toContain('Q1 120m (Caused by Acme: 90m), Q2 60m (Caused by Acme: none), Q3 none (Caused by Acme: 30m)');
    // the second line's label sits below its point, the first line's above
    const cy = Number(/<rect x="[^"]+" y="([^"]+)" width="7"[^>]*><title>Q1,/.exec(svg)![1]) + 3.5;
    const labelY = Number(/<text x="[^"]+" y="([^"]+)"[^>]*font-style="italic"[^>]*>90m</.exec(svg)![1]);
    expect(labelY).toBeGreaterThan(cy);
  });

  it('rejects a second line whose length does not match the categories', () => {
    expect(() =>
      pointChart([{ label: 'Q1', value: 1 }], { title: 't', valueAxisLabel: 'Minutes', second: { label: 'x', values: [1, 2] } }),
    ).toThrow(/2 values for 1 categories/);
  });
});

describe('phaseBar', () => {
  it('draws each phase to scale with its duration in the legend', () => {
    const svg = phaseBar(
      {
        phases: [
          { label: 'To detect', minutes: 1 },
          { label: 'Detected to mitigated', minutes: 24 },
          { label: 'Mitigated to resolved', minutes: 14 },
        ],
      },
      { title: 'Phases', id: 'p' },
    );
    wellFormed(svg);
    const widths = [...svg.matchAll(/<rect class="phase"[^>]* width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(3);
    expect(widths[1]! / widths[2]!).toBeCloseTo(24 / 14, 1);
    expect(svg).toContain('>Detected to mitigated: 24 min</text>');
    expect(svg).toContain('Minutes since impact began');
  });

  it('switches the axis to hours for long incidents and skips empty phases', () => {
    const svg = phaseBar(
      {
        phases: [
          { label: 'To detect', minutes: 0 },
          { label: 'To resolve', minutes: 3000 },
        ],
      },
      { title: 'Phases' },
    );
    wellFormed(svg);
    expect(count(svg, /<rect class="phase"/g)).toBe(1);
    expect(svg).toContain('Hours since impact began');
    expect(svg).toContain('>To detect: 0 min</text>');
  });
});
