/**
 * The text a reader sees in a packet's HTML: style, title and SVG descriptions dropped, tags
 * dropped, the entities our renderers write decoded, whitespace collapsed. (Shared by the packet
 * tests; the tripwire's own `visibleText` in src/letter/tripwire.ts is what the product checks.)
 */
export function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<title[\s\S]*?<\/title>/g, ' ')
    .replace(/<desc[\s\S]*?<\/desc>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#x27;/g, "'")
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}
