/**
 * A small knowledge base for the site tests: four incidents chosen so that every kind of
 * link and highlight appears once.
 *
 * - lb (SEV1, webmail, capacity) lists db as related; its Lessons section holds the unique
 *   word "zanzibar"; its title and a section carry HTML that must be escaped or dropped; it
 *   has an overdue open remediation (as_of 2008-01-15);
 * - db (SEV2, webmail, capacity): same category and service as lb, so they are "similar";
 * - dns and mx share words but nothing else, so they are similar "by text".
 */
export const SITE_CONFIG = `organization: Example Mail, Inc.
timezone: America/New_York
as_of: 2008-01-15
services: [webmail, dns, smtp-inbound]
locations:
  dulles-va: Dulles, VA
providers: [rackspace, keystone-dns]
owners:
  - {id: bill, name: Bill Example, title: our chief technology officer, team: engineering, public: true}
  - {id: dana, name: Dana Example, team: operations}
`;

interface Spec {
  id: string;
  title: string;
  severity: string;
  services: string[];
  category: string;
  started: string;
  resolved: string;
  provider?: string;
  impact: string;
  rootCause: string;
  related?: string[];
  remediations?: string[];
  body: string;
}

export function incidentText(s: Spec): string {
  return `---
id: ${s.id}
title: ${JSON.stringify(s.title)}
status: final
severity: ${s.severity}
services: [${s.services.join(', ')}]
locations: [dulles-va]
${s.provider ? `provider: ${s.provider}\n` : ''}started: ${s.started}
detected: ${s.started.replace(/T(\d\d):(\d\d)/, (_, h: string, m: string) => `T${h}:${String(Number(m) + 5).padStart(2, '0')}`)}
resolved: ${s.resolved}
impact:
  summary: ${JSON.stringify(s.impact)}
root_cause:
  category: ${s.category}
  summary: ${JSON.stringify(s.rootCause)}
timeline:
  - at: ${s.started}
    event: Impact began.
    kind: trigger
remediations:
${(s.remediations ?? ['  - {id: R1, action: Add monitoring., type: detect, owner: dana, due: 2007-12-01, status: done}']).join('\n')}
owners:
  commander: dana
  authors: [bill]
related: [${(s.related ?? []).join(', ')}]
---
${s.body}
`;
}

export const LB = incidentText({
  id: '2007-06-04-lb',
  title: 'Webmail <b>down</b> & "slow" at Dulles',
  severity: 'SEV1',
  services: ['webmail'],
  category: 'capacity',
  provider: 'rackspace',
  started: '2007-06-04T09:10:00-04:00',
  resolved: '2007-06-04T10:55:00-04:00',
  impact: 'Customers could not read mail in webmail.',
  rootCause: 'A traffic surge overloaded the load balancers.',
  related: ['2007-06-13-db'],
  remediations: [
    '  - {id: R1, action: Add two load balancers., type: prevent, owner: bill, due: 2007-07-01, status: open}',
    '  - {id: R2, action: Page on failover flapping., type: detect, owner: dana, due: 2007-06-15, status: done}',
  ],
  body: `## Summary

The load balancers saturated at the Monday peak.

## Timeline

- 09:30 — [action] Failover disabled.

## Lessons learned

Capacity reviews missed the zanzibar burst pattern.

<script>alert("owned")</script>
<img src="x" onerror="alert(1)">

## Questions for the provider

1. Why was preemption on?
`,
});

export const DB = incidentText({
  id: '2007-06-13-db',
  title: 'Mail routing database overloaded',
  severity: 'SEV2',
  services: ['webmail'],
  category: 'capacity',
  started: '2007-06-13T10:00:00-04:00',
  resolved: '2007-06-13T13:30:00-04:00',
  impact: 'Some customers could not log in to webmail.',
  rootCause: 'The routing database ran out of connections.',
  body: `## Summary

The routing database refused connections.
`,
});

