/** A parsed element: its name, attributes (entities decoded) and text (entities decoded). */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

const decode = (text: string): string =>
  text.replace(/&(#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity] ?? '';
  });

/**
 * A small strict reader for the XML the JUnit renderer writes (elements, attributes, text; no
 * CDATA, comments or DTD): it throws on anything not well-formed, a raw `<` or `&` in text or
 * attributes, a character XML 1.0 cannot hold, or unbalanced tags.
 */
export function parseXml(xml: string): XmlElement {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(xml)) throw new Error('character not allowed in XML 1.0');
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = token.exec(body)) !== null) {
    consumed = token.lastIndex;
    const [, closing, name, attributeText, selfClosing, text] = match;
    if (text !== undefined) {
      if (/&(?!(#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`raw & in text: ${text.slice(0, 40)}`);
      const top = stack.at(-1);
      if (top) top.text += decode(text);
      else if (text.trim() !== '') throw new Error('text outside the root element');
      continue;
    }
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name ?? ''}> closes <${open?.name ?? 'nothing'}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of (attributeText ?? '').matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (key === undefined || value === undefined) continue;
      if (/&(?!(#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);)/.test(value)) throw new Error(`raw & in attribute ${key}`);
      if (key in attributes) throw new Error(`duplicate attribute ${key}`);
      attributes[key] = decode(value);
    }
    const element: XmlElement = { name: name ?? '', attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root) throw new Error('two root elements');
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (consumed !== body.length) throw new Error(`not well-formed at offset ${consumed}: ${body.slice(consumed, consumed + 40)}`);
  if (stack.length > 0 || !root) throw new Error('unclosed element');
  return root;
}
