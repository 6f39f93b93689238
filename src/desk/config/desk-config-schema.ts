import { IANAZone } from 'luxon';
import { z } from 'zod';
import { IsoDate } from '../../policy/policy-schema.js';

// The desk configuration file (desk.yaml) as people write it: snake_case keys, strict objects so
// that a typo is an error at its line, never a silently ignored setting.

/**
 * An SLA duration: `48 hours`, `48h`, `30 days`, `30d`, `3 business days`, `5 working days`,
 * `3bd`, `4 business hours`, `4bh`. Business units follow the desk calendar.
 */
export const SlaDurationText = z
  .string()
  .regex(
    /^\s*\d+\s*(h|hours?|d|days?|bd|bh|(business|working)\s+(days?|hours?))\s*$/i,
    'expected a duration such as "48 hours", "30 days", "3 business days" or "4 business hours"',
  )
  .describe('A duration: hours, days, business (working) days or business hours.');

const Weekday = z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']);

const TimeZone = z
  .string()
  .refine((zone) => IANAZone.isValidZone(zone), 'not an IANA time zone (e.g. Europe/Berlin, America/Chicago, UTC)');

/** A point in time with its offset, as ISO 8601 (`2027-01-01T00:00:00Z`). */
const Instant = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time with offset, e.g. 2027-06-30T00:00:00Z' });

const SeriesName = z
  .string({ error: 'a series name must be a quoted string ("5.10" unquoted would read as 5.1)' })
  .min(1);

const SeverityLevel = z.enum(['high', 'moderate', 'low']);

/** A short duration: `1 second`, `30s`, `15 minutes`, `15m`, `1 hour`, `1h`, `30 days`, `30d`. */
export const ShortDurationText = z
  .string()
  .regex(
    /^\s*\d{1,9}\s*(s|secs?|seconds?|m|mins?|minutes?|h|hours?|d|days?)\s*$/i,
    'expected a duration such as "1 second", "15 minutes", "1 hour" or "30 days"',
  )
  .describe('A duration in seconds, minutes, hours or days.');

const ThrottleRuleFile = z.strictObject({
  free_failures: z.int().min(0).max(1000).optional().describe('Failures allowed without any delay.'),
  first_delay: ShortDurationText.optional().describe('The delay after the first failure beyond the free ones; each further failure doubles it.'),
  max_delay: ShortDurationText.optional().describe('The longest delay.'),
  forget_after: ShortDurationText.optional().describe('Failures are forgotten this long after the last one.'),
});

const Cwe = z.string().regex(/^CWE-\d+$/, 'expected a CWE id such as CWE-79');

/** A name of a notification target, part of each delivery's key and of log lines. */
const TargetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'expected 1 to 100 letters, digits, dots, dashes and underscores');

/** What a notification target gets: the projects (all when absent) and the lowest severity. */
const NotifyFilter = {
  projects: z.array(z.string().min(1)).min(1).optional().describe('The projects whose findings it gets (default: every project).'),
  min_severity: z
    .enum(['low', 'medium', 'high', 'critical'])
    .optional()
    .describe('The lowest severity it gets (default high); a finding of unknown severity always passes.'),
};

// One object rather than a union of two: a union's error says only "invalid input", while here
// each wrong key or value is named.
const NotifyTarget = z
  .strictObject({
    name: TargetName,
    webhook: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
      .optional()
      .describe('A receiver of JSON POSTs signed with HMAC-SHA256 (Vigil-Signature), retried with backoff.'),
    secret_env: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, 'expected an environment variable name such as VIGIL_WEBHOOK_SECRET')
      .optional()
      .describe("Webhooks: the environment variable holding the HMAC key (16+ characters); the key itself is never written here."),
    timeout: ShortDurationText.optional().describe('Webhooks: how long to wait for the receiver (default 10 seconds).'),
    email: z.email().optional().describe("One recipient, sent through the desk's mail settings (VIGIL_DESK_SMTP_URL)."),
    digest: ShortDurationText.optional().describe('E-mail: one mail per period (e.g. "1 day") instead of one per finding.'),
    ...NotifyFilter,
  })
  .superRefine((target, context) => {
    const problem = (message: string, key: string): void => {
      context.addIssue({ code: 'custom', message, path: [key] });
    };
    if ((target.webhook === undefined) === (target.email === undefined)) problem('a target has exactly one of "webhook" and "email"', 'name');
    if (target.webhook !== undefined && target.secret_env === undefined) problem('a webhook needs "secret_env", the variable that holds its HMAC key', 'secret_env');
    if (target.email !== undefined && (target.secret_env !== undefined || target.timeout !== undefined)) {
      problem('"secret_env" and "timeout" are for webhooks', target.secret_env === undefined ? 'timeout' : 'secret_env');
    }
    if (target.webhook !== undefined && target.digest !== undefined) problem('"digest" is for e-mail targets', 'digest');
  });

