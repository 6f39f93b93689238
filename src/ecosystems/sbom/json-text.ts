import type { z } from 'zod';


/** Offset of the first `"key":` in the text, to point a whole-file error at the member it is about. */
export function findMemberOffset(text: string, key: string): number | undefined {
  const match = new RegExp(`"${escapeRegExp(key)}"\\s*:`).exec(text);
  return match?.index;
}

/** Finds where a string member (`"key": "value"`) is written; each call hands out the next occurrence. */
export type MemberLocator = (key: string, value: string) => number | undefined;

/**
 * Indexes every `"key": "value"` string member of the given keys in one pass over the text, so
 * each entry's line is found without re-scanning a multi-megabyte SBOM. Values are compared
 * decoded (JSON escapes resolved). A value written several times is handed out in text order, so
 * entries read in document order get their own line.
 */
export function indexStringMembers(text: string, keys: readonly string[]): MemberLocator {
  const offsets = new Map<string, number[]>();
  const pattern = new RegExp(`"(${keys.map(escapeRegExp).join('|')})"\\s*:\\s*("(?:[^"\\\\]|\\\\.)*")`, 'g');
  for (const match of text.matchAll(pattern)) {
    const [, key, literal] = match;
    if (key === undefined || literal === undefined) continue;
    let value: unknown;
    try {
      value = JSON.parse(literal);
    } catch {
      continue;
    }
    const slot = `${key}\u0000${String(value)}`;
    const list = offsets.get(slot);
    if (list) list.push(match.index);
    else offsets.set(slot, [match.index]);
  }
  return (key, value) => offsets.get(`${key}\u0000${value}`)?.shift();
}

/** A short description of the first schema problem, with its JSON path, for messages. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
  return path === '' ? issue.message : `${path.replace(/^\./, '')}: ${issue.message}`;
}

/** A JSON value as written in a message; `(missing)` for an absent member. */
export function showValue(value: unknown): string {
  return value === undefined ? '(missing)' : JSON.stringify(value);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
