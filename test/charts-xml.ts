/**
 * A small XML well-formedness check for the SVG the charts produce (no XML parser is a
 * dependency): balanced tags, quoted attributes without raw "<" or "&", known entities only,
 * exactly one root element. Returns the problems found (empty when well-formed) and the
 * element names in document order.
 */
export function checkXml(xml: string): { errors: string[]; elements: string[] } {
  const errors: string[] = [];
  const elements: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  const entity = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;
  const checkText = (text: string, where: string) => {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '<') errors.push(`raw "<" in ${where}`);
      if (text[i] === '&') {
        entity.lastIndex = i;
        if (!entity.test(text)) errors.push(`bad entity in ${where}: ${text.slice(i, i + 10)}`);
      }
    }
  };
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*\s*=\s*"[^"]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = lt === -1 ? xml.slice(i) : xml.slice(i, lt);
    if (text.trim() && stack.length === 0) errors.push(`text outside the root element: ${text.slice(0, 20)}`);
    checkText(text, 'text');
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    if (!m) {
      errors.push(`malformed tag at ${lt}: ${xml.slice(lt, lt + 40)}`);
      break;
    }
    const [whole, closing, name, attrs, selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open !== name) errors.push(`</${name}> closes <${open ?? 'nothing'}>`);
    } else {
      elements.push(name!);
      if (stack.length === 0) roots++;
      const seen = new Set<string>();
      for (const a of attrs!.matchAll(/([A-Za-z_:][\w:.-]*)\s*=\s*"([^"]*)"/g)) {
        if (seen.has(a[1]!)) errors.push(`duplicate attribute ${a[1]} on <${name}>`);
        seen.add(a[1]!);
        checkText(a[2]!, `attribute ${a[1]} of <${name}>`);
      }
      if (!selfClosing) stack.push(name!);
    }
    i = lt + whole.length;
  }
  if (stack.length) errors.push(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) errors.push(`${roots} root elements`);
  return { errors, elements };
}
