import { describe, expect, it } from 'vitest';
import {
  isSentence,
  joinList,
  leaderPhrase,
  numberWord,
  percentPhrase,
  plainText,
  scopePhrase,
  serviceLabel,
  signatureTitle,
  symptomPhrase,
  unitPhrase,
} from '../src/letter/phrases.js';
import { customerMarkdown, markdownText } from '../src/letter/markdown.js';
import { findLeak, fragments, readerText, type InternalString } from '../src/letter/tripwire.js';
import { stableStructureIds } from '../src/render/pdf.js';

describe('letter phrases', () => {
  it('rounds fractional percentages down and says so', () => {
    expect(percentPhrase(99.6)).toBe('more than 99%');
    expect(percentPhrase(99.01)).toBe('more than 99%');
    expect(percentPhrase(95)).toBe('95%');
    expect(percentPhrase(0.4)).toBe('a small share');
    expect(percentPhrase(100)).toBe('all');
  });

  it('says a unit in its own words, a scope with it, and a leader once', () => {
    expect(unitPhrase('customers')).toBe('affected customers');
    expect(unitPhrase('network')).toBe('our network');
    expect(scopePhrase({ kind: 'percent', value: 85, of: 'network' })).toBe('85% of our network');
    expect(scopePhrase({ kind: 'count', value: 883, of: 'sites' })).toBe('883 sites');
    expect(leaderPhrase('CrowdStrike', 'CrowdStrike engineering')).toBe('CrowdStrike engineering');
    expect(leaderPhrase('Bill Boebel', 'our chief technology officer')).toBe('Bill Boebel, our chief technology officer');
    expect(leaderPhrase('Fixture Editor', '')).toBe('Fixture Editor');
  });

  it('never shows markup as literal text, and knows a sentence', () => {
    expect(plainText("Mail was slow.<img src=x onerror=alert(1)> <script>alert('t5')</script>See [Details](javascript:x).")).toBe(
      'Mail was slow. See Details.',
    );
    expect(isSentence('We changed how our load balancers fail over.')).toBe(true);
    expect(isSentence('Add lb units')).toBe(false);
    expect(isSentence('rebuild_routes.pl needs --schema.')).toBe(false);
  });

  it('turns symptoms, services, titles and counts into customer English', () => {
    expect(symptomPhrase('cannot access email')).toBe('unable to access email');
    expect(symptomPhrase("can't  send mail")).toBe('unable to send mail');
    expect(symptomPhrase('delayed incoming mail')).toBe('with delayed incoming mail');
    expect(symptomPhrase('no webmail')).toBe('without webmail');
    expect(serviceLabel('imap')).toBe('IMAP');
    expect(serviceLabel('smtp-inbound')).toBe('SMTP inbound');
    expect(serviceLabel('mail-routing')).toBe('mail routing');
    expect(signatureTitle('our chief executive officer')).toBe('Chief Executive Officer');
    expect(signatureTitle('head of customer care and the support desk')).toBe('Head of Customer Care and the Support Desk');
    expect(joinList(['POP', 'IMAP', 'webmail'])).toBe('POP, IMAP and webmail');
    expect(joinList(['Dulles, VA'])).toBe('Dulles, VA');
    expect(numberWord(2)).toBe('two');
    expect(numberWord(14)).toBe('14');
  });
});

describe('Markdown for the Markdown letter', () => {
  it('escapes plain text so it shows exactly as written', () => {
    expect(markdownText('<script>x</script> [a](javascript:b) *c* `d`')).toBe(
      '\\<script>x\\</script> \\[a]\\(javascript:b) \\*c\\* \\`d\\`',
    );
    expect(markdownText('# not a heading\n- not a list')).toBe('\\# not a heading - not a list');
  });

  it('keeps safe Markdown and drops raw HTML, images and unsafe links', () => {
    expect(
      customerMarkdown(
        'Hello *there* and [docs](https://example.com/x).\n\n<script>bad()</script>\n\n![img](https://evil.example/t.gif)\n\n[x](javascript:alert(1)) [y](http://plain.example) [mail](mailto:help@example.com)',
      ),
    ).toBe('Hello _there_ and [docs](https://example.com/x).\n\nx y [mail](mailto:help@example.com)');
  });
});

