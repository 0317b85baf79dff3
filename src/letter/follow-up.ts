import type { Incident } from '../model/incident.js';
import { Temporal } from '../model/time.js';
import { englishDate } from '../format/time.js';
import { UserError } from '../commands/context.js';
import { customerWording, publicLeader, settledBy, type LetterPromises } from './promises.js';

/**
 * A follow-up letter's account of an earlier letter's promises, as of the follow-up's date,
 * from the records as they stand and the promises file:
 *
 * - done: settled as done on or before the date (`completed`, shown when the record has it);
 * - rescheduled: not done, and the record's `due` is now later than the promised by-when;
 * - late: not done, the promised by-when has passed and the record gives no later date;
 * - under way: not done and still within its by-when (or none was promised);
 * - dropped: marked `wont-do` on or before the date.
 *
 * The wording is the one the earlier letter printed, so customers recognise each promise.
 */
export interface FollowUpItem {
  wording: string;
  /** "Led by Bill Boebel, our chief technology officer" or "Led by our team". */
  lead_text: string;
  /** "October 31, 2007", or null when no by-when was promised. */
  promised_by: string | null;
  /** "September 14, 2007" for done items whose record has a completion date. */
  completed_on: string | null;
  /** The record's later by-when, for rescheduled items. */
  new_by: string | null;
}

export type FollowUpKind = 'done' | 'rescheduled' | 'late' | 'under_way' | 'dropped';

/** One section of the follow-up letter: its heading and its items, each with the sentence saying where it stands. */
export interface FollowUpSection {
  heading: string;
  items: (FollowUpItem & { kind: FollowUpKind; status: string })[];
}

export interface FollowUp {
  /** The earlier letter's date, "June 13, 2007". */
  earlier_date: string;
  /** The letter's subject: "An update on the changes we promised on June 13, 2007". */
  subject: string;
  count: number;
  done: FollowUpItem[];
  rescheduled: FollowUpItem[];
  late: FollowUpItem[];
  under_way: FollowUpItem[];
  dropped: FollowUpItem[];
  /** What the templates show, in this order, empty sections left out. */
  sections: FollowUpSection[];
}

/** Where an item stands, in one sentence. */
const STATUS: Record<FollowUpKind, (item: FollowUpItem) => string> = {
  done: (i) => (i.completed_on ? `Finished on ${i.completed_on}.` : 'Finished.'),
  rescheduled: (i) => `We planned to finish this by ${i.promised_by}; we now plan to finish it by ${i.new_by}.`,
  late: (i) => `We planned to finish this by ${i.promised_by}, and it is not finished yet.`,
  under_way: (i) => (i.promised_by ? `Planned to be finished by ${i.promised_by}.` : 'Under way.'),
  dropped: () => 'We decided not to go ahead with this.',
};

const SECTIONS: { heading: string; kinds: FollowUpKind[] }[] = [
  { heading: 'What we have finished', kinds: ['done'] },
  { heading: 'What is taking longer than we said', kinds: ['rescheduled', 'late'] },
  { heading: 'What is still under way', kinds: ['under_way'] },
  { heading: 'What we decided not to do', kinds: ['dropped'] },
];

function sections(followUp: Omit<FollowUp, 'sections'>): FollowUpSection[] {
  return SECTIONS.map(({ heading, kinds }) => ({
    heading,
    items: kinds.flatMap((kind) => followUp[kind].map((item) => ({ ...item, kind, status: `${STATUS[kind](item)} ${item.lead_text}.` }))),
  })).filter((s) => s.items.length > 0);
}

const day = (iso: string) => englishDate(Temporal.PlainDate.from(iso), false, true);

/** Builds the follow-up part from `promises`, the current `incidents` and the follow-up's date (YYYY-MM-DD). */
export function followUp(
  promises: LetterPromises,
  incidents: readonly Incident[],
  date: string,
  config: Parameters<typeof publicLeader>[1],
): FollowUp {
  if (date < promises.date) {
    throw new UserError(
      `a follow-up dated ${date} cannot come before the letter it follows ("${promises.letter}", ${promises.date})`,
      'Give the follow-up a later --date (or date: in its documents: entry).',
    );
  }
  const result: Omit<FollowUp, 'sections'> = {
    earlier_date: day(promises.date),
    subject: `An update on the changes we promised on ${day(promises.date)}`,
    count: promises.promises.length,
    done: [],
    rescheduled: [],
    late: [],
    under_way: [],
    dropped: [],
  };
  const byId = new Map(incidents.map((i) => [i.id, i]));
  for (const promise of promises.promises) {
    const remediation = byId.get(promise.incident)?.remediations.find((r) => r.id === promise.remediation);
    if (!remediation) {
      throw new UserError(
        `letter "${promises.letter}" promised remediation ${promise.remediation} of incident ${promise.incident}, which the record no longer has`,
        'A follow-up says what became of every promise: keep the remediation in the record and set its status (done, or wont-do when it was dropped).',
      );
    }
    const leader = publicLeader(remediation, config);
    const item: FollowUpItem = {
      wording: promise.wording || customerWording(remediation),
      lead_text: leader ? `Led by ${leader}` : 'Led by our team',
      promised_by: promise.due ? day(promise.due) : null,
      completed_on: null,
      new_by: null,
    };
    const settled = settledBy(remediation, date);
    if (settled && remediation.status === 'wont-do') result.dropped.push(item);
    else if (settled) result.done.push({ ...item, completed_on: remediation.completed ? day(remediation.completed) : null });
    else if (remediation.due && promise.due !== null && remediation.due > promise.due)
      result.rescheduled.push({ ...item, new_by: day(remediation.due) });
    else if (promise.due !== null && promise.due < date) result.late.push(item);
    else result.under_way.push({ ...item, promised_by: item.promised_by ?? (remediation.due ? day(remediation.due) : null) });
  }
  return { ...result, sections: sections(result) };
}
