import { systemClock, type Clock } from '../core/clock.js';
import type { Finding, SeverityLevel } from '../core/types.js';
import { ecosystems } from '../ecosystems/ecosystems.js';
import { DEFAULT_POLICY } from './default-policy.js';
import { distroClassificationText, unfixedBelowThreshold } from './distro-policy.js';
import { createRequire } from 'node:module';
import type { PackageURL } from 'packageurl-js';
import type { UnevaluableItem } from './unevaluable.js';
import type { AppliedException, ExceptionEntry, GateDecision, Policy, PolicyLevel, PolicyProblem, VexStatement } from './types.js';

const DAY_MS = 86_400_000;
const RANK: Readonly<Record<Exclude<SeverityLevel, 'unknown'>, number>> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** What became of one exception in this audit. */
export interface ExceptionOutcome {
  readonly entry: ExceptionEntry;
  /** `applied`: it allowed a finding that would block; `unused`; `expired`. */
  readonly status: 'applied' | 'unused' | 'expired';
  /** Findings it matches, at any level. */
  readonly matched: number;
  /** Whole days until the end of its last day (negative once expired). */
  readonly daysToExpiry: number;
}

export interface GateResult {
  readonly decisions: ReadonlyMap<Finding, GateDecision>;
  readonly exceptions: readonly ExceptionOutcome[];
  /** Every policy problem, errors first: invalid, expired, over-long or wrongly approved exceptions, warnings. */
  readonly problems: readonly PolicyProblem[];
  /** What vigil could not evaluate; it fails the gate unless the policy says `unevaluable: warn`. */
  readonly unevaluable: readonly UnevaluableItem[];
  /** With `strict`: the skipped entries that failed the gate (all of them). */
  readonly strictSkipped: number;
  readonly counts: {
    readonly blocking: number;
    readonly unevaluable: number;
    readonly allowedByException: number;
    readonly belowThreshold: number;
    readonly ignoredScope: number;
    readonly notAffected: number;
  };
  /**
   * Whether CI should fail: a blocking finding, a policy error, something vigil could not evaluate
   * (unless the policy says `unevaluable: warn`), or with `strict` any skipped entry.
   */
  readonly failed: boolean;
}

/** The end of an exception's last day (it applies through `expires_on`, UTC). */
function expiryInstant(entry: ExceptionEntry): number {
  return Date.parse(`${entry.expiresOn}T00:00:00Z`) + DAY_MS;
}

/** The level a finding is judged at: `unknown` becomes the policy's level for it (fail closed). */
export function effectiveLevel(finding: Finding, policy: Policy): Exclude<SeverityLevel, 'unknown'> {
  return finding.severity.level === 'unknown' ? policy.unknownSeverity : finding.severity.level;
}

/** Whether an exception covers a finding: by any id of the flaw, and its package, versions, paths. */
export function exceptionCovers(entry: ExceptionEntry, finding: Finding): boolean {
  const wanted = entry.id.toUpperCase();
  if (![finding.id, ...finding.aliases].some((id) => id.toUpperCase() === wanted)) return false;
  const ecosystem = ecosystems[finding.package.ecosystem];
  if (entry.package !== undefined && ecosystem.normalizeName(entry.package) !== ecosystem.normalizeName(finding.package.name)) {
    return false;
  }
  if (entry.versions !== undefined) {
    const scheme = ecosystem.versions;
    const version = finding.package.version;
    if (!entry.versions.some((listed) => listed === version || (scheme.isValid(listed) && scheme.compare(listed, version) === 0))) {
      return false;
    }
  }
  if (entry.paths !== undefined) {
    const names = finding.paths.map((path) => path.map((step) => ecosystem.normalizeName(step.slice(0, step.lastIndexOf('@') > 0 ? step.lastIndexOf('@') : undefined))));
    const covered = entry.paths.some((wantedPath) => {
      const normalized = wantedPath.map((step) => ecosystem.normalizeName(step));
      return names.some((path) => path.length === normalized.length && path.every((step, index) => step === normalized[index]));
    });
    if (!covered) return false;
  }
  return true;
}

