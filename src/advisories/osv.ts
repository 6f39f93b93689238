import { z } from 'zod';

// The OSV record (https://ossf.github.io/osv-schema/). Types of the fields vigil reads are
// checked; fields added by later schema versions are kept, not rejected, so a newer database does
// not stop an older vigil from importing.

const Timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), {
  message: 'not an RFC 3339 timestamp',
});

export const OsvEvent = z.union([
  z.object({ introduced: z.string() }),
  z.object({ fixed: z.string() }),
  z.object({ last_affected: z.string() }),
  z.object({ limit: z.string() }),
]);
export type OsvEvent = z.infer<typeof OsvEvent>;

export const OsvRange = z.looseObject({
  type: z.enum(['GIT', 'SEMVER', 'ECOSYSTEM']),
  repo: z.string().optional(),
  events: z.array(OsvEvent).min(1),
  database_specific: z.record(z.string(), z.unknown()).optional(),
});
export type OsvRange = z.infer<typeof OsvRange>;

export const OsvSeverity = z.looseObject({
  type: z.string(),
  score: z.string(),
});
export type OsvSeverity = z.infer<typeof OsvSeverity>;

export const OsvAffected = z.looseObject({
  package: z
    .looseObject({
      ecosystem: z.string().min(1),
      name: z.string().min(1),
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
