import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../output/write-file.js';
import { PACKAGE_ROOT } from '../paths.js';
import { rulesReference, withCommandReference } from './reference.js';
import { withSentenceRules } from '../letter/sentences.js';

// `npm run docs`: regenerate the command reference in README.md and docs/rules.md.
const readme = join(PACKAGE_ROOT, 'README.md');
const changedReadme = writeFileAtomic(readme, withCommandReference(readFileSync(readme, 'utf8')));
const changedRules = writeFileAtomic(join(PACKAGE_ROOT, 'docs', 'rules.md'), rulesReference());
const letters = join(PACKAGE_ROOT, 'docs', 'letters.md');
const changedLetters = writeFileAtomic(letters, withSentenceRules(readFileSync(letters, 'utf8')));
process.stdout.write(
  `README.md ${changedReadme ? 'updated' : 'unchanged'}; docs/rules.md ${changedRules ? 'updated' : 'unchanged'}; docs/letters.md ${changedLetters ? 'updated' : 'unchanged'}\n`,
);