/**
 * Whether a VEX statement is about a finding: by any id of the flaw and, when it names a product,
 * by purl (type, namespace, name and, when the statement gives one, version).
 */
export function vexCovers(statement: VexStatement, finding: Finding): boolean {
  const wanted = statement.id.toUpperCase();
  if (![finding.id, ...finding.aliases].some((id) => id.toUpperCase() === wanted)) return false;
  if (statement.purl === undefined) return true;
  const want = parsePurl(statement.purl);
  const have = parsePurl(finding.package.purl);
  if (!want || !have || want.type !== have.type) return false;
  const ecosystem = ecosystems[finding.package.ecosystem];
  const name = (purl: PackageURL): string => ecosystem.normalizeName(purl.namespace ? `${purl.namespace}/${purl.name}` : purl.name);
  if (name(want) !== name(have)) return false;
  if (want.version === undefined) return true;
  const scheme = ecosystem.versions;
  return want.version === have.version || (scheme.isValid(want.version) && scheme.isValid(have.version ?? '') && scheme.compare(want.version, have.version ?? '') === 0);
}

// packageurl-js is loaded when a VEX statement's purl is first compared, not with the gate: an
// audit without --vex parses no purl, and the library's load is part of every audit's start-up
// (#15, item 5). It is a CommonJS package, so it can be loaded synchronously here.
let packageUrl: typeof PackageURL | undefined;

function parsePurl(text: string): PackageURL | undefined {
  packageUrl ??= (createRequire(import.meta.url)('packageurl-js') as typeof import('packageurl-js')).PackageURL;
  try {
    return packageUrl.fromString(text);
  } catch {
    return undefined;
  }
}

/** Inputs of the gate beyond the findings and the policy. */
export interface GateOptions {
  /** VEX statements (`--vex`): a `not_affected` one that covers a finding makes it `not-affected`. */
  readonly vex?: readonly VexStatement[];
  /** What the audit could not evaluate (`collectUnevaluable` of its warnings and skipped entries). */
  readonly unevaluable?: readonly UnevaluableItem[];
  /** `--strict`: every skipped entry fails the gate; give their number. */
  readonly strictSkipped?: number;
}

/**
 * Decides, for every finding, whether it blocks; and checks the policy's exceptions: expired,
 * invalid, over-long or wrongly approved ones fail the gate (they never silently stop applying),
 * unused ones and ones expiring soon are warnings.
 */
