import * as pep440 from '@renovatebot/pep440';

/** Which grammar a constraint is written in. */
export type ConstraintDialect =
  /** PEP 440 version specifiers (https://peps.python.org/pep-0440/#version-specifiers), as in PEP 508 requirements. */
  | 'pep440'
  /** Poetry's constraints (https://python-poetry.org/docs/dependency-specification/#version-constraints): PEP 440 plus `^`, `~`, bare versions and `*`. */
  | 'poetry';

/** The outcome of moving a constraint so it admits the target and excludes the locked version. */
export type ConstraintRewrite =
  | { readonly kind: 'rewritten'; readonly text: string }
  /** It already admits the target and excludes the locked version. */
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'problem'; readonly message: string };

/** One clause of a constraint as written: blanks around it kept apart from operator and version. */
interface Clause {
  readonly before: string;
  readonly operator: string;
  readonly gap: string;
  readonly version: string;
  readonly after: string;
}

const CLAUSE = /^(\s*)(~=|===|==|!=|<=|>=|<|>|\^|~|)(\s*)([^\s,]+)(\s*)$/;

function release(version: string): number[] {
  return [...(pep440.explain(version)?.release ?? [])];
}

/** The version's release cut to `count` segments (padded with zeros), e.g. 4.2.17, 2 -> 4.2. */
function truncate(version: string, count: number): string {
  const segments = release(version);
  return Array.from({ length: count }, (_, index) => segments[index] ?? 0).join('.');
}

/** The release with segment `index` incremented and the rest dropped, e.g. 4.2.17, 0 -> 5. */
function bumpAt(segments: readonly number[], index: number): string {
  return [...segments.slice(0, index), (segments[index] ?? 0) + 1].join('.');
}

/** Exclusive upper bound of Poetry's `^version`: the leftmost non-zero segment written moves. */
function caretUpper(version: string): string {
  const shown = release(version).slice(0, version.split('.').length);
  const nonZero = shown.findIndex((segment) => segment !== 0);
  return bumpAt(shown, nonZero >= 0 ? nonZero : shown.length === 1 ? 0 : shown.length - 1);
}

/** Exclusive upper bound of Poetry's `~version`: minor moves, or major for `~1`. */
function tildeUpper(version: string): string {
  const segments = release(version);
  const written = version.split('.').length;
  return bumpAt(segments, written === 1 ? 0 : 1);
}

function isValid(version: string): boolean {
  return pep440.valid(version) !== null;
}

/** The PEP 440 specifier a Poetry constraint means, for checking; `undefined` when unreadable. */
export function poetryToPep440(constraint: string): string | undefined {
  if (constraint.includes('||')) return undefined;
  const trimmed = constraint.trim();
  if (trimmed === '' || trimmed === '*') return '';
  const parts: string[] = [];
  for (const piece of trimmed.split(',')) {
    const match = CLAUSE.exec(piece);
    if (!match) return undefined;
    const operator = match[2] ?? '';
    const version = match[4] ?? '';
    if (version === '*') continue;
    const bare = version.replace(/\.\*$/, '');
    if (!isValid(bare)) return undefined;
    if (operator === '^') parts.push(`>=${version}`, `<${caretUpper(version)}`);
    else if (operator === '~') parts.push(`>=${version}`, `<${tildeUpper(version)}`);
    else if (operator === '') parts.push(`==${version}`);
    else parts.push(`${operator}${version}`);
  }
  return parts.join(',');
}

function admits(specifier: string, version: string): boolean {
  return pep440.satisfies(version, specifier);
}

/** The clauses as text, joined by commas as they were split (each kept its blanks). */
function render(clauses: readonly Clause[]): string {
  return clauses.map((clause) => `${clause.before}${clause.operator}${clause.gap}${clause.version}${clause.after}`).join(',');
}

/**
 * Rewrites a version constraint so it admits `target` and excludes `locked`, changing as little
 * as it can: lower bounds and exact pins move to the target (`>=4.2,<5` -> `>=4.2.17,<5`,
 * `^4.2` -> `^4.2.17`, `==4.2.10` -> `==4.2.17`), an upper bound below the target moves just past
 * it at its own precision (`<5` -> `<6` for 5.0.1), a caret or tilde whose range would shrink
 * becomes `>=target,<its old bound`, and a constraint without a lower bound gets `>=target` in
 * front. Blanks and the other clauses stay as written. The result is checked (`admits` the target,
 * excludes the locked version); a union (`||`), an unreadable clause or an exclusion of the
 * target is a problem.
 */
