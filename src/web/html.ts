/**
 * HTML that is safe to send: built only by the `html` tag (which escapes every value it is given)
 * or by `raw` (trusted markup, by a deliberate call). Pages are made of these and nothing else, so
 * a reporter's text can never become markup.
 */
export class SafeHtml {
  /** The markup. */
  readonly text: string;

  /** Use `html` or `raw`; the constructor is for them. */
  constructor(text: string) {
    this.text = text;
  }

  /** The markup, for `String(...)` and template literals. */
  toString(): string {
    return this.text;
  }
}

/**
 * What an `html` placeholder accepts: text and numbers (escaped), `SafeHtml` (kept), arrays of
 * these (each one in turn), and `undefined`, `null` or `false` (nothing, for `cond && html\`...\``).
 */
export type HtmlValue = string | number | SafeHtml | undefined | null | false | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

// The bidi embedding, override, isolate and mark characters (Unicode UAX #9): a U+202E in a
// title would show the rest of the line reversed. Shown visibly instead, as vigil's terminal
// output does: `\u{202e}`.
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/gu;

/**
 * Escapes text for HTML element content and for quoted attribute values (both quote characters,
 * and the backtick that old browsers took as one); bidi controls are written visibly.
 */
export function escapeHtml(text: string): string {
  return text
    .replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char)
    .replace(BIDI_CONTROLS, (char) => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`);
}

function render(value: HtmlValue): string {
  if (value === undefined || value === null || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/**
 * The tag every page is written with: `html\`<p>${name}</p>\`` escapes `name`. Attribute values
 * must be quoted in the template (`value="${x}"`); an unquoted placeholder could end the attribute.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}

/** Markup taken as it is. Only for text vigil itself wrote (never for anything a user sent). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
