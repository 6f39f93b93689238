import type { Clock } from '../core/clock.js';
import type { Finding, Inventory, SkippedEntry, SourceLocation } from '../core/types.js';
import type { MatchWarning } from '../match/match.js';
import { evaluateGate, type GateResult } from './gate.js';
import type { Policy, VexStatement } from './types.js';

/**
 * Something vigil could not evaluate: an advisory it could not decide for a package (a range it
 * cannot order, a version it cannot parse that no listed version decides), or an entry of a
 * supported file it could not read as a package and version (unpinned, no version, unreadable).
 * Never a pass: the policy's `unevaluable` says whether it fails the gate or warns.
 */
export interface UnevaluableItem {
  readonly location: SourceLocation;
  /** `name@version`, the name, or the text of the entry, as far as it could be read. */
  readonly subject: string;
  /** The advisory that could not be decided, for an advisory-level item. */
  readonly advisory?: string;
  readonly reason: string;
}

/**
 * The unevaluable items of an audit: every match warning, and every skipped entry that is neither
 * deliberately outside the audit (`not-audited`) nor an unparsed version (whose advisories the
 * matcher judged one by one, each it could not decide being a warning).
 */
export function collectUnevaluable(warnings: readonly MatchWarning[], skipped: readonly SkippedEntry[]): UnevaluableItem[] {
  const items: UnevaluableItem[] = warnings.map((warning) => ({
    location: warning.location,
    subject: warning.package,
    advisory: warning.advisory,
    reason: warning.message,
  }));
  for (const entry of skipped) {
    if (entry.kind !== undefined) continue;
    const subject = entry.name === undefined ? (entry.version ?? 'entry') : entry.version === undefined ? entry.name : `${entry.name} ${entry.version}`;
    items.push({ location: entry.location, subject, reason: entry.reason });
  }
  return items;
}

/** What the gate of a whole audit needs beyond the policy: its findings, warnings and inventory. */
export interface AuditOutcome {
  readonly findings: readonly Finding[];
  readonly warnings: readonly MatchWarning[];
  readonly inventory: Pick<Inventory, 'skipped'>;
}

/**
 * The gate of an audit: `evaluateGate` over its findings, with what it could not evaluate and,
 * with `strict`, every skipped entry weighed in. The CLI and library callers use this, so no
 * caller can leave the unevaluable items out by accident.
 */
export function evaluateAuditGate(
  outcome: AuditOutcome,
  policy: Policy,
  clock: Clock,
  options: { readonly vex?: readonly VexStatement[]; readonly strict?: boolean } = {},
): GateResult {
  return evaluateGate(outcome.findings, policy, clock, {
    ...(options.vex === undefined ? {} : { vex: options.vex }),
    unevaluable: collectUnevaluable(outcome.warnings, outcome.inventory.skipped),
    strictSkipped: options.strict === true ? outcome.inventory.skipped.length : 0,
  });
}