describe('tripwire matching', () => {
  const needle = (text: string, kind: InternalString['kind'] = 'fragment'): InternalString => ({
    incident: 'x',
    field: 'root_cause.summary',
    text,
    kind,
  });

  it('splits internal text into distinctive sentences and lines', () => {
    expect(fragments('- The lb group was too small. It flapped.\n## Heading line here\n1. Short.')).toEqual([
      'The lb group was too small. It flapped.',
      'The lb group was too small.',
      'Heading line here',
    ]);
  });

  it('finds internal text through HTML escaping, Markdown escaping, markup and line wrapping', () => {
    const secret = needle('The session store on websess3 ran out of connections after a pool resize (it\'s "pool_max").');
    expect(
      findLeak(
        [
          {
            format: 'HTML',
            text: '<p>The session <em>store</em> on websess3 ran out of\nconnections after a pool resize (it&#x27;s &quot;pool_max&quot;).</p>',
            markup: 'html',
          },
        ],
        [secret],
      )?.format,
    ).toBe('HTML');
    expect(
      findLeak(
        [
          {
            format: 'Markdown',
            text: 'The session store on websess3 ran out of connections after a pool resize (it\'s "pool\\_max").',
            markup: 'markdown',
          },
        ],
        [secret],
      )?.format,
    ).toBe('Markdown');
    expect(
      findLeak(
        [
          {
            format: 'PDF',
            text: 'The session store on web-\nsess3 ran out of connec-\ntions after a pool resize\nPage 1 of 2\n(it’s “pool_max”).',
            markup: 'text',
          },
        ],
        [secret],
      ),
    ).toBeUndefined();
    expect(
      findLeak(
        [
          {
            format: 'PDF',
            text: 'The session store on websess3 ran out of\nconnections after a pool\nresize (its pool max).',
            markup: 'text',
          },
        ],
        [secret],
      )?.format,
    ).toBe('PDF');
  });

  it('searches what a reader can reach: link targets (decoded), titles and alt text, without invisible characters', () => {
    const name = needle('Owen Park', 'word');
    const html = (t: string) => [{ format: 'HTML', text: t, markup: 'html' as const }];
    expect(findLeak(html('<p><a href="https://x.example/?who=Owen%2520Park">status</a></p>'), [name])).toBeDefined();
    expect(findLeak(html('<p><a href="https://x.example/" title="ask owen park">status</a></p>'), [name])).toBeDefined();
    expect(findLeak(html("<p><img src='https://x.example/a.png' alt='Owen Park'></p>"), [name])).toBeDefined();
    expect(findLeak(html('<p>Owen\u2060 P\u00adark</p>'), [name])).toBeDefined();
    expect(findLeak(html('<p><a href="https://x.example/owen-parker">status</a></p>'), [name])).toBeUndefined();
    expect(findLeak(html('<p>Owen P<b>ar</b><a href="#x">k</a> was on call</p>'), [name])).toBeDefined();
    expect(readerText({ format: 'HTML', text: '<a href="https://x.example/a%20b" title="T">x\u200by</a>', markup: 'html' })).toBe(
      'xy https://x.example/a b T',
    );
    expect(readerText({ format: 'HTML', text: '<p>&constructor; &toString; &amp;</p>', markup: 'html' })).toBe(
      ' &constructor; &toString; & ',
    );
  });

  it('matches names, e-mails and tickets as whole words only', () => {
    const name = needle('Owen Park', 'word');
    const ticket = needle('OPS-1411', 'word');
    const text = (t: string) => [{ format: 'HTML', text: t, markup: 'html' as const }];
    expect(findLeak(text('<p>owen\n park was on call</p>'), [name])).toBeDefined();
    expect(findLeak(text('<p>Bowen Parker was on call</p>'), [name])).toBeUndefined();
    expect(findLeak(text('<p>see OPS-1411.</p>'), [ticket])).toBeDefined();
    expect(findLeak(text('<p>see OPS-14110</p>'), [ticket])).toBeUndefined();
  });

  it('ignores internal text that the customer fields already say', () => {
    const repeated = needle('Login restored for the remaining customers.');
    const html = [{ format: 'HTML', text: '<td>Login restored for the remaining customers.</td>', markup: 'html' as const }];
    expect(findLeak(html, [repeated], 'loginrestoredfortheremainingcustomers')).toBeUndefined();
    expect(findLeak(html, [repeated], '')).toBeDefined();
  });
});

describe('reproducible PDFs', () => {
  it("renumbers Chromium's per-print structure ids in order, keeping every offset", () => {
    const pdf = (a: number, b: number) =>
      Buffer.from(
        `/ID (node000000${a}) /Headers [(node000000${b})] /Names [(node000000${a}) 1 0 R (node000000${b}) 2 0 R] (node12)`,
        'latin1',
      );
    const first = stableStructureIds(pdf(39, 76));
    expect(Buffer.from(first).toString('latin1')).toBe(
      '/ID (node00000001) /Headers [(node00000002)] /Names [(node00000001) 1 0 R (node00000002) 2 0 R] (node12)',
    );
    expect(Buffer.from(stableStructureIds(pdf(37, 74)))).toEqual(Buffer.from(first));
    expect(first.length).toBe(pdf(39, 76).length);
  });
});
