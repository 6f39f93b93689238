import { z } from 'zod';
import { ECOSYSTEM_IDS } from '../../core/types.js';
import { FINDING_STATES } from '../types.js';

// The monitor API's request and response shapes: the handlers parse requests with them and the
// OpenAPI document is generated from them (z.toJSONSchema), so the two cannot drift.

/** Named schemas of the API, published as `#/components/schemas/<id>`. */
export const MONITOR_API_SCHEMAS = z.registry<{ id: string; description?: string }>();

/** Most files in one push (a monorepo's lockfiles, their manifests and an SBOM fit). */
export const MAX_PUSH_FILES = 500;

/** The largest push body by default: a 64 MiB SBOM in base64 would not fit; a 1,400-package lockfile does, many times. */
export const DEFAULT_MAX_PUSH_BYTES = 32 * 1024 * 1024;

/** The largest body of any other request. */
export const MAX_OTHER_BODY_BYTES = 16 * 1024;

const Name = (what: string) => z.string().min(1).max(200).describe(what);

// --- requests -----------------------------------------------------------------------------------

/** One file of a push. */
export const PushFileSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(1024)
      .describe('path relative to the project folder, "/" separators (e.g. "web/package-lock.json"); each part letters, digits and . _ + @ -'),
    text: z.string().optional().describe('the content as text (UTF-8); give text or base64'),
    base64: z
      .string()
      .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64 (RFC 4648, section 4, padded)')
      .optional().describe('the content, base64; give text or base64'),
    format: z.string().min(1).max(64).optional().describe('the format to read it as ("requirements.txt", "poetry.lock"), as vigil audit -L FORMAT:FILE; default: told from its name'),
    related: z.boolean().optional().describe('read only when another file points at it (a package.json, an included requirements file); not audited itself'),
  })
  .refine((file) => (file.text === undefined) !== (file.base64 === undefined), { message: 'give exactly one of text and base64' })
  .register(MONITOR_API_SCHEMAS, { id: 'PushFile' });

/** `POST /push`. */
export const PushRequestSchema = z
  .strictObject({
    project: Name('project name'),
    ref: Name('ref name: a branch, release line or tag'),
    files: z.array(PushFileSchema).min(1).max(MAX_PUSH_FILES),
    policy: z.string().max(4 * 1024 * 1024).optional().describe("the ref's vigil.yaml text; absent: the default policy"),
  })
  .register(MONITOR_API_SCHEMAS, { id: 'PushRequest' });
export type PushRequest = z.output<typeof PushRequestSchema>;

/** `?project=&ref=`. */
export const RefQuerySchema = z.strictObject({ project: Name('project name'), ref: Name('ref name') });

/** `?project=`. */
export const ProjectQuerySchema = z.strictObject({ project: Name('project name') });

/** `?id=`. */
export const AffectedQuerySchema = z.strictObject({ id: z.string().min(1).max(200).describe('an advisory id or any of its aliases (GHSA, CVE, PYSEC, ...)') });

/** `?ecosystem=&name=&version=`. */
export const PackageQuerySchema = z.strictObject({
  ecosystem: z.enum(ECOSYSTEM_IDS).describe('OSV ecosystem'),
  name: z.string().min(1).max(214).describe('package name (normalised as the ecosystem does)'),
  version: z.string().min(1).max(200).optional().describe('only refs at this version (compared by the ecosystem)'),
});

/** `/findings/{id}/...`. */
export const FindingParamsSchema = z.strictObject({
  id: z.coerce.number({ error: 'must be a positive integer' }).int('must be a positive integer').min(1, 'must be a positive integer').max(2_147_483_647, 'is too large').describe('finding id'),
});

// --- responses ----------------------------------------------------------------------------------

const FindingPackageSchema = z.strictObject({ ecosystem: z.string(), name: z.string(), matchName: z.string(), version: z.string(), file: z.string() });

