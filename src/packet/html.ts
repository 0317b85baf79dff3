import type Handlebars from 'handlebars';
import { sanitizedHtml } from '../render/handlebars.js';

/**
 * HTML that may be inserted into a packet template unescaped: Markdown rendered by
 * `markdownToHtml` (sanitised) or SVG from `src/charts` (every text escaped there).
 */
export type SafeHtml = Handlebars.SafeString;

export function safe(html: string): SafeHtml {
  return sanitizedHtml(html);
}
