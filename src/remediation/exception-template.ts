import type { Clock } from '../core/clock.js';
import type { Finding } from '../core/types.js';
import { effectiveLevel } from '../policy/gate.js';
import type { Policy } from '../policy/types.js';

const DAY_MS = 86_400_000;

/** Fallback lifetime when the policy sets none for any level (the default policy's `high` limit). */
const FALLBACK_LIFETIME_MS = 90 * DAY_MS;

/** Placeholders the author must replace; quoted so the template is valid YAML as it stands. */
export const EXCEPTION_PLACEHOLDERS = {
  reason: '<why the risk is accepted: not reachable, mitigated by ...>',
  approvedBy: '<approver>',
  issue: '<tracking issue URL>',
} as const;

/** A `vigil.yaml` exception entry to paste under `exceptions:` for a fix that cannot ship now. */
export interface ExceptionTemplate {
  /** The advisory id the entry names (the finding's primary id). */
  readonly id: string;
  /** Approval day written into the entry (today, UTC), from which the lifetime rule counts. */
  readonly approvedOn: string;
  /** Last day of the entry: today plus the policy's longest lifetime for the finding's level. */
  readonly expiresOn: string;
  /** The YAML lines, indented as list items of `exceptions:` (two spaces). */
  readonly lines: readonly string[];
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The longest lifetime the policy allows an exception covering this finding. A level without a
 * limit (e.g. `none`) gets the longest limit of any level, as the gate holds an exception that
 * covers nothing blocking to it.
 */
function lifetimeFor(finding: Finding, policy: Policy): number {
  const level = effectiveLevel(finding, policy);
  const limits = policy.exceptionRules.maxLifetimeMs;
  const own = level === 'none' ? undefined : limits[level];
  if (own !== undefined && Number.isFinite(own)) return own;
  const known = Object.values(limits).filter((ms) => Number.isFinite(ms));
  return known.length > 0 ? Math.max(...known) : FALLBACK_LIFETIME_MS;
}

/**
 * An exception entry for one finding, scoped to the package and its locked version so it lapses
 * by itself once the package moves, expiring at the end of the longest lifetime the policy's
 * `exception_rules.max_lifetime` allows for the finding's level (counted in whole days from today,
 * as the gate counts it).
 */
export function buildExceptionTemplate(finding: Finding, policy: Policy, clock: Clock): ExceptionTemplate {
  const today = Math.floor(clock.now().getTime() / DAY_MS) * DAY_MS;
  const lifetimeDays = Math.floor(lifetimeFor(finding, policy) / DAY_MS);
  const approvedOn = isoDay(today);
  const expiresOn = isoDay(today + lifetimeDays * DAY_MS);
  const quote = (text: string): string => JSON.stringify(text);
  const lines = [
    `- id: ${finding.id}`,
    `  package: ${quote(finding.package.name)}`,
    `  versions: [${quote(finding.package.version)}]`,
    `  reason: ${quote(EXCEPTION_PLACEHOLDERS.reason)}`,
    `  approved_by: ${quote(EXCEPTION_PLACEHOLDERS.approvedBy)}`,
    `  issue: ${quote(EXCEPTION_PLACEHOLDERS.issue)}`,
    `  approved_on: ${approvedOn}`,
    `  expires_on: ${expiresOn}`,
  ];
  return { id: finding.id, approvedOn, expiresOn, lines };
}
