/**
 * A valid incident the rules' examples start from. Line numbers matter: examples point
 * at lines of this text, so keep it as it is.
 *
 *  1 ---                                   13   summary: Customers could not read mail.
 *  2 id: 2007-06-04-lb                     14 root_cause:
 *  3 title: Load balancer overload         15   category: capacity
 *  4 status: final                         16   summary: A traffic surge overloaded lb1.
 *  5 severity: SEV1                        17 timeline:
 *  6 services: [webmail]                   18   - at: 2007-06-04T09:12:00-04:00
 *  7 locations: [dulles-va]                19     event: Alert fired.
 *  8 started: 2007-06-04T09:10:00-04:00    20     kind: detection
 *  9 detected: 2007-06-04T09:12:00-04:00   21 remediations:
 * 10 mitigated: 2007-06-04T10:30:00-04:00  22   - {id: R1, action: Stop traffic bouncing., type: prevent, owner: bill, due: 2007-06-30, status: done}
 * 11 resolved: 2007-06-04T10:55:00-04:00   23 owners:
 * 12 impact:                               24   authors: [bill]
 *                                          25 ---
 *                                          26 ## Summary
 */
export const BASE_INCIDENT = `---
id: 2007-06-04-lb
title: Load balancer overload
status: final
severity: SEV1
services: [webmail]
locations: [dulles-va]
started: 2007-06-04T09:10:00-04:00
detected: 2007-06-04T09:12:00-04:00
mitigated: 2007-06-04T10:30:00-04:00
resolved: 2007-06-04T10:55:00-04:00
impact:
  summary: Customers could not read mail.
root_cause:
  category: capacity
  summary: A traffic surge overloaded lb1.
timeline:
  - at: 2007-06-04T09:12:00-04:00
    event: Alert fired.
    kind: detection
remediations:
  - {id: R1, action: Stop traffic bouncing., type: prevent, owner: bill, due: 2007-06-30, status: done}
owners:
  authors: [bill]
---
## Summary

Traffic overloaded the load balancers.
`;

export const BASE_CONFIG = `timezone: America/New_York
services: [webmail, pop, imap]
locations:
  dulles-va: Dulles, VA
providers: [rackspace]
provider_names: {rackspace: Rackspace}
owners:
  - {id: bill, name: Bill Example, title: our chief technology officer, public: true}
  - {id: dana, name: Dana Example}
service_names: {webmail: Webmail, pop: POP, imap: IMAP}
`;

export const BASE_PATH = 'incidents/2007-06-04-lb.md';

/** The base knowledge base with the incident text changed by `edit`. */
export function kb(
  edit: (text: string) => string = (t) => t,
  extra: Record<string, string | Uint8Array> = {},
  path = BASE_PATH,
): Record<string, string | Uint8Array> {
  return { 'postmortem.config.yaml': BASE_CONFIG, [path]: edit(BASE_INCIDENT), ...extra };
}

/** Replaces one line of the base incident (1-based line number) with `replacement`. */
export function replaceLine(text: string, line: number, replacement: string): string {
  const lines = text.split('\n');
  lines[line - 1] = replacement;
  return lines.join('\n');
}
