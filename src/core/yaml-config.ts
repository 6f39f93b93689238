import { isMap, isScalar, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { readYaml } from './bounded-yaml.js';
import { ConfigError } from './errors.js';
import type { SourceLocation } from './types.js';

/** A YAML configuration document with a way to turn offsets into file:line:column. */
export interface YamlConfigDocument {
  readonly document: Document;
  /** The plain value of the document (`{}` when empty). */
  readonly value: unknown;
  readonly locate: (offset: number | undefined) => SourceLocation;
}

/**
 * Parses a YAML configuration text; a syntax error, or a document beyond the input limits (nesting
 * depth, aliases), is a ConfigError at its line.
 */
export function parseYamlConfigDocument(text: string, file: string): YamlConfigDocument {
  const read = readYaml(text, { schema: 'core', uniqueKeys: true });
  const locate = (offset: number | undefined): SourceLocation => {
    if (offset === undefined) return { file };
    const { line, col } = read.lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (!read.ok) throw new ConfigError(`invalid YAML: ${read.message}`, { location: locate(read.offset) });
  return { document: read.document, value: read.value ?? {}, locate };
}

/**
 * Parses a YAML configuration text against a strict schema. The first problem is a ConfigError at
 * its file:line:column; an unknown key names the closest known one.
 */
export function parseYamlConfig<S extends z.ZodType>(text: string, file: string, schema: S, hint: string): z.infer<S> {
  const { document, value, locate } = parseYamlConfigDocument(text, file);
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { message, offset } = describeYamlIssue(firstIssue(parsed.error.issues), document, (keyPath) => knownKeysAt(schema, keyPath));
  throw new ConfigError(message, { location: locate(offset), hint });
}

/** The YAML node at a key path, if the document has one. */
export function nodeAt(document: Document, keyPath: readonly (string | number)[]): YamlNode | undefined {
  const node: unknown = document.getIn(keyPath, true);
  return node !== null && typeof node === 'object' && 'range' in node ? (node as YamlNode) : undefined;
}

/**
 * The issue to report: an unknown key first, since a typo (`expires_onn`) also makes the real key
 * look missing and the typo is what the author must fix.
 */
export function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0];
  if (!issue) throw new Error('schema rejected a value without saying why');
  return issue;
}

/** One line for a schema issue, and the offset of the YAML node it is about. */
export function describeYamlIssue(
  issue: z.core.$ZodIssue,
  document: Document,
  knownKeys: (keyPath: readonly PropertyKey[]) => readonly string[],
): { message: string; offset: number | undefined } {
  const where = issue.path.length > 0 ? ` in ${formatKeyPath(issue.path)}` : '';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const parent = nodeAt(document, issue.path as (string | number)[]) ?? document.contents ?? undefined;
    let offset: number | undefined = parent?.range?.[0];
    if (parent && isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key)) offset = pair.key.range?.[0];
    }
    const suggestion = closest(key, knownKeys(issue.path));
    return {
      message: `unknown key "${key}"${where}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
      offset,
    };
  }
  // A missing key is reported at its parent; anything else at the value itself. (Zod issues do
  // not carry the input, so the document says whether the key is there.)
  if (issue.code === 'invalid_type' && !document.hasIn(issue.path as (string | number)[])) {
    const parentPath = issue.path.slice(0, -1);
    const parent = nodeAt(document, parentPath as (string | number)[]);
    return { message: `missing required "${String(issue.path.at(-1))}"${parentPath.length > 0 ? ` in ${formatKeyPath(parentPath)}` : ''}`, offset: parent?.range?.[0] };
  }
  let node = nodeAt(document, issue.path as (string | number)[]);
  for (let depth = issue.path.length - 1; !node && depth >= 0; depth--) node = nodeAt(document, issue.path.slice(0, depth) as (string | number)[]);
  return { message: `${issueText(issue)}${where}`, offset: node?.range?.[0] };
}

/** The issue as one phrase. */
export function issueText(issue: z.core.$ZodIssue): string {
  // Zod's own wording for an absent key ("expected string, received undefined").
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return `missing required "${String(issue.path.at(-1))}"`;
  if (issue.code === 'unrecognized_keys') return `unknown key "${issue.keys[0] ?? ''}"`;
  return issue.message;
}

/** `exceptions[2].expires_on`. */
export function formatKeyPath(keyPath: readonly PropertyKey[]): string {
  return keyPath.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`)).join('');
}

/** The keys a strict object schema allows at a key path, found by walking the schema. */
export function knownKeysAt(schema: z.ZodType, keyPath: readonly PropertyKey[]): readonly string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const part of keyPath) {
    if (current instanceof z.ZodObject) current = (current.shape as Record<string, z.ZodType | undefined>)[String(part)];
    else if (current instanceof z.ZodArray) current = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) current = current.valueType as z.ZodType;
    else return [];
    current = current === undefined ? undefined : unwrap(current);
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The known key within two edits of a typo, if any (Levenshtein distance). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
