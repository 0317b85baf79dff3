import type { Rule } from './rule.js';
import { BASE_PATH, kb } from './fixtures.js';
import { customerTexts } from './customer-fields.js';

/** Scripts by the languages that write in them; every other language is taken to write in Latin. */
const SCRIPTS: Record<string, RegExp> = {
  Han: /\p{Script=Han}/u,
  Kana: /[\p{Script=Hiragana}\p{Script=Katakana}]/u,
  Hangul: /\p{Script=Hangul}/u,
  Cyrillic: /\p{Script=Cyrillic}/u,
  Arabic: /\p{Script=Arabic}/u,
  Hebrew: /\p{Script=Hebrew}/u,
  Greek: /\p{Script=Greek}/u,
  Thai: /\p{Script=Thai}/u,
  Latin: /\p{Script=Latin}/u,
};
const SCRIPT_NAMES = Object.keys(SCRIPTS);
const LANGUAGE_SCRIPTS: Record<string, string[]> = {
  zh: ['Han'],
  ja: ['Han', 'Kana'],
  ko: ['Hangul', 'Han'],
  ru: ['Cyrillic'],
  uk: ['Cyrillic'],
  bg: ['Cyrillic'],
  sr: ['Cyrillic', 'Latin'],
  ar: ['Arabic'],
  fa: ['Arabic'],
  he: ['Hebrew'],
  el: ['Greek'],
  th: ['Thai'],
};
/** Frequent short words: enough to tell these languages apart in a sentence or two. */
const STOPWORDS: Record<string, Set<string>> = {
  en: new Set('the and of to was were is are our we for with not could in on that it by from this as at you your has have been'.split(' ')),
  de: new Set(
    'der die das und nicht ist wir war wurde wurden unsere unser mit für auf den dem ein eine konnten von zu im es sich auch ihre sie'.split(
      ' ',
    ),
  ),
  fr: new Set('le la les et des est nous pas une un du pour avec sur ont été dans que qui nos vous votre'.split(' ')),
  es: new Set('el la los las y de que no es una por con para nuestro nuestros fue se del en su sus'.split(' ')),
  nl: new Set('de het en niet een van wij was werd onze met voor op zijn dat konden ook'.split(' ')),
};
const NAMES: Record<string, string> = { en: 'English', de: 'German', fr: 'French', es: 'Spanish', nl: 'Dutch' };

function dominantScript(text: string): string | undefined {
  const counts = new Map<string, number>();
  // ASCII letters are Latin, other ASCII characters in no script: the common case, counted
  // without a regex or a map update per character ('Latin' still takes its place in `counts`
  // when first seen, so ties go to the script seen first, as ever)
  let asciiLetters = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      const lower = c | 0x20;
      if (lower >= 0x61 && lower <= 0x7a && asciiLetters++ === 0 && !counts.has('Latin')) counts.set('Latin', 0);
      continue;
    }
    const point = text.codePointAt(i)!;
    if (point > 0xffff) i++;
    const ch = String.fromCodePoint(point);
    const script = SCRIPT_NAMES.find((s) => SCRIPTS[s]!.test(ch));
    if (script) counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  if (asciiLetters > 0) counts.set('Latin', counts.get('Latin')! + asciiLetters);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** What the text reads as, when it clearly is not `language` (a BCP-47 tag), else undefined. */
export function otherLanguage(text: string, language: string): string | undefined {
  const primary = language.split('-')[0]!.toLowerCase();
  const expected = LANGUAGE_SCRIPTS[primary] ?? ['Latin'];
  const script = dominantScript(text);
  if (script && !expected.includes(script)) return `${script} script`;
  if (script !== 'Latin' || !STOPWORDS[primary]) return undefined;
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length < 6) return undefined;
  const score = (lang: string) => words.filter((w) => STOPWORDS[lang]!.has(w)).length;
  const scores = Object.keys(STOPWORDS).map((l) => [l, score(l)] as const);
  const mine = scores.find(([l]) => l === primary)![1];
  const [best, count] = scores.sort((a, b) => b[1] - a[1])[0]!;
  return best !== primary && count >= 3 && count > 2 * mine ? NAMES[best] : undefined;
}

export const customerLanguage: Rule = {
  id: 'customer-language',
  severity: 'warning',
  description: 'A customer field that reads as another language than the config `language` (by its script, or by frequent words).',
  stage: 'incident',
  checkIncident({ incident, config, report }) {
    for (const { field, text, at } of customerTexts(incident)) {
      const other = otherLanguage(text, config.language);
      if (other) report(`\`${field}\` reads as ${other}, but customer documents are in \`${config.language}\` (config \`language\`)`, at);
    }
  },
  examples: {
    ok: [
      {
        name: 'English',
        files: kb((t) =>
          t.replace(
            'summary: Customers could not read mail.',
            'summary: Customers could not read their mail for an hour, and we are sorry.',
          ),
        ),
        expect: [],
      },
      {
        name: 'German when the config says de',
        files: kb(
          (t) =>
            t.replace(
              'summary: Customers could not read mail.',
              'summary: Unsere Kunden konnten ihre E-Mails nicht lesen, und das war nicht gut.',
            ),
          {
            'postmortem.config.yaml': `language: de\n${'timezone: America/New_York\nservices: [webmail]\nlocations:\n  dulles-va: Dulles, VA\nowners:\n  - {id: bill, name: Bill Example, title: our chief technology officer, public: true}\n'}`,
          },
        ),
        expect: [],
      },
    ],
    notOk: [
      {
        name: 'a German summary in an English letter',
        files: kb((t) =>
          t.replace(
            'summary: Customers could not read mail.',
            'summary: Unsere Kunden konnten ihre E-Mails nicht lesen, und das war nicht gut.',
          ),
        ),
        expect: [
          `${BASE_PATH}:13:12: warning \`impact.summary\` reads as German, but customer documents are in \`en\` (config \`language\`) [customer-language]`,
        ],
      },
      {
        name: 'a Japanese title',
        files: kb((t) => t.replace('title: Load balancer overload', 'title: ロードバランサーの過負荷')),
        expect: [
          `${BASE_PATH}:3:8: warning \`title\` reads as Kana script, but customer documents are in \`en\` (config \`language\`) [customer-language]`,
        ],
      },
    ],
  },
};