export const MonitorFindingSchema = z
  .strictObject({
    id: z.number().int(),
    project: z.string(),
    ref: z.string(),
    advisory: z.string().describe("the alias group's primary id"),
    ids: z.array(z.string()),
    state: z.enum(FINDING_STATES),
    severity: z.string(),
    summary: z.string(),
    packages: z.array(FindingPackageSchema),
    fixed: z.array(z.string()),
    firstSeen: z.string(),
    due: z.string().optional(),
    closedAt: z.string().optional(),
  })
  .register(MONITOR_API_SCHEMAS, { id: 'MonitorFinding' });

export const FindingListSchema = z.strictObject({ findings: z.array(MonitorFindingSchema) }).register(MONITOR_API_SCHEMAS, { id: 'FindingList' });

export const RefOverviewSchema = z
  .strictObject({
    project: z.string(),
    ref: z.string(),
    pushedAt: z.string(),
    packages: z.number().int(),
    open: z.record(z.string(), z.number().int()).describe('open (new or acknowledged) findings per severity'),
    excepted: z.number().int(),
    overdue: z.number().int(),
    unevaluable: z.number().int(),
    expiringExceptions: z.array(z.strictObject({ id: z.string(), expiresOn: z.string(), daysLeft: z.number().int() })),
  })
  .register(MONITOR_API_SCHEMAS, { id: 'RefOverview' });

export const StatusSchema = z.strictObject({ refs: z.array(RefOverviewSchema) }).register(MONITOR_API_SCHEMAS, { id: 'PortfolioStatus' });

export const RefWithPackageSchema = z
  .strictObject({ project: z.string(), ref: z.string(), name: z.string(), version: z.string(), file: z.string() })
  .register(MONITOR_API_SCHEMAS, { id: 'RefWithPackage' });

export const PackageRefsSchema = z.strictObject({ refs: z.array(RefWithPackageSchema) }).register(MONITOR_API_SCHEMAS, { id: 'PackageRefs' });

export const RefEventSchema = z
  .strictObject({
    at: z.string(),
    kind: z.enum(['push', 'state']),
    advisory: z.string().optional(),
    from: z.string().optional(),
    to: z.string().optional(),
    detail: z.record(z.string(), z.unknown()),
    actor: z.string().describe('token:<name>, user:<login>, cli or system'),
  })
  .register(MONITOR_API_SCHEMAS, { id: 'RefEvent' });

export const HistorySchema = z.strictObject({ events: z.array(RefEventSchema) }).register(MONITOR_API_SCHEMAS, { id: 'RefHistory' });

const ChangesSchema = z.strictObject({
  created: z.number().int(),
  reopened: z.number().int(),
  fixed: z.number().int(),
  withdrawn: z.number().int(),
  updated: z.number().int(),
  outbox: z.number().int(),
});

export const PushAnswerSchema = z
  .strictObject({
    project: z.string(),
    ref: z.string(),
    failed: z.boolean().describe('the gate failed, as vigil audit would'),
    exitCode: z.union([z.literal(0), z.literal(1)]).describe('the exit status vigil audit gives for this inventory and policy: 0 passed, 1 the gate failed'),
    counts: z.strictObject({ packages: z.number().int(), findings: z.number().int(), blocking: z.number().int(), unevaluable: z.number().int() }),
    changes: ChangesSchema.describe("what the push changed in the ref's findings"),
    report: z.record(z.string(), z.unknown()).describe('the vigil JSON report of the pushed inventory (docs/json-schema.md), as vigil audit -f json writes it'),
  })
  .register(MONITOR_API_SCHEMAS, { id: 'PushAnswer' });
export type PushAnswer = z.output<typeof PushAnswerSchema>;

export const DeletedSchema = z
  .strictObject({ refs: z.array(z.string()).describe('project@ref of every ref deleted') })
  .register(MONITOR_API_SCHEMAS, { id: 'Deleted' });

/** Every error: `{ error: { code, message } }`, as the desk API's. */
export const MonitorApiErrorSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe('invalid-request, unauthorized, forbidden, not-found, refused, rate-limited, or a vigil error kind: config, input, advisory-data, nothing-to-audit'),
      message: z.string(),
      field: z.string().optional(),
      hint: z.string().optional(),
    }),
  })
  .register(MONITOR_API_SCHEMAS, { id: 'ApiError' });
