import { it } from 'vitest';
import { customerMarkdown, markdownText } from '../src/letter/markdown.js';
it('x', () => {
  for (const s of ['<script>alert(1)</script>', '[x](javascript:alert(1))', '# head *em* _u_ `c` \\ 1. two', '<img src=x onerror=alert(1)>', '![i](https://evil.example/x.png)', 'a & b &amp; <iframe src="https://x">', '- list', '99.6% of A&B'])
    console.log(JSON.stringify(s), '=>', JSON.stringify(markdownText(s)), '|', JSON.stringify(customerMarkdown(s)));
});
