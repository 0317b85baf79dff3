import { compactDuration } from '../format/time.js';
import type { Notes } from './notes.js';
import type { BriefNumbers } from './brief.js';
import type { CreditsView } from './credits-view.js';

/**
 * Page 1 after the cover: three to five numbers for this provider, the top asks and the
 * decisions needed from the notes (`{asks}`, `{decisions}` sections), then the agenda mapped
 * to the packet's sections.
 */
export interface BriefView {
  facts: { value: string; label: string; detail: string }[];
  asks: { number: number; text: string }[];
  /** Asks not shown, and where the full list is. */
  moreAsks: { count: number; ref: string } | undefined;
  decisions: string[];
  agenda: { number: string; title: string }[];
}

/** How many asks the brief shows; the rest are in the notes section. */
export const TOP_ASKS = 3;

const count = (n: number, word: string) => `${n} ${n === 1 ? word : `${word}s`}`;
const LEVEL_NAMES: Record<string, string> = {
  outage: 'outage',
  'partial-outage': 'partial outage',
  degraded: 'degraded',
  delayed: 'delayed',
  'data-loss': 'data loss',
};

export interface BriefInput {
  provider: string;
  numbers: BriefNumbers;
  credits: CreditsView | undefined;
  notes: Notes | undefined;
  /** Section number of each notes anchor (from the contents). */
  sectionOf: (anchor: string) => string | undefined;
  agenda: { number: string; title: string }[];
  meetingDay: string;
  /** A service's display name. */
  serviceName: (id: string) => string;
}

function facts(input: BriefInput): BriefView['facts'] {
  const { provider, numbers, credits, meetingDay, serviceName } = input;
  const { incidents, impactByLevel, availability, remediations } = numbers;
  const list: BriefView['facts'] = [
    {
      value: String(incidents.total),
      label: `${incidents.total === 1 ? 'incident' : 'incidents'} involved ${provider}`,
      // the severities are of every incident involved, and say so: after "caused by them" they read as the caused ones'
      detail: `${incidents.caused} caused by them${incidents.bySeverity.length ? ` · all ${incidents.total} by severity: ${incidents.bySeverity.map((s) => `${s.severity} ${s.incidents}`).join(', ')}` : ''}`,
    },
  ];
  const levels = impactByLevel.filter((l) => l.minutes > 0);
  list.push({
    value: levels.length ? levels.map((l) => compactDuration(l.minutes)).join(' + ') : '0m',
    label: `of customer impact ${provider} caused`,
    detail: levels.length
      ? levels.map((l) => `${compactDuration(l.minutes)} ${LEVEL_NAMES[l.level] ?? l.level} (${count(l.incidents, 'incident')})`).join(', ')
      : 'no window attributed to them',
  });
  const worst = availability[0];
  if (worst) {
    // only a contract says which services they run for us; without one, the services are those
    // their incidents affected, and the brief says that instead
    const contract = numbers.servicesFrom === 'contract';
    const others = availability.slice(1).map((a) => `${serviceName(a.service)} ${a.percent === null ? '—' : `${a.percent.toFixed(3)}%`}`);
    const which = contract
      ? 'their worst service'
      : others.length
        ? 'the lowest of the services their incidents affected'
        : 'the service their incidents affected';
    list.push({
      value: worst.percent === null ? '—' : `${worst.percent.toFixed(3)}%`,
      label: `availability of ${serviceName(worst.service)}, ${which}${worst.target !== null ? `, against ${worst.target}% contracted` : ''}`,
      detail: others.join(', ') || (contract ? 'the only service they run for us' : 'no contract in the config names their services'),
    });
  }
  if (credits) {
    list.push({
      value: credits.claimable.join(' + ') || 'nothing',
      label: 'in service credits we can still claim',
      detail: `${credits.totals.join(' + ') || 'nothing'} owed for ${credits.owedText} below a contract tier in the period; see section ${input.sectionOf('credits') ?? '—'}`,
    });
  }
  list.push({
    value: `${remediations.done} done · ${remediations.open} open · ${remediations.overdue} overdue`,
    label: `remediations ${provider} owns, on ${meetingDay}`,
    detail: remediations.wontDo ? `${remediations.wontDo} will not be done` : 'every remediation owned by them in the knowledge base',
  });
  return list;
}

export function briefView(input: BriefInput): BriefView {
  const sections = input.notes?.sections ?? [];
  const asks = sections.find((s) => s.flags.includes('asks'));
  const decisions = sections.find((s) => s.flags.includes('decisions'));
  const items = asks?.items ?? [];
  return {
    facts: facts(input),
    asks: items.slice(0, TOP_ASKS).map((i) => ({ number: i.number, text: i.lead })),
    moreAsks: asks && items.length > TOP_ASKS ? { count: items.length - TOP_ASKS, ref: input.sectionOf(asks.anchor) ?? '' } : undefined,
    decisions: (decisions?.items ?? []).map((i) => i.text),
    agenda: input.agenda,
  };
}
