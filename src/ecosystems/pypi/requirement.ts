// PEP 508 requirement strings (https://peps.python.org/pep-0508/), read as far as an auditor
// needs: the name, extras, version specifier, marker, or direct URL.

/** One PEP 508 requirement, split into its parts. */
export interface Requirement {
  /** The name as written. */
  readonly name: string;
  /** Extras in brackets, as written. */
  readonly extras: readonly string[];
  /** The version specifier without parentheses (`>=1,<2`); empty when there is none. */
  readonly specifier: string;
  /** The environment marker after `;`, when present. */
  readonly marker: string | undefined;
  /** The URL of a `name @ url` direct reference. */
  readonly url: string | undefined;
}

/** What a version specifier pins. */
export type Pin =
  | { readonly kind: 'pinned'; readonly version: string }
  | { readonly kind: 'unpinned' }
  | { readonly kind: 'invalid' };

const NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;
const CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*([^\s,;]+)$/;

/** Splits a PEP 508 requirement; `undefined` when it does not start with a valid name. */
export function parseRequirement(text: string): Requirement | undefined {
  const match = NAME.exec(text);
  if (!match?.[1]) return undefined;
  const name = match[1];
  let rest = text.slice(match[0].length);
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return undefined;
    extras = rest
      .slice(1, end)
      .split(',')
      .map((extra) => extra.trim())
      .filter((extra) => extra !== '');
    rest = rest.slice(end + 1).trimStart();
  }
  if (rest.startsWith('@')) {
    // PEP 508: a URL ends at whitespace, and a marker after a URL needs whitespace before `;`.
    const body = rest.slice(1).trim();
    const markerAt = body.search(/\s;/);
    const url = (markerAt < 0 ? body : body.slice(0, markerAt)).trim();
    const marker = markerAt < 0 ? undefined : body.slice(markerAt).trim().slice(1).trim();
    return { name, extras, specifier: '', marker, url };
  }
  let marker: string | undefined;
  const semicolon = rest.indexOf(';');
  if (semicolon >= 0) {
    marker = rest.slice(semicolon + 1).trim();
    rest = rest.slice(0, semicolon);
  }
  let specifier = rest.trim();
  if (specifier.startsWith('(') && specifier.endsWith(')')) specifier = specifier.slice(1, -1).trim();
  return { name, extras, specifier, marker, url: undefined };
}

/**
 * The exact version a specifier pins: a `===` clause, or an `==` clause without a `.*` wildcard
 * (https://peps.python.org/pep-0440/#version-matching). Other clauses beside the pin are allowed.
 */
export function readPin(specifier: string): Pin {
  if (specifier.trim() === '') return { kind: 'unpinned' };
  let pinned: string | undefined;
  for (const clause of specifier.split(',')) {
    const match = CLAUSE.exec(clause.trim());
    if (!match?.[1] || match[2] === undefined) return { kind: 'invalid' };
    const [, operator, version] = match;
    if (operator === '===' || (operator === '==' && !version.endsWith('.*'))) pinned ??= version;
  }
  return pinned === undefined ? { kind: 'unpinned' } : { kind: 'pinned', version: pinned };
}

/** The name (as written) a requirement string starts with, or `undefined`. */
export function requirementNameOf(text: string): string | undefined {
  return parseRequirement(text)?.name;
}
