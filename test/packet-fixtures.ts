/** A small knowledge base for packet tests: a provider, incidents around the period edges, a notes file. */
export const PACKET_CONFIG = `organization: Example Mail & Co.
timezone: America/New_York
as_of: 2007-07-01
services: [pop, webmail]
providers: [hostco, other-net]
owners:
  - id: ann
    name: Ann Author
  - id: bob
    name: Bob Builder
documents:
  - type: packet
    name: q2-review
    provider: hostco
    since: 2007-04-01
    until: 2007-06-30
    meeting: 2007-07-02
    notes: reviews/q2.md
`;

export interface FixtureIncident {
  id: string;
  title: string;
  provider?: string;
  started: string;
  resolved: string;
  severity?: string;
  extraBody?: string;
  remediations?: string;
}

export function incidentFile(i: FixtureIncident): string {
  return `---
id: ${i.id}
title: ${JSON.stringify(i.title)}
status: final
severity: ${i.severity ?? 'SEV2'}
services: [webmail]
${i.provider ? `provider: ${i.provider}\n` : ''}started: ${i.started}
detected: ${i.started}
resolved: ${i.resolved}
impact:
  summary: Webmail was slow.
  customers_affected: 1200
root_cause:
  category: hardware
  summary: A disk failed.
timeline:
  - at: ${i.started}
    event: Disk fails.
    kind: trigger
  - at: ${i.resolved}
    event: Disk replaced.
    kind: resolution
${i.remediations ?? ''}owners:
  authors: [ann]
---

## Summary

Something broke.
${i.extraBody ?? ''}`;
}

export const NOTES = `# Q2 review with HostCo

Prepared for the meeting.

## Agenda

- 09:00 Incidents

## Growth plans

We will double in size.

## Questions for HostCo

1. Why did the disk fail?
`;

/** Files of the fixture: one incident before the period (by local date), two in it, one of another provider, one after. */
export function packetFixture(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'postmortem.config.yaml': PACKET_CONFIG,
    'reviews/q2.md': NOTES,
    // 2007-04-01T02:00Z is still March 31 in New York: outside the period
    'incidents/a-edge-before.md': incidentFile({
      id: 'a-edge-before',
      title: 'Edge before the period',
      provider: 'hostco',
      started: '2007-04-01T02:00:00Z',
      resolved: '2007-04-01T03:00:00Z',
    }),
    'incidents/b-in-period.md': incidentFile({
      id: 'b-in-period',
      title: 'Disk <failure> & "slow" webmail',
      provider: 'hostco',
      started: '2007-04-01T05:00:00Z',
      resolved: '2007-04-01T06:30:00Z',
      severity: 'SEV1',
      remediations: `remediations:
  - id: R1
    action: Replace the disk shelf.
    type: prevent
    owner: bob
    due: 2007-05-01
    status: open
  - id: R2
    action: Add disk alerts.
    type: detect
    owner: ann
    due: 2007-09-01
    status: in-progress
  - id: R3
    action: Write the runbook.
    type: process
    owner: ann
    status: done
`,
      extraBody: `
## Questions for the provider

Why was the shelf <script>alert(1)</script> not replaced? See [the ticket](javascript:alert(1)).
`,
    }),
    'incidents/c-in-period.md': incidentFile({
      id: 'c-in-period',
      title: 'Second hostco incident',
      provider: 'hostco',
      started: '2007-06-30T23:00:00-04:00',
      resolved: '2007-07-01T00:30:00-04:00',
    }),
    'incidents/d-other-provider.md': incidentFile({
      id: 'd-other-provider',
      title: 'Other provider incident',
      provider: 'other-net',
      started: '2007-05-10T10:00:00-04:00',
      resolved: '2007-05-10T11:00:00-04:00',
      severity: 'SEV3',
    }),
    // 2007-07-01T03:00Z is June 30 in New York: inside the period
    'incidents/e-edge-after.md': incidentFile({
      id: 'e-edge-after',
      title: 'Late on the last evening',
      provider: 'hostco',
      started: '2007-07-01T03:00:00Z',
      resolved: '2007-07-01T03:40:00Z',
    }),
    'incidents/f-after.md': incidentFile({
      id: 'f-after',
      title: 'After the period',
      provider: 'hostco',
      started: '2007-07-01T12:00:00-04:00',
      resolved: '2007-07-01T13:00:00-04:00',
    }),
    'incidents/g-last-year.md': incidentFile({
      id: 'g-last-year',
      title: 'Last year',
      provider: 'hostco',
      started: '2006-12-10T12:00:00-05:00',
      resolved: '2006-12-10T14:00:00-05:00',
      severity: 'SEV4',
    }),
    ...extra,
  };
}