export function rewriteVersionConstraint(constraint: string, dialect: ConstraintDialect, locked: string, target: string): ConstraintRewrite {
  const problem = (message: string): ConstraintRewrite => ({ kind: 'problem', message });
  const meaning = (text: string): string | undefined => (dialect === 'poetry' ? poetryToPep440(text) : pep440.validRange(text) ? text : undefined);
  if (!isValid(locked) || !isValid(target)) return problem(`invalid PEP 440 version "${isValid(locked) ? target : locked}"`);
  const current = meaning(constraint);
  if (current === undefined) return problem(`cannot read the constraint "${constraint}"${constraint.includes('||') ? ' (a union of constraints)' : ''}`);
  if (admits(current, target) && !admits(current, locked)) return { kind: 'unchanged' };

  const separator = /,\s/.test(constraint) ? ', ' : ',';
  let clauses: Clause[];
  let floor = false;
  if (constraint.trim() === '' || constraint.trim() === '*') {
    // Anything goes: the lower bound is the whole constraint (`*` keeps its blanks).
    const match = /^(\s*)\*?(\s*)$/.exec(constraint);
    clauses = [{ before: match?.[1] ?? '', operator: '>=', gap: '', version: target, after: match?.[2] ?? '' }];
  } else {
    clauses = [];
    for (const piece of constraint.split(',')) {
      const match = CLAUSE.exec(piece);
      if (!match) return problem(`cannot read the clause "${piece.trim()}" of "${constraint}"`);
      const clause: Clause = { before: match[1] ?? '', operator: match[2] ?? '', gap: match[3] ?? '', version: match[4] ?? '', after: match[5] ?? '' };
      const moved = moveClause(clause, dialect, target);
      clauses.push(moved.clause);
      floor ||= moved.floor;
    }
  }
  let next = render(clauses);
  let checked = meaning(next);
  if (checked !== undefined && (floor || admits(checked, locked))) {
    // No clause excludes the locked version (or versions below the target) any more: a lower bound in front does.
    const lead = /^\s*/.exec(next)?.[0] ?? '';
    next = `${lead}>=${target}${separator}${next.slice(lead.length)}`;
    checked = meaning(next);
  }
  if (checked === undefined || !admits(checked, target) || admits(checked, locked)) {
    return problem(`cannot make "${constraint}" admit ${target} and exclude ${locked}`);
  }
  return { kind: 'rewritten', text: next };
}

/**
 * One clause moved toward the target (see `rewriteVersionConstraint`); `floor` when the clause
 * keeps a start below the target (a series: `~=`, `==x.*`), so `>=target` must go in front.
 */
function moveClause(clause: Clause, dialect: ConstraintDialect, target: string): { clause: Clause; floor: boolean } {
  const { operator, version } = clause;
  const same = { clause, floor: false };
  const at = (nextOperator: string, nextVersion: string, floor = false): { clause: Clause; floor: boolean } => ({
    clause: { ...clause, operator: nextOperator, version: nextVersion },
    floor,
  });
  if (version.endsWith('.*')) {
    // `==4.2.*`: keep the series when the target is in it, else the target's series.
    const prefix = version.slice(0, -2);
    if (operator === '!=' || !isValid(prefix)) return same;
    if (admits(`==${version}`, target)) return { clause, floor: true };
    return at(operator, `${truncate(target, prefix.split('.').length)}.*`, true);
  }
  if (!isValid(version)) return same;
  const compared = pep440.compare(target, version);
  switch (operator) {
    case '>=':
    case '>':
      return compared > 0 || (operator === '>' && compared === 0) ? at('>=', target) : same;
    case '==':
    case '===':
      return at(operator, target);
    case '':
      return dialect === 'poetry' ? at(operator, target) : same;
    case '<':
      return compared >= 0 ? at('<', bumpAt(release(target), version.split('.').length - 1)) : same;
    case '<=':
      return compared > 0 ? at('<=', target) : same;
    case '~=':
      // `~=4.2` keeps its series when the target is in it, else takes the target's.
      if (admits(`~=${version}`, target)) return { clause, floor: true };
      return at('~=', truncate(target, Math.max(2, version.split('.').length)), true);
    case '^':
    case '~': {
      const upper = operator === '^' ? caretUpper : tildeUpper;
      const old = upper(version);
      // Within the old range, `^target` may end sooner (`^0` is <1, `^0.2.5` is <0.3): keep the old end.
      if (pep440.compare(target, old) < 0 && pep440.compare(upper(target), old) < 0) return { clause: { ...clause, operator: '>=', gap: '', version: `${target},<${old}` }, floor: false };
      return at(operator, target);
    }
    default:
      return same;
  }
}