export function evaluateGate(findings: readonly Finding[], policy: Policy = DEFAULT_POLICY, clock: Clock = systemClock, options: GateOptions = {}): GateResult {
  const notAffected = (options.vex ?? []).filter((statement) => statement.status === 'not_affected');
  const now = clock.now().getTime();
  const decisions = new Map<Finding, GateDecision>();
  const matchedBy = new Map<ExceptionEntry, Finding[]>();
  const appliedBy = new Map<ExceptionEntry, Finding[]>();
  const refusedBy = new Map<ExceptionEntry, Finding[]>();
  const expired = (entry: ExceptionEntry): boolean => now >= expiryInstant(entry);
  for (const entry of policy.exceptions) {
    matchedBy.set(entry, []);
    appliedBy.set(entry, []);
    refusedBy.set(entry, []);
  }
  const unevaluable = options.unevaluable ?? [];
  const strictSkipped = options.strictSkipped ?? 0;
  const counts = { blocking: 0, unevaluable: unevaluable.length, allowedByException: 0, belowThreshold: 0, ignoredScope: 0, notAffected: 0 };

  for (const finding of findings) {
    const level = effectiveLevel(finding, policy);
    const covering = policy.exceptions.filter((entry) => exceptionCovers(entry, finding));
    for (const entry of covering) matchedBy.get(entry)?.push(finding);
    // An OS package's finding also says how its distribution classifies the flaw (distro-policy.ts).
    const levelText = `${finding.severity.level === 'unknown' ? `unknown severity, treated as ${level}` : level}${distroClassificationText(finding)}`;

    // A malicious package blocks before anything else: it is not a flaw a statement, scope, level
    // or exception can accept, but code to remove (#15, item 3). An exception covering it is refused.
    if (finding.malicious === true) {
      for (const entry of covering) refusedBy.get(entry)?.push(finding);
      decisions.set(finding, {
        kind: 'blocking',
        level: 'critical',
        reason: `malicious package: ${finding.package.name} ${finding.package.version} is reported as malicious (${finding.id}); remove it, no exception, VEX statement, scope or threshold allows it`,
        malicious: true,
      });
      counts.blocking++;
      continue;
    }
    // A supplier's or our own VEX statement that the product is not affected comes first: the
    // flaw does not apply, whatever its level, scope or exceptions.
    const vex = notAffected.find((statement) => vexCovers(statement, finding));
    if (vex !== undefined) {
      decisions.set(finding, {
        kind: 'not-affected',
        level,
        reason: `not affected per VEX ${vex.location.file}:${vex.location.line}${vex.justification === undefined ? '' : ` (${vex.justification})`}`,
        vex: { id: vex.id, ...(vex.justification === undefined ? {} : { justification: vex.justification }), location: vex.location },
      });
      counts.notAffected++;
      continue;
    }
    const ignoredScope = finding.package.scopes.find((scope) => policy.ignoreScopes.includes(scope));
    if (ignoredScope !== undefined) {
      decisions.set(finding, { kind: 'ignored-scope', level, reason: `${ignoredScope} dependency; the policy ignores ${ignoredScope} scope` });
      counts.ignoredScope++;
      continue;
    }
    const unfixedBelow = unfixedBelowThreshold(finding, policy);
    if (unfixedBelow !== undefined && RANK[level] >= RANK[policy.failOn]) {
      decisions.set(finding, { kind: 'below-threshold', level, reason: `${levelText}: ${unfixedBelow}` });
      counts.belowThreshold++;
      continue;
    }
    if (RANK[level] < RANK[policy.failOn]) {
      decisions.set(finding, { kind: 'below-threshold', level, reason: `${levelText} is below fail_on ${policy.failOn}` });
      counts.belowThreshold++;
      continue;
    }
    const valid = covering.find((entry) => !expired(entry));
    if (valid) {
      appliedBy.get(valid)?.push(finding);
      decisions.set(finding, {
        kind: 'allowed-by-exception',
        level,
        reason: `allowed by exception ${valid.id} until ${valid.expiresOn}: ${valid.reason}`,
        exception: appliedException(valid),
      });
      counts.allowedByException++;
      continue;
    }
    const lapsed = covering.find(expired);
    const due = dueDate(finding, level, policy);
    decisions.set(finding, {
      kind: 'blocking',
      level,
      reason: lapsed ? `${levelText}; exception ${lapsed.id} expired on ${lapsed.expiresOn}` : `${levelText} at or above fail_on ${policy.failOn}`,
      ...(due === undefined ? {} : { due: new Date(due).toISOString(), overdue: now > due }),
    });
    counts.blocking++;
  }

  const problems: PolicyProblem[] = [...policy.problems];
  const outcomes: ExceptionOutcome[] = [];
  const longestLifetime = Math.max(...Object.values(policy.exceptionRules.maxLifetimeMs));
  for (const entry of policy.exceptions) {
    const matched = matchedBy.get(entry) ?? [];
    const applied = appliedBy.get(entry) ?? [];
    const daysToExpiry = Math.ceil((expiryInstant(entry) - now) / DAY_MS) - 1;
    const problem = (severity: PolicyProblem['severity'], code: PolicyProblem['code'], message: string): void => {
      problems.push({ severity, code, message: `exception ${entry.id}: ${message}`, location: entry.location, exception: entry.id });
    };
    const refused = refusedBy.get(entry) ?? [];
    if (refused.length > 0) {
      const packages = [...new Set(refused.map((finding) => `${finding.package.name} ${finding.package.version}`))].join(', ');
      problem('error', 'exception-malicious', `covers a malicious package (${packages}); a malicious package cannot be allowed: remove it and this exception`);
    }
    if (expired(entry)) {
      problem('error', 'exception-expired', `expired on ${entry.expiresOn}; fix the finding, or renew the exception with a new approval and expiry`);
    } else if (daysToExpiry < policy.expiryWarningDays) {
      problem('warning', 'exception-expiring', `expires on ${entry.expiresOn}, in ${daysToExpiry} day${daysToExpiry === 1 ? '' : 's'}`);
    }
    if (policy.exceptionRules.approvers.length > 0 && !policy.exceptionRules.approvers.includes(entry.approvedBy)) {
      problem('error', 'exception-approver', `approved by "${entry.approvedBy}", who is not among exception_rules.approvers (${policy.exceptionRules.approvers.join(', ')})`);
    }
    // The lifetime allowed depends on the most severe finding covered; an exception covering
    // nothing is held to the longest lifetime of any level.
    const covered = matched.map((finding) => effectiveLevel(finding, policy)).filter((level): level is PolicyLevel => level !== 'none');
    const worst = covered.sort((a, b) => RANK[b] - RANK[a])[0];
    const limit = worst === undefined ? longestLifetime : policy.exceptionRules.maxLifetimeMs[worst];
    // Counted in whole days from the approval day (else today) to the last day.
    const start = entry.approvedOn === undefined ? Math.floor(now / DAY_MS) * DAY_MS : Date.parse(`${entry.approvedOn}T00:00:00Z`);
    const lifetime = Date.parse(`${entry.expiresOn}T00:00:00Z`) - start;
    if (limit !== undefined && Number.isFinite(limit) && lifetime > limit) {
      problem(
        'error',
        'exception-lifetime',
        `lasts ${Math.round(lifetime / DAY_MS)} days${entry.approvedOn ? ` from ${entry.approvedOn}` : ' from today'}, longer than the ${Math.round(limit / DAY_MS)} days allowed${worst ? ` for ${worst} findings` : ''}`,
      );
    }
    if (expired(entry) || refused.length > 0) {
      // Already an error; whether it still matches does not change what to do.
    } else if (matched.length === 0) {
      problem('warning', 'exception-unused', 'matches no finding (the package is gone or no longer vulnerable); remove it');
    } else if (applied.length === 0) {
      problem('warning', 'exception-unused', `matches only findings that do not block (${matched.length}); remove it`);
    } else if (applied.length > 0 && applied.every((finding) => finding.fixed.length > 0)) {
      const fixes = [...new Set(applied.map((finding) => `${finding.package.name} ${finding.fixed[0] ?? ''}`))].join(', ');
      problem('warning', 'exception-fix-available', `a fix now exists (${fixes}); upgrade and remove the exception`);
    }
    outcomes.push({ entry, status: expired(entry) ? 'expired' : applied.length > 0 ? 'applied' : 'unused', matched: matched.length, daysToExpiry });
  }
  problems.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return {
    decisions,
    exceptions: outcomes,
    problems,
    unevaluable,
    strictSkipped,
    counts,
    failed:
      counts.blocking > 0 ||
      problems.some((problem) => problem.severity === 'error') ||
      (policy.unevaluable === 'fail' && unevaluable.length > 0) ||
      strictSkipped > 0,
  };
}

function appliedException(entry: ExceptionEntry): AppliedException {
  return {
    id: entry.id,
    reason: entry.reason,
    approvedBy: entry.approvedBy,
    issue: entry.issue,
    expiresOn: entry.expiresOn,
    location: entry.location,
  };
}

/**
 * When a blocking finding must be fixed: its advisory's publication (else the day this project's
 * store first held it) plus the policy's SLA.
 */
function dueDate(finding: Finding, level: Exclude<SeverityLevel, 'unknown'>, policy: Policy): number | undefined {
  const start = finding.published ?? finding.firstSeen;
  if (level === 'none' || start === undefined) return undefined;
  const target = policy.sla[level];
  if (target?.kind !== 'duration') return undefined;
  const from = Date.parse(start);
  return Number.isNaN(from) ? undefined : from + target.ms;
}
