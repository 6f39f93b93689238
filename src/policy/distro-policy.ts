import type { Finding } from '../core/types.js';
import { urgencyRank } from '../match/advisory-target.js';
import { isEndOfSupportFinding } from '../match/release-support.js';
import type { Policy } from './types.js';

const LEVEL_RANK = { low: 1, medium: 2, high: 3, critical: 4 } as const;

/**
 * Why an OS-package finding does not block under `os_packages.unfixed_fail_on`, or `undefined`
 * when the rule does not apply (not a distribution package, a fix exists, no such key, or the
 * distribution's urgency reaches the threshold). Debian's and Ubuntu's teams leave low-urgency
 * issues unfixed on purpose (no-dsa, "minor issue", fixed in a point release or never); a site
 * can say that such an issue, with nothing to upgrade to, should not stop a build, while one its
 * urgency calls high still does, unless an exception says otherwise.
 */
export function unfixedBelowThreshold(finding: Finding, policy: Policy): string | undefined {
  if (isEndOfSupportFinding(finding)) {
    return policy.osPackages?.endOfSupport === 'warn' ? 'the policy says os_packages.end_of_support: warn' : undefined;
  }
  const distro = finding.distro;
  const threshold = policy.osPackages?.unfixedFailOn;
  if (distro === undefined || threshold === undefined || !distro.unfixed) return undefined;
  if (urgencyRank(distro.urgency) >= LEVEL_RANK[threshold]) return undefined;
  return `unfixed, and its urgency is below os_packages.unfixed_fail_on ${threshold}`;
}

/** The distribution's classification in words, appended to a gate decision's reason. */
export function distroClassificationText(finding: Finding): string {
  const distro = finding.distro;
  if (distro === undefined) return '';
  const release = finding.package.distro?.release ?? finding.package.ecosystem;
  const parts = [
    ...(distro.urgency === undefined ? [] : [`${release.startsWith('Ubuntu') ? 'Ubuntu priority' : 'Debian urgency'} ${distro.urgency}`]),
    ...(distro.noDsa === undefined ? [] : [`no-dsa: ${distro.noDsa}`]),
    ...(distro.unfixed ? [`no fix in ${release} yet`] : []),
  ];
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}
