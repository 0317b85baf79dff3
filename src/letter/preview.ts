import type { KnowledgeBase } from '../kb/load.js';
import { validateAcross } from '../kb/validate.js';
import { sortProblems, type Problem } from '../problems.js';
import { customerLanguage } from '../rules/customer-language.js';
import { customerMarkup } from '../rules/customer-markup.js';
import { letterCustomerWording } from '../rules/letter-customer-wording.js';
import { remediationCustomerWording } from '../rules/remediation-customer-wording.js';
import { UserError } from '../commands/context.js';
import { defaultLetterName, selectIncidents, type LetterRequest } from './document.js';
import { customerLetter, LetterInputError, type CustomerLetter } from './model.js';
import { renderLetter } from './render.js';
import type { Claim } from './sentences.js';

/** The `check` rules about customer-facing text, which a preview repeats for its incidents. */
const CUSTOMER_RULES = [customerMarkup, customerLanguage, remediationCustomerWording];

export interface LetterPreview {
  name: string;
  letter: CustomerLetter;
  /** Customer-text warnings for the letter's incidents, as `check` reports them. */
  problems: Problem[];
  /** Words of the letter body (everything before the valediction), in the Markdown letter. */
  words: number;
  claims: Claim[];
}

/** Words a reader reads in a Markdown letter up to "Sincerely,": the length that decides whether it is read at all. */
export function letterWords(markdown: string): number {
  const body = markdown.split(/\n(?:Sincerely|Yours|Best regards|Kind regards),?\n/)[0]!;
  return body.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/**
 * What `postmortem letter --preview` shows, without writing anything: the customer-text
 * warnings of the incidents (as if the letter were declared under `documents:`), the word
 * count and every claim with its rule and fields.
 */
export function previewLetter(kb: KnowledgeBase, request: LetterRequest): LetterPreview {
  const incidents = selectIncidents(kb, request.ids, request.includeDrafts ?? false);
  let letter: CustomerLetter;
  try {
    letter = customerLetter(incidents, kb.config, {
      signer: request.signer ?? kb.config.letter.signer,
      audience: request.audience ?? kb.config.letter.audience,
      date: request.date,
    });
  } catch (error) {
    if (error instanceof LetterInputError) throw new UserError(error.message);
    throw error;
  }
  const name = request.name ?? defaultLetterName(incidents, letter);
  const files = new Set(incidents.map((i) => i.file));
  const ids = new Set(CUSTOMER_RULES.map((r) => r.id));
  const declared = { ...kb.config, documents: [{ type: 'letter' as const, name, incidents: incidents.map((i) => i.id) }] };
  const sources = new Map(kb.sources.map((s) => [s.file, s]));
  const asLetter = validateAcross(incidents, sources, declared).problems.filter((p) => p.ruleId === letterCustomerWording.id);
  const problems = sortProblems([...kb.problems.filter((p) => files.has(p.file) && ids.has(p.ruleId)), ...asLetter]);
  return { name, letter, problems, words: letterWords(renderLetter(kb.root, letter).markdown), claims: letter.claims };
}
