/**
 * The commented vigil.yaml that `vigil policy init` writes: the seed policy (block HIGH and
 * CRITICAL, unknown severity treated as HIGH, exceptions with every field and an expiry).
 */
export const STARTER_POLICY = `# vigil policy: what the dependency audit gate allows.
# Reference: the "Policy file" section of vigil's README. Unknown keys are errors.
version: 1

# Lowest severity that fails the gate: low, medium, high or critical.
# "high" blocks HIGH and CRITICAL findings.
fail_on: high

# Advisories without any severity are treated as this (fail closed).
unknown_severity: high

# What vigil could not evaluate (an advisory range it cannot order, a version it cannot parse
# that no listed version decides, an unpinned requirement): fail the gate, or only warn.
unevaluable: fail

# Advisory data older than this fails the audit.
max_db_age: 7d

# Findings only in these dependency scopes never block: dev, optional, peer.
ignore_scopes: []

# Warn about exceptions that expire within this many days.
expiry_warning_days: 14

exception_rules:
  # Longest lifetime of an exception, by the severity of what it covers.
  max_lifetime:
    critical: 30d
    high: 90d
    medium: 180d
    low: 365d
  # Who may approve exceptions; leave empty to allow anyone.
  approvers: []

# Time to fix a blocking finding, counted from the advisory's publication.
sla:
  critical: 24h
  high: 7d
  medium: next-release
  low: next-release

# What a fix may change in the release being prepared (used by remediation planning).
maintenance:
  release: patch            # the release being prepared: patch, minor or major
  branch: main              # ltm: a long-term-maintenance branch takes only non-breaking fixes
  # Frameworks take major upgrades only in minor or major releases.
  frameworks: [django, djangorestframework, celery]
  # Highest upgrade allowed per release and dependency kind (these are the defaults).
  rules:
    patch: { framework: minor, direct: major, indirect: major }
    minor: { framework: major, direct: major, indirect: major }
    major: { framework: major, direct: major, indirect: major }
  # End of security support per package and release series, e.g. django: {"4.2": 2026-04-30}
  end_of_support: {}

# Accepted risks. Every entry needs all of: id, reason, approved_by, issue, expires_on.
# An expired entry fails the gate; it does not silently stop applying.
exceptions: []
#  - id: CVE-2023-32681            # any id of the flaw: CVE, GHSA or PYSEC
#    package: requests             # optional: only this package
#    versions: ["2.30.0"]          # optional: only these versions
#    paths: ["my-lib > requests"]  # optional: only through this dependency path
#    reason: Proxy credentials are never set in our deployment.
#    approved_by: security-team
#    issue: https://example.org/tracker/123
#    approved_on: 2026-11-01
#    expires_on: 2026-12-01
`;
