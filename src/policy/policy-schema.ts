import { z } from 'zod';

// The policy file's schema, as written by people (snake_case keys). Objects are strict: an unknown
// key is an error, so a typo such as `expires_onn` can never create a permanent exception.
// Published for editors as docs/vigil.schema.json (kept in step by a test).

/** `30m`, `24h`, `7d`, `2w`. */
export const DurationText = z
  .string()
  .regex(/^\d+(\.\d+)?\s*[mhdw]$/, 'expected a duration such as 24h, 7d or 2w')
  .describe('A duration: a number and a unit, m (minutes), h (hours), d (days) or w (weeks).');

/** A calendar day, `YYYY-MM-DD`, checked to exist. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((text) => {
    const date = new Date(`${text}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
  }, 'not a calendar date')
  .describe('A calendar day, YYYY-MM-DD.');

export const PolicyLevelSchema = z.enum(['low', 'medium', 'high', 'critical']);

const PerLevel = <T extends z.ZodType>(value: T) =>
  z.strictObject({
    critical: value.optional(),
    high: value.optional(),
    medium: value.optional(),
    low: value.optional(),
  });

export const UpgradeClassSchema = z.enum(['patch', 'minor', 'major']);

/** Highest upgrade class allowed for each kind of dependency. */
const UpgradeRules = z.strictObject({
  framework: UpgradeClassSchema.optional().describe('Packages listed in maintenance.frameworks.'),
  direct: UpgradeClassSchema.optional().describe('Other direct dependencies.'),
  indirect: UpgradeClassSchema.optional().describe('Indirect dependencies (steered by constraints or overrides).'),
});

/** The maintenance policy: what a remediation may change in the release being prepared. */
export const MaintenanceSchema = z.strictObject({
  release: z
    .enum(['patch', 'minor', 'major'])
    .optional()
    .describe('The kind of release being prepared (default patch: the strictest).'),
  branch: z
    .enum(['main', 'ltm'])
    .optional()
    .describe('ltm: a long-term-maintenance branch, which takes only fixes needing no breaking change.'),
  frameworks: z
    .array(z.string().min(1))
    .optional()
    .describe('Framework packages (e.g. django, djangorestframework, celery): no major upgrade in a patch release.'),
  rules: z
    .strictObject({ patch: UpgradeRules.optional(), minor: UpgradeRules.optional(), major: UpgradeRules.optional() })
    .optional()
    .describe('Highest upgrade class allowed per release kind and dependency kind, overriding the defaults.'),
  end_of_support: z
    .record(z.string().min(1), z.record(z.string().min(1), IsoDate))
    .optional()
    .describe('End of security support per package and release series, e.g. {django: {"4.2": 2026-04-30}}.'),
});

/** One accepted risk. */
export const ExceptionEntrySchema = z
  .strictObject({
    id: z.string().min(1).describe('Advisory id or any alias of it: CVE, GHSA, PYSEC, ...'),
    package: z.string().min(1).optional().describe('Only this package (name as its ecosystem compares it).'),
    versions: z.array(z.string().min(1)).min(1).optional().describe('Only these versions of the package.'),
    paths: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Only findings reached through one of these dependency paths, written "direct > ... > package".'),
    reason: z.string().min(1).describe('Why the risk is accepted.'),
    approved_by: z.string().min(1).describe('Who accepted it (one of exception_rules.approvers when that is set).'),
    issue: z.string().min(1).describe('Tracking issue: URL or reference.'),
    expires_on: IsoDate.describe('Last day the exception applies (UTC).'),
    approved_on: IsoDate.optional().describe('Day it was approved; the lifetime rule counts from it (else from today).'),
  })
  .describe('An accepted risk: what, why, who, until when.');

/** The whole file. `exceptions` entries are checked one by one (an invalid entry fails the gate, not the load). */
export const PolicyFileSchema = z
  .strictObject({
    version: z.literal(1).optional().describe('Policy file format version.'),
    fail_on: PolicyLevelSchema.optional().describe('Lowest severity that blocks (default high: blocks high and critical).'),
    unknown_severity: PolicyLevelSchema.optional().describe('Severity given to findings whose advisories carry none (default high).'),
    unevaluable: z
      .enum(['fail', 'warn'])
      .optional()
      .describe('What vigil could not evaluate (a range it cannot order, a version no listed version decides, an unpinned or unreadable entry): fail the gate (default) or warn.'),
    max_db_age: DurationText.optional().describe('Oldest acceptable advisory data (default 7d).'),
    exclude: z
      .array(z.string().min(1))
      .optional()
      .describe('Globs of files and folders vigil audit does not search, relative to each folder it searches, e.g. test/fixtures/** (default none).'),
    ignore_scopes: z
      .array(z.enum(['dev', 'optional', 'peer']))
      .optional()
      .describe('Findings in packages of these scopes only never block (default none).'),
    expiry_warning_days: z.number().int().min(0).optional().describe('Warn about exceptions expiring within this many days (default 14).'),
    exception_rules: z
      .strictObject({
        max_lifetime: PerLevel(DurationText).optional().describe('Longest allowed exception lifetime per severity covered.'),
        approvers: z.array(z.string().min(1)).optional().describe('Who may approve exceptions (default: anyone).'),
      })
      .optional(),
    sla: PerLevel(z.union([DurationText, z.literal('next-release')]))
      .optional()
      .describe('Time to fix a blocking finding per severity, from its advisory\'s publication; "next-release" sets no date.'),
    exceptions: z.array(z.unknown()).optional().describe('Accepted risks.'),
    maintenance: MaintenanceSchema.optional().describe('Which upgrades a fix may use in the release being prepared.'),
    os_packages: z
      .strictObject({
        unfixed_fail_on: z
          .enum(['low', 'medium', 'high', 'critical'])
          .optional()
          .describe(
            "An advisory of a Debian or Ubuntu package that has no fixed package in the release yet blocks only from this Debian urgency / Ubuntu priority up; unimportant and negligible never reach it, an urgency the records do not give (or not yet assigned, end-of-life) always does. Without it, such advisories are judged by severity like any other.",
          ),
        end_of_support: z
          .enum(['fail', 'warn'])
          .optional()
          .describe('A Debian or Ubuntu release past its end of security support (distro-info-data): a high finding that fails the gate (default) unless an exception covers it, or a warning.'),
      })
      .optional()
      .describe('How the distribution\'s own classification of OS-package advisories, and the end of a release\'s support, count.'),
  })
  .describe('vigil policy file (vigil.yaml).');

export type PolicyFile = z.infer<typeof PolicyFileSchema>;
export type ExceptionEntryFields = z.infer<typeof ExceptionEntrySchema>;

/** The allowlist JSON form used by existing pip-audit pipelines: `{"entries": [...]}`. */
export const AllowlistFileSchema = z.strictObject({ entries: z.array(z.unknown()) });

/** The JSON Schema for editors: the file schema with its exception entries spelled out. */
export function policyJsonSchema(): Record<string, unknown> {
  const forEditors = PolicyFileSchema.extend({ exceptions: z.array(ExceptionEntrySchema).optional().describe('Accepted risks.') });
  return z.toJSONSchema(forEditors, { io: 'input', target: 'draft-2020-12' });
}
