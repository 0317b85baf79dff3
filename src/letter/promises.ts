import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Config } from '../schema/config.js';
import type { Incident } from '../model/incident.js';
import type { Remediation } from '../schema/incident.js';
import { ID_PATTERN } from '../schema/id.js';
import { plainText } from './phrases.js';
import { LetterSettingError } from './setting-error.js';

/**
 * What a letter promised: the public remediations still planned on the letter's date, each with
 * its customer wording, its public leader and its by-when. Every letter writes them as
 * `<name>.promises.json` beside it; a follow-up letter (`follow-up.ts`) reads them back and
 * says what became of each. The file depends only on the records and the letter's date.
 */
export const PROMISES_VERSION = 1;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const promisesSchema = z.strictObject({
  version: z.literal(PROMISES_VERSION),
  letter: z.string().regex(ID_PATTERN),
  date: isoDate,
  incidents: z.array(z.string().regex(ID_PATTERN)).min(1),
  promises: z.array(
    z.strictObject({
      incident: z.string().regex(ID_PATTERN),
      remediation: z.string().min(1),
      wording: z.string().min(1),
      /** "Bill Boebel, our chief technology officer", or null for our team. */
      leader: z.string().nullable(),
      due: isoDate.nullable(),
    }),
  ),
});

export type LetterPromises = z.infer<typeof promisesSchema>;
export type LetterPromise = LetterPromises['promises'][number];

/** The file name of a letter's promises, beside its other files. */
export function promisesFile(name: string): string {
  return `${name}.promises.json`;
}

/** The remediation's customer wording: `customer_action`, else the action text (the letter's `changed`/`changing` rules). */
export function customerWording(remediation: Remediation): string {
  return plainText(remediation.customer_action ?? remediation.action);
}

/** Done (or dropped) by the end of `date`: status done or wont-do dated on or before it, or a completion date on or before it. */
export function settledBy(remediation: Remediation, date: string): boolean {
  if (remediation.completed !== undefined) return remediation.completed <= date;
  return remediation.status === 'done' || remediation.status === 'wont-do';
}

/** "Bill Boebel, our chief technology officer" for a public owner, else null ("our team"). */
export function publicLeader(remediation: Remediation, config: Pick<Config, 'owners'>): string | null {
  const owner = config.owners.find((o) => o.id === remediation.owner);
  if (!owner?.public) return null;
  const title = owner.title?.trim();
  return title ? `${owner.name}, ${title}` : owner.name;
}

/** The promises of a letter named `name`, dated `date` (YYYY-MM-DD), about `incidents`. */
export function letterPromises(name: string, date: string, incidents: readonly Incident[], config: Pick<Config, 'owners'>): LetterPromises {
  const promises: LetterPromise[] = [];
  for (const incident of incidents) {
    for (const r of incident.remediations) {
      if (!r.public || r.status === 'wont-do' || settledBy(r, date)) continue;
      promises.push({
        incident: incident.id,
        remediation: r.id,
        wording: customerWording(r),
        leader: publicLeader(r, config),
        due: r.due ?? null,
      });
    }
  }
  return { version: PROMISES_VERSION, letter: name, date, incidents: incidents.map((i) => i.id), promises };
}

export function promisesJson(promises: LetterPromises): string {
  return `${JSON.stringify(promises, null, 2)}\n`;
}

/** Reads `<out>/letters/<name>.promises.json`; a missing or malformed file is a `follows` problem. */
export function readPromises(lettersDir: string, name: string): LetterPromises {
  const file = promisesFile(name);
  let text: string;
  try {
    text = readFileSync(join(lettersDir, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LetterSettingError(
      code === 'ENOENT'
        ? `letter "${name}" has no promises file (letters/${file} in the output folder)`
        : `cannot read letters/${file}: ${code ?? (error as Error).message}`,
      'follows',
      `Write the letter "${name}" first (postmortem letter ... --name ${name}, or postmortem build when it is under documents:); every letter records its promises beside it.`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new LetterSettingError(`letters/${file} is not JSON`, 'follows', `Write the letter "${name}" again to renew it.`);
  }
  const parsed = promisesSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LetterSettingError(
      `letters/${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`,
      'follows',
      `Write the letter "${name}" again to renew it.`,
    );
  }
  return parsed.data;
}
