/**
 * The commented starter `desk.yaml` written by `vigil desk init`: the seed policies, to edit. Its
 * security.txt expiry is six months after `today` (RFC 9116 wants less than a year ahead).
 */
export function starterDeskConfig(today: Date): string {
  const expires = new Date(today.getTime() + 183 * 86_400_000).toISOString().slice(0, 10);
  return `# vigil disclosure desk configuration. Unknown keys are errors, reported at their line.

project:
  name: Example
  url: https://example.org
  # The package your advisories are about, with its OSV ecosystem (PyPI, npm, ...).
  package: { ecosystem: PyPI, name: example }
  # OSV ids of your advisories: EXAMPLE-SA-<year>-<report number>.
  advisory_prefix: EXAMPLE-SA
  main_branch: main
  contacts:
    security: security@example.org
  # /.well-known/security.txt (RFC 9116). Expires must stay less than a year ahead.
  security_txt:
    contact: [mailto:security@example.org]
    expires: ${expires}T00:00:00Z
    policy: https://example.org/security/
    preferred_languages: [en]

# Service levels: "48 hours", "30 days", "3 business days", "5 working days", "4 business hours".
sla:
  acknowledge: 3 business days
  triage: 10 business days
  fix: { high: 30 days, moderate: 60 days, low: 90 days }
  due_soon: 24 hours

# Business days follow this calendar.
calendar:
  time_zone: UTC
  weekend: [saturday, sunday]
  holidays: [2026-12-25, 2027-01-01]
  work_hours: 09:00-17:00

# The three-level scheme; the CWE mapping suggests a level and merges over vigil's defaults.
severity:
  cwe:
    CWE-89: high
    CWE-79: moderate
    CWE-601: low

# Release series. Supported: the main branch, the two most recent series, and LTS series until
# their end of support. Quote the names ("5.10" unquoted would read as 5.1).
series:
  - { name: "4.2", released: 2023-04-03, lts: true, end_of_support: 2026-04-30 }
  - { name: "5.1", released: 2024-08-07, end_of_support: 2025-12-03 }
  - { name: "5.2", released: 2025-04-02, lts: true, end_of_support: 2028-04-30 }

# The notification list is told about a week before disclosure.
prenotification:
  lead_time: 7 days

notification_list:
  criteria:
    - An operating-system distribution or package maintainer shipping the project to users
    - A private, monitored security contact address (never a public list)
  decision_within: 30 days

# Console log-ins wait longer after each failure (never a lockout of the right password).
# These are the defaults; uncomment to change them.
# login_throttle:
#   per_account: { free_failures: 5, first_delay: 1 second, max_delay: 15 minutes, forget_after: 1 hour }
#   per_address: { free_failures: 20, first_delay: 1 second, max_delay: 1 minute, forget_after: 15 minutes }
#   known_address_for: 30 days
`;
}
