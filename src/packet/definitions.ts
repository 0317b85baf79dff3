import { availabilityMethod } from '../db/queries/stats.js';
import { mediumDate } from '../format/time.js';
import type { Temporal } from '../model/time.js';
import type { Config } from '../schema/config.js';
import { causedByText } from '../model/attribution.js';

/**
 * "How these are counted": the one place the packet states each method its numbers depend on.
 * Every such number links here by `#def-<id>` (the ids are part of the template contract, so
 * other chapters link to them too); no other part of the packet repeats a definition.
 */
export interface Definition {
  id: 'availability' | 'impact' | 'resolve' | 'overdue' | 'caused';
  anchor: string;
  term: string;
  text: string;
}

/** `provider`: the display name of the packet's provider, whose "Caused by" columns are defined here too. */
export function definitions(config: Config, asOf: Temporal.PlainDate, provider?: string): Definition[] {
  const day = mediumDate(asOf);
  const entries: Omit<Definition, 'anchor'>[] = [
    {
      id: 'availability',
      term: 'Availability',
      text: `${availabilityMethod(config.availability_weights)} Services without an incident in either period are at 100% and are not listed.`,
    },
    {
      id: 'impact',
      term: 'Customer impact',
      text: 'The time customers were affected: the union of an incident’s impact windows (without listed windows, from the start of impact to resolution), overlapping windows counted once and data-loss windows left out. Totals add every severity and every cause; an incident not yet resolved has no total yet.',
    },
    {
      id: 'resolve',
      term: 'Time to resolve',
      text: 'From the start of customer impact to `resolved` (without it, the end of the last impact window that is not data loss). Medians are over the incidents that have one.',
    },
    {
      id: 'overdue',
      term: 'Overdue',
      text: `A remediation that is open or in progress with a due date before ${day}; days overdue are counted to that day.`,
    },
    ...(provider ? [{ id: 'caused' as const, term: `Caused by ${provider}`, text: causedByText(provider) }] : []),
  ];
  return entries.map((e) => ({ ...e, anchor: `def-${e.id}` }));
}