export const DeskConfigFileSchema = z.strictObject({
  project: z.strictObject({
    name: z.string().min(1).describe('The project name shown in documents and pages.'),
    url: z.url().optional().describe('The project home page.'),
    package: z
      .strictObject({ ecosystem: z.string().min(1), name: z.string().min(1) })
      .describe('The package advisories are about, with its OSV ecosystem (PyPI, npm, ...).'),
    advisory_prefix: z
      .string()
      .regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$/, 'expected upper-case letters and digits, e.g. EXAMPLE-SA')
      .describe('Prefix of the OSV ids of the advisories the desk writes: PREFIX-YEAR-N.'),
    main_branch: z.string().min(1).optional().describe('The development branch, always supported (default main).'),
    contacts: z
      .strictObject({
        security: z.email().describe('The private address reports go to.'),
        from: z.email().optional().describe('Sender of the desk\'s e-mail (default: the security address).'),
        announce: z.string().min(1).optional().describe('Where public announcements go (a list address or URL).'),
      })
      .describe('Contacts of the security team.'),
    security_txt: z
      .strictObject({
        contact: z.array(z.string().regex(/^(mailto:|https:\/\/|tel:)/, 'a contact is a mailto:, https:// or tel: URI')).min(1),
        expires: Instant.describe('RFC 9116 requires an expiry, less than a year ahead.'),
        policy: z.url().optional(),
        preferred_languages: z.array(z.string().min(2)).optional(),
        encryption: z.url().optional(),
        acknowledgments: z.url().optional(),
        canonical: z.url().optional(),
      })
      .optional()
      .describe('Fields of /.well-known/security.txt (RFC 9116).'),
  }),
  sla: z
    .strictObject({
      acknowledge: SlaDurationText.optional(),
      triage: SlaDurationText.optional(),
      fix: z.strictObject({ high: SlaDurationText.optional(), moderate: SlaDurationText.optional(), low: SlaDurationText.optional() }).optional(),
      due_soon: SlaDurationText.optional().describe('How long before a due date a clock counts as due soon (default 24 hours).'),
    })
    .optional(),
  calendar: z
    .strictObject({
      time_zone: TimeZone.optional(),
      weekend: z.array(Weekday).optional(),
      holidays: z.array(IsoDate).optional(),
      work_hours: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'expected working hours as HH:MM-HH:MM, e.g. 09:00-17:00')
        .optional()
        .describe('Working hours of a business day, for SLA targets in business hours.'),
    })
    .optional(),
  severity: z
    .strictObject({
      levels: z
        .strictObject({
          high: z.strictObject({ classes: z.array(z.string().min(1)) }).optional(),
          moderate: z.strictObject({ classes: z.array(z.string().min(1)) }).optional(),
          low: z.strictObject({ classes: z.array(z.string().min(1)) }).optional(),
        })
        .optional(),
      cwe: z.record(Cwe, SeverityLevel).optional().describe('CWE id to suggested level; merged over the defaults.'),
    })
    .optional(),
  series: z
    .array(
      z.strictObject({
        name: SeriesName,
        released: IsoDate,
        lts: z.boolean().optional(),
        end_of_support: IsoDate.optional(),
      }),
    )
    .optional()
    .describe('Release series, e.g. {name: "5.2", released: 2025-04-02, lts: true, end_of_support: 2028-04-30}.'),
  prenotification: z
    .strictObject({
      lead_time: SlaDurationText.optional().describe('How long before disclosure the notification list is told (default 7 days).'),
    })
    .optional(),
  notification_list: z
    .strictObject({
      criteria: z.array(z.string().min(1)).optional(),
      decision_within: SlaDurationText.optional().describe('Join requests are decided within this (default 30 days).'),
      public_lists: z
        .array(z.string().min(1))
        .optional()
        .describe('More addresses or @domains that are public lists and so can never be a contact.'),
    })
    .optional(),
  login_throttle: z
    .strictObject({
      per_account: ThrottleRuleFile.optional().describe('Failures on one account from any address (default 5 free, 1 second doubling up to 15 minutes, forgotten after 1 hour).'),
      per_address: ThrottleRuleFile.optional().describe('Failures from one client address on any account (default 20 free, 1 second doubling up to 1 minute, forgotten after 15 minutes).'),
      known_address_for: ShortDurationText.optional().describe('How long a successful log-in lets its account and address pass the account delay (default 30 days).'),
    })
    .optional()
    .describe('Console log-in throttling: growing delays, never a lockout of the right password.'),
  monitor: z
    .strictObject({
      rematch_every: ShortDurationText.optional().describe('How often the server checks the advisory store for changes to re-match (default 1 minute).'),
      max_db_age: ShortDurationText.optional().describe('Advisory data older than this is reported stale on every check (default 7 days).'),
      takeover_after: ShortDurationText.optional().describe(
        "How long a server process's delivery or re-match holds its job: when the process dies, another takes the job over after this (default 1 minute, at least 10 seconds).",
      ),
      notify: z.array(NotifyTarget).optional().describe('Where new findings of monitored refs are sent: one notification per new (ref, alias group).'),
    })
    .optional()
    .describe('The portfolio monitor, when the server runs it (--monitor-db).'),
});
export type DeskConfigFile = z.infer<typeof DeskConfigFileSchema>;

/** The JSON Schema of desk.yaml for editors (published as docs/desk.schema.json). */
export function deskConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(DeskConfigFileSchema, { io: 'input', target: 'draft-2020-12' });
}
