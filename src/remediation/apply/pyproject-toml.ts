import { isDeepStrictEqual } from 'node:util';
import { parse, type TomlTable } from 'smol-toml';
import { normalizePypiName } from '../../ecosystems/pypi/ecosystem.js';
import { lineOfOffset } from '../../ecosystems/package.js';
import { locateTomlStrings, type TomlPath, type TomlStringLocation } from './toml-strings.js';
import { rewriteVersionConstraint, type ConstraintDialect } from './version-constraint.js';

/** One declared dependency to move: the project locks `name` at `from`; `to` fixes it. */
export interface ConstraintUpdate {
  readonly name: string;
  readonly from: string;
  readonly to: string;
}

/** A constraint that was rewritten. */
export interface ConstraintChange {
  readonly name: string;
  /** 1-based line of the string that holds it. */
  readonly line: number;
  /** Where it is declared, e.g. `project.dependencies` or `tool.poetry.group.dev.dependencies`. */
  readonly section: string;
  /** The constraint before and after (the version part only, as written). */
  readonly before: string;
  readonly after: string;
}

/** A declaration that could not be rewritten, and why. */
export interface ConstraintProblem {
  readonly name: string;
  /** 1-based line, when the problem is with one declaration. */
  readonly line?: number;
  readonly message: string;
}

export interface PyprojectRewrite {
  /** The new text; byte-identical to the input outside the rewritten constraints. */
  readonly text: string;
  readonly changes: readonly ConstraintChange[];
  readonly problems: readonly ConstraintProblem[];
  /** Names (as given in the updates) declared somewhere in the file, rewritten or not. */
  readonly declared: readonly string[];
}

/** A dependency declaration found in the file: a PEP 508 string or a Poetry constraint string. */
interface Declaration {
  readonly location: TomlStringLocation;
  /** Normalised name of the package it declares. */
  readonly name: string;
  readonly section: string;
  readonly dialect: ConstraintDialect;
  /** Where the constraint lies within the string's value. */
  readonly start: number;
  readonly end: number;
}

const PEP508_NAME = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;

/**
 * Where the version specifier of a PEP 508 requirement lies in it: after the name and extras, up
 * to the marker (`;`), inside parentheses when written so; an empty range right after the name
 * and extras when there is none. `undefined` for a direct reference (`name @ url`).
 */
export function locateSpecifier(requirement: string): { name: string; start: number; end: number } | undefined {
  const match = PEP508_NAME.exec(requirement);
  if (!match?.[1]) return undefined;
  let pos = match[0].trimEnd().length;
  let after = match[0].length;
  if (requirement[after] === '[') {
    const close = requirement.indexOf(']', after);
    if (close < 0) return undefined;
    pos = close + 1;
    after = pos + (/^\s*/.exec(requirement.slice(pos))?.[0].length ?? 0);
  }
  if (requirement[after] === '@') return undefined;
  const semicolon = requirement.indexOf(';', after);
  const stop = semicolon < 0 ? requirement.length : semicolon;
  const body = requirement.slice(after, stop).trimEnd();
  if (body === '') return { name: match[1], start: pos, end: pos };
  if (body.startsWith('(') && body.endsWith(')')) {
    const inner = body.slice(1, -1);
    const lead = inner.length - inner.trimStart().length;
    return { name: match[1], start: after + 1 + lead, end: after + 1 + inner.trimEnd().length };
  }
  return { name: match[1], start: after, end: after + body.length };
}

