import { z } from 'zod';
import { checkEcosystemSpelling } from './osv-ecosystems.js';

// The OSV record (https://ossf.github.io/osv-schema/). Types of the fields vigil reads are
// checked; fields added by later schema versions are kept, not rejected, so a newer database does
// not stop an older vigil from importing.

const Timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), {
  message: 'not an RFC 3339 timestamp',
});

const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;
type EventKind = (typeof EVENT_KINDS)[number];

/** One range event: exactly one of `introduced`, `fixed`, `last_affected`, `limit`. */
export type OsvEvent = { [K in EventKind]: { [P in K]: string } }[EventKind];

// The schema's `events.items.oneOf`: an object with two of the keys matches two branches and is
// invalid. Read leniently it would be half used (`{"introduced":"1.0","fixed":"2.0"}` as an
// introduced event only), so it is rejected.
export const OsvEvent = z
  .looseObject({
    introduced: z.string().optional(),
    fixed: z.string().optional(),
    last_affected: z.string().optional(),
    limit: z.string().optional(),
  })
  .check((ctx) => {
    const present = EVENT_KINDS.filter((kind) => ctx.value[kind] !== undefined);
    if (present.length === 1) return;
    ctx.issues.push({
      code: 'custom',
      input: ctx.value,
      message:
        present.length === 0
          ? `event has none of ${EVENT_KINDS.join(', ')}`
          : `event has ${present.join(' and ')}; an event must have exactly one of ${EVENT_KINDS.join(', ')}`,
    });
  })
  .transform((event) => event as OsvEvent);

export const OsvRange = z
  .looseObject({
    type: z.enum(['GIT', 'SEMVER', 'ECOSYSTEM']),
    repo: z.string().optional(),
    events: z.array(OsvEvent).min(1),
    database_specific: z.record(z.string(), z.unknown()).optional(),
  })
  .check((ctx) => {
    // The schema's `events.contains: {required: [introduced]}` and "last_affected and fixed events
    // are mutually exclusive": a range without a start never matches, one with both ends is ambiguous.
    const events = ctx.value.events;
    if (!events.some((event) => 'introduced' in event)) {
      ctx.issues.push({
        code: 'custom',
        input: events,
        path: ['events'],
        message: 'range has no introduced event (OSV requires one; such a range never matches)',
      });
    }
    if (events.some((event) => 'fixed' in event) && events.some((event) => 'last_affected' in event)) {
      ctx.issues.push({
        code: 'custom',
        input: events,
        path: ['events'],
        message: 'range has both fixed and last_affected events (OSV allows only one kind of end)',
      });
    }
  });
export type OsvRange = z.infer<typeof OsvRange>;

// An ecosystem spelt differently from OSV's (`pypi`, `" PyPI"`) never matches a package, so the
// record is rejected naming the right spelling; a name OSV does not list at all is imported (it
// may be newer than vigil's list) and the import warns about it.
function checkEcosystem(ctx: z.core.ParsePayload<string>): void {
  const spelling = checkEcosystemSpelling(ctx.value);
  if (spelling.kind !== 'misspelt') return;
  ctx.issues.push({
    code: 'custom',
    input: ctx.value,
    message: `ecosystem ${JSON.stringify(ctx.value)} is misspelt: expected ${JSON.stringify(spelling.expected)} (OSV ecosystem names are case-sensitive, without spaces around)`,
  });
}

// No registry names a package with surrounding spaces; such a name would never match.
function checkPackageName(ctx: z.core.ParsePayload<string>): void {
  if (ctx.value === ctx.value.trim()) return;
  ctx.issues.push({
    code: 'custom',
    input: ctx.value,
    message: `package name ${JSON.stringify(ctx.value)} has leading or trailing whitespace`,
  });
}

export const OsvSeverity = z.looseObject({
  type: z.string(),
  score: z.string(),
});
export type OsvSeverity = z.infer<typeof OsvSeverity>;

export const OsvAffected = z.looseObject({
  package: z
    .looseObject({
      ecosystem: z.string().min(1).check(checkEcosystem),
      name: z.string().min(1).check(checkPackageName),
      purl: z.string().optional(),
    })
    .optional(),
  severity: z.array(OsvSeverity).nullish(),
  ranges: z.array(OsvRange).nullish(),
  versions: z.array(z.string()).nullish(),
  ecosystem_specific: z.record(z.string(), z.unknown()).nullish(),
  database_specific: z.record(z.string(), z.unknown()).nullish(),
});
export type OsvAffected = z.infer<typeof OsvAffected>;

export const OsvRecord = z.looseObject({
  schema_version: z.string().optional(),
  id: z.string().min(1),
  modified: Timestamp,
  published: Timestamp.optional(),
  withdrawn: Timestamp.optional(),
  aliases: z.array(z.string()).nullish(),
  related: z.array(z.string()).nullish(),
  upstream: z.array(z.string()).nullish(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(OsvSeverity).nullish(),
  affected: z.array(OsvAffected).nullish(),
  references: z
    .array(z.looseObject({ type: z.string(), url: z.string() }))
    .nullish(),
  credits: z.array(z.looseObject({ name: z.string() })).nullish(),
  database_specific: z.record(z.string(), z.unknown()).nullish(),
});
/** One advisory, as OSV defines it (field names kept as in the schema). */
export type OsvRecord = z.infer<typeof OsvRecord>;
