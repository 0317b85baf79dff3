/**
 * How many cases a property test runs: `full` in `npm test`; under `npm run test:quick` (which sets
 * QUICK_RUNS=1) a twentieth of it, at least 5, so the inner loop still tries every property.
 */
export function propertyRuns(full: number): number {
  return process.env.QUICK_RUNS ? Math.max(5, Math.ceil(full / 20)) : full;
}