export const DNS = incidentText({
  id: '2006-02-01-dns',
  title: 'Registrar delegation change broke name resolution',
  severity: 'SEV3',
  services: ['dns'],
  category: 'dependency',
  provider: 'keystone-dns',
  started: '2006-02-01T08:00:00-05:00',
  resolved: '2006-02-01T12:00:00-05:00',
  impact: 'Name resolution for our mail hosts failed for some resolvers.',
  rootCause: 'The registrar delegation change removed a nameserver glue record.',
  body: `## Summary

A registrar delegation change removed glue records.
`,
});

export const MX = incidentText({
  id: '2006-03-01-mx',
  title: 'Inbound mail deferred after a nameserver glue record change',
  severity: 'SEV4',
  services: ['smtp-inbound'],
  category: 'config',
  started: '2006-03-01T08:00:00-05:00',
  resolved: '2006-03-01T09:00:00-05:00',
  impact: 'Inbound mail was deferred by some senders.',
  rootCause: 'A nameserver glue record change at the registrar was wrong.',
  body: `## Summary

Senders deferred mail while the glue record was wrong.
`,
});

export function siteKb(extra: Record<string, string> = {}): Record<string, string> {
  return {
    'postmortem.config.yaml': SITE_CONFIG,
    'incidents/2007/2007-06-04-lb.md': LB,
    'incidents/2007/2007-06-13-db.md': DB,
    'incidents/2006/2006-02-01-dns.md': DNS,
    'incidents/2006/2006-03-01-mx.md': MX,
    ...extra,
  };
}

/**
 * More incidents for the incremental-build tests: enough that every page over many incidents
 * has rows and action items of several incidents (open, in progress and overdue ones, several
 * owners, two providers), so that a build after an edit copies most pieces and renders few.
 */
export function moreIncidents(count: number): Record<string, string> {
  const services = ['webmail', 'dns', 'smtp-inbound'];
  const categories = ['capacity', 'dependency', 'config', 'software'];
  const files: Record<string, string> = {};
  for (let n = 0; n < count; n++) {
    const day = String(n + 1).padStart(2, '0');
    const id = `2007-09-${day}-extra-${n}`;
    files[`incidents/2007/${id}.md`] = incidentText({
      id,
      title: `Extra incident ${n}: ${['queue backlog', 'certificate expiry', 'disk full', 'bad deploy'][n % 4]}`,
      severity: `SEV${(n % 4) + 1}`,
      services: n % 5 === 0 ? [services[n % 3]!, services[(n + 1) % 3]!] : [services[n % 3]!],
      category: categories[n % 4]!,
      ...(n % 2 ? { provider: 'rackspace' } : {}),
      started: `2007-09-${day}T0${n % 10}:00:00-04:00`,
      resolved: `2007-09-${day}T1${n % 10}:30:00-04:00`,
      impact: `Customers saw errors from the ${services[n % 3]} service.`,
      rootCause: `A ${categories[n % 4]} problem in the ${services[n % 3]} service.`,
      ...(n % 3 === 0 && n > 0 ? { related: [`2007-09-${String(n).padStart(2, '0')}-extra-${n - 1}`] } : {}),
      remediations: [
        `  - {id: R1, action: Fix the ${services[n % 3]} alerting., type: detect, owner: ${n % 2 ? 'bill' : 'dana'}, due: 2007-${n % 2 ? '12' : '10'}-0${(n % 9) + 1}, status: ${n % 3 ? 'open' : 'in-progress'}}`,
        `  - {id: R2, action: Add capacity., type: prevent, owner: ${n % 3 ? 'dana' : 'bill'}, due: 2008-0${(n % 9) + 1}-01, status: ${n % 4 ? 'open' : 'done'}}`,
      ],
      body: `## Summary\n\nExtra incident number ${n}.\n\n## Lessons learned\n\nLesson ${n} about the ${services[n % 3]} service.\n`,
    });
  }
  return files;
}
