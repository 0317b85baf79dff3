import fc from 'fast-check';
import type { ImpactWindow } from '../src/model/impact.js';
import type { Incident } from '../src/model/incident.js';
import {
  canaryArb,
  customerPartArb,
  internalPartArb,
  letterConfig,
  makeIncident,
  type CustomerPart,
  type InternalPart,
} from './letter-fixtures.js';

/**
 * Incidents for the export tests: random incidents whose internal fields all carry canaries
 * (the letters' fixtures), plus a public impact window with customer text and a private one
 * whose summary is a canary.
 */
function withWindows(incident: Incident, publicSummary: string, privateSummary: string): Incident {
  const to = incident.resolved ?? incident.started.add({ minutes: 30 });
  const window = (index: number, isPublic: boolean, summary: string): ImpactWindow => ({
    index,
    from: incident.started,
    to,
    level: isPublic ? 'partial-outage' : 'outage',
    services: incident.services,
    locations: incident.locations,
    public: isPublic,
    summary,
    implicit: false,
  });
  return { ...incident, windows: [window(1, true, publicSummary), window(2, false, privateSummary)] };
}

export function scenario(
  customers: readonly CustomerPart[],
  internals: readonly InternalPart[],
  owner: { a: string; b: string; c: string; d: string },
  windowText: string,
) {
  const config = letterConfig({
    privateName: `Quinn ${owner.a}`,
    privateEmail: `${owner.b}@corp.example`,
    publicEmail: `${owner.c}@corp.example`,
  });
  const incidents = customers.map((c, k) =>
    withWindows(makeIncident(c, internals[k]!), windowText, `The ${owner.d} failover window stayed internal.`),
  );
  return { config, incidents, canaries: [...internals.flatMap((i) => i.canaries), owner.a, owner.b, owner.c, owner.d] };
}

export const scenarioArb = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    customers: fc.tuple(...Array.from({ length: n }, (_, k) => customerPartArb(`2007-03-1${k}-incident-${k}`))),
    internals: fc.tuple(...Array.from({ length: n }, () => internalPartArb)),
    owner: fc.record({ a: canaryArb, b: canaryArb, c: canaryArb, d: canaryArb }),
    windowText: fc.string({ minLength: 1, maxLength: 80 }),
  }),
);