function valueAt(document: TomlTable, path: TomlPath): unknown {
  let value: unknown = document;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function setAt(document: unknown, path: TomlPath, next: string): void {
  let holder = document as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) holder = holder[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (last !== undefined) holder[last] = next;
}

/**
 * A Poetry dependency table the path lies in (main, legacy dev, or a group), and the path below
 * it (the package name first).
 */
function poetrySection(path: TomlPath): { section: string; tail: TomlPath } | undefined {
  if (path[0] !== 'tool' || path[1] !== 'poetry') return undefined;
  if (path[2] === 'dependencies' || path[2] === 'dev-dependencies') return { section: `tool.poetry.${path[2]}`, tail: path.slice(3) };
  if (path[2] === 'group' && typeof path[3] === 'string' && path[4] === 'dependencies') return { section: `tool.poetry.group.${path[3]}.dependencies`, tail: path.slice(5) };
  return undefined;
}

/** The declaration a string at this path is, if any (PEP 621, PEP 735, Poetry main, dev and groups). */
function classify(location: TomlStringLocation): Declaration | undefined {
  const path = location.path;
  const pep508 = (section: string): Declaration | undefined => {
    const found = locateSpecifier(location.value);
    if (!found) return undefined;
    return { location, name: normalizePypiName(found.name), section, dialect: 'pep440', start: found.start, end: found.end };
  };
  const [first, second, third] = path;
  // https://packaging.python.org/en/latest/specifications/pyproject-toml/#dependencies-optional-dependencies
  if (first === 'project' && second === 'dependencies' && path.length === 3 && typeof third === 'number') return pep508('project.dependencies');
  if (first === 'project' && second === 'optional-dependencies' && path.length === 4 && typeof path[3] === 'number') {
    return pep508(`project.optional-dependencies.${String(third)}`);
  }
  // PEP 735 https://peps.python.org/pep-0735/
  if (first === 'dependency-groups' && path.length === 3 && typeof third === 'number') return pep508(`dependency-groups.${String(second)}`);
  // Poetry https://python-poetry.org/docs/dependency-specification/: `name = "^1.2"` or a table's `version`.
  const poetry = poetrySection(path);
  if (!poetry) return undefined;
  const [name, key] = poetry.tail;
  if (typeof name !== 'string' || name === 'python' || !(poetry.tail.length === 1 || (poetry.tail.length === 2 && key === 'version'))) return undefined;
  return { location, name: normalizePypiName(name), section: poetry.section, dialect: 'poetry', start: 0, end: location.value.length };
}

/** The normalised name of a Poetry dependency written in the multiple-constraints form (a list of tables). */
function multipleConstraintsName(location: TomlStringLocation): string | undefined {
  const tail = poetrySection(location.path)?.tail;
  return typeof tail?.[0] === 'string' && typeof tail[1] === 'number' ? normalizePypiName(tail[0]) : undefined;
}

/**
 * Rewrites the version constraints with which a pyproject.toml declares packages (PEP 621
 * `[project] dependencies` and `optional-dependencies`, PEP 735 `[dependency-groups]`, Poetry
 * `[tool.poetry.dependencies]`, `dev-dependencies` and group dependencies, as strings or as the
 * `version` of a table) so each admits its target and excludes its locked version. Only the
 * constraint's characters change: each string is found by its position in the text, that
 * position is trusted only when the string there is the value smol-toml parses at the same key,
 * and the new text must parse to the old document with just those values changed. A file that
 * does not parse is returned as it is, with a problem per update.
 */
export function rewritePyprojectConstraints(text: string, updates: readonly ConstraintUpdate[]): PyprojectRewrite {
  const unchanged = (message: string): PyprojectRewrite => ({
    text,
    changes: [],
    problems: updates.map((update) => ({ name: update.name, message })),
    declared: [],
  });
  let document: TomlTable;
  try {
    document = parse(text);
  } catch (error) {
    // smol-toml's message is several lines (a code excerpt follows the first); keep the first.
    const first = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').replace(/^Invalid TOML document:\s*/, '');
    return unchanged(`not valid TOML (${first}); not changed`);
  }
  let strings: TomlStringLocation[];
  try {
    strings = locateTomlStrings(text);
  } catch (error) {
    return unchanged(`its layout could not be followed (${error instanceof Error ? error.message : String(error)}); not changed`);
  }
  const lineAt = lineOfOffset(text);
  const declarations = strings.map(classify).filter((declaration): declaration is Declaration => declaration !== undefined);
  const changes: ConstraintChange[] = [];
  const problems: ConstraintProblem[] = [];
  const declared: string[] = [];
  const edits: { declaration: Declaration; value: string; raw: string }[] = [];
  for (const update of updates) {
    const name = normalizePypiName(update.name);
    const mine = declarations.filter((declaration) => declaration.name === name);
    // Poetry's multiple-constraints form (a list of tables) has one version per marker: not guessed.
    const several = strings.find((location) => multipleConstraintsName(location) === name);
    if (mine.length > 0 || several) declared.push(update.name);
    if (several) {
      problems.push({ name: update.name, line: lineAt(several.contentStart), message: `${update.name} is declared with several constraints (by marker); edit them by hand` });
      continue;
    }
    for (const declaration of mine) {
      const { location } = declaration;
      const line = lineAt(location.contentStart);
      const problem = (message: string): void => {
        problems.push({ name: update.name, line, message });
      };
      if (valueAt(document, location.path) !== location.value) {
        problem(`the string found at line ${line} is not the value parsed for ${declaration.section}; not changed`);
        continue;
      }
      const before = location.value.slice(declaration.start, declaration.end);
      const rewrite = rewriteVersionConstraint(before, declaration.dialect, update.from, update.to);
      if (rewrite.kind === 'unchanged') continue;
      if (rewrite.kind === 'problem') {
        problem(`${update.name} in ${declaration.section}: ${rewrite.message}`);
        continue;
      }
      const raw = text.slice(location.contentStart, location.contentEnd);
      // Offsets within the value are offsets within the raw text while no escape precedes them.
      if (raw.slice(0, declaration.end).includes('\\') || (location.quote.startsWith('multiline') && raw !== location.value)) {
        problem(`${update.name} in ${declaration.section}: the string uses escape sequences; edit it by hand`);
        continue;
      }
      const quote = location.quote === 'basic' || location.quote === 'multiline-basic' ? '"' : "'";
      if (rewrite.text.includes(quote) || rewrite.text.includes('\\') || rewrite.text.includes('\n')) {
        problem(`${update.name} in ${declaration.section}: "${rewrite.text}" cannot be written in this string`);
        continue;
      }
      const value = `${location.value.slice(0, declaration.start)}${rewrite.text}${location.value.slice(declaration.end)}`;
      edits.push({ declaration, value, raw: `${raw.slice(0, declaration.start)}${rewrite.text}${raw.slice(declaration.end)}` });
      changes.push({ name: update.name, line, section: declaration.section, before, after: rewrite.text });
    }
  }
  if (edits.length === 0) return { text, changes, problems, declared };

  let next = text;
  for (const edit of [...edits].sort((a, b) => b.declaration.location.contentStart - a.declaration.location.contentStart)) {
    const { contentStart, contentEnd } = edit.declaration.location;
    next = `${next.slice(0, contentStart)}${edit.raw}${next.slice(contentEnd)}`;
  }
  // The new text must mean the old document with exactly these values changed.
  const expected = parse(text);
  for (const edit of edits) setAt(expected, edit.declaration.location.path, edit.value);
  let reparsed: TomlTable | undefined;
  try {
    reparsed = parse(next);
  } catch {
    reparsed = undefined;
  }
  if (reparsed === undefined || !isDeepStrictEqual(reparsed, expected)) {
    return { text, changes: [], problems: [...problems, ...changes.map((change) => ({ name: change.name, line: change.line, message: 'the rewritten file did not parse back as expected; not changed' }))], declared };
  }
  return { text: next, changes, problems, declared };
}
