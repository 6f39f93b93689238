import { z } from 'zod';
import { DESK_DOCUMENT_KINDS } from '../../documents/render-document.js';
import { TRANSITIONS } from '../../lifecycle.js';
import { ReportSubmissionSchema } from '../../submission.js';
import { NOTIFY_GROUPS, REPORT_STATES, ROLES, SEVERITY_LEVELS } from '../../types.js';

// The JSON API's request and response shapes, in one place: the handlers parse requests with
// them and the OpenAPI document is generated from them (z.toJSONSchema), so the two cannot drift.
// Requests check shape only (types, required fields, unknown keys); the desk checks its rules
// (a CWE id's form, a series of the configuration) and answers 422 with the rule it applied.

/** Named schemas of the API, published as `#/components/schemas/<id>` of the OpenAPI document. */
export const API_SCHEMAS = z.registry<{ id: string; description?: string }>();

const Instant = z.iso.datetime({ offset: false }).describe('ISO 8601 UTC instant');
const CalendarDate = z.iso.date().describe('calendar date, YYYY-MM-DD');
const Text = (max: number) => z.string().max(max, `at most ${max} characters`);

// --- path parameters and query strings ---------------------------------------------------------

const PositiveId = z.coerce
  .number({ error: 'must be a positive integer' })
  .int('must be a positive integer')
  .min(1, 'must be a positive integer')
  .max(2_147_483_647, 'is too large');

/** `/reports/{id}`. */
export const ReportParamsSchema = z.strictObject({ id: PositiveId.describe('report id') });

/** `/notify-list/{id}`, `/join-requests/{id}`. */
export const IdParamsSchema = z.strictObject({ id: PositiveId.describe('entry or request id') });

/** `/reports/{id}/documents/{kind}`. */
export const ReportDocumentParamsSchema = z.strictObject({
  id: PositiveId.describe('report id'),
  kind: z.enum(DESK_DOCUMENT_KINDS).describe('which document: osv is an OSV JSON record, the others Markdown'),
});

/** `?on=YYYY-MM-DD`, default today in the desk's time zone. */
export const OnDateQuerySchema = z.strictObject({
  on: CalendarDate.optional().describe('the date to answer for (default: today in the desk calendar zone)'),
});

// --- request bodies ----------------------------------------------------------------------------

/** A new report, as the public form takes it. */
export const SubmitReportRequestSchema = ReportSubmissionSchema.register(API_SCHEMAS, {
  id: 'ReportSubmission',
  description: 'A new private vulnerability report.',
});

const PackageSchema = z.strictObject({ ecosystem: Text(100), name: Text(300) });

/** The assessment entered when a report is accepted; the desk scores the CVSS vector. */
export const AssessmentInputSchema = z
  .strictObject({
    severity: z.enum(SEVERITY_LEVELS),
    cvssVector: Text(300).describe('a complete CVSS v3.1 or v4.0 base vector'),
    cwes: z.array(Text(20)).max(50).describe('CWE ids such as CWE-79; at least one'),
    affectedSeries: z.array(Text(50)).max(100).describe('release series (or the main branch) the flaw affects'),
    summary: Text(500).describe('one-line public summary'),
    package: PackageSchema.optional().describe('the package of the advisory (default: the project\'s)'),
    introduced: Text(100).optional().describe('first affected version, if known'),
    cve: Text(30).optional(),
  })
  .register(API_SCHEMAS, { id: 'AssessmentInput' });

const actionKind = <K extends keyof typeof TRANSITIONS>(kind: K) => z.literal(kind);

/** A lifecycle action: which move, with what it needs. */
export const LifecycleActionSchema = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: actionKind('acknowledge') }),
    z.strictObject({ kind: actionKind('triage') }),
    z.strictObject({ kind: actionKind('accept'), assessment: AssessmentInputSchema }),
    z.strictObject({ kind: actionKind('reject'), reason: Text(20_000).describe('a detailed reason for the reporter') }),
    z.strictObject({ kind: actionKind('start-fix') }),
    z.strictObject({ kind: actionKind('schedule-disclosure'), at: Text(64).describe('ISO 8601 date-time with a zone') }),
    z.strictObject({ kind: actionKind('pre-notify'), override: Text(2_000).optional().describe('reason to notify later than the lead time') }),
    z.strictObject({ kind: actionKind('disclose'), override: Text(2_000).optional().describe('reason to disclose before the embargo ends') }),
  ])
  .register(API_SCHEMAS, { id: 'LifecycleAction' });

/** `POST /reports/{id}/transitions`. */
export const TransitionRequestSchema = z
  .strictObject({ action: LifecycleActionSchema, note: Text(20_000).describe('why; required by the desk') })
  .register(API_SCHEMAS, { id: 'TransitionRequest' });

/** `POST /reports/{id}/fixes`: the fix of one affected series. */
export const FixRequestSchema = z
  .strictObject({
    series: Text(50).describe('series name, or the main branch'),
    fixedIn: Text(100).optional().describe('the release that carries the fix (not for the main branch)'),
    patch: Text(2_000).describe('commit, URL or patch file name'),
  })
  .register(API_SCHEMAS, { id: 'FixRequest' });

/** `POST /reports/{id}/messages`. */
export const MessageRequestSchema = z
  .strictObject({ body: Text(20_000).describe('the message; the desk refuses an empty one') })
  .register(API_SCHEMAS, { id: 'MessageRequest' });

/** `POST /notify-list`. */
export const NotifyEntryRequestSchema = z
  .strictObject({
    organisation: Text(200),
    group: z.enum(NOTIFY_GROUPS),
    contact: Text(320).describe('a private security contact, never a public list'),
    keyId: Text(200).optional().describe('OpenPGP key id or fingerprint'),
    reviewOn: CalendarDate,
  })
  .register(API_SCHEMAS, { id: 'NotifyEntryRequest' });

/** `POST /join-requests/{id}/decision`. */
export const JoinDecisionRequestSchema = z
  .strictObject({ outcome: z.enum(['approved', 'declined']), reason: Text(5_000).describe('the requester reads it') })
  .register(API_SCHEMAS, { id: 'JoinDecisionRequest' });

// --- responses ---------------------------------------------------------------------------------

/** Every error: `{ error: { code, message } }`, with the offending field of a bad request. */
export const ApiErrorSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe('stable, machine-readable: invalid-request, unauthorized, forbidden, not-found, conflict, refused, ...'),
      message: z.string(),
      field: z.string().optional().describe('for invalid-request: where, e.g. body.reporter.email'),
      hint: z.string().optional(),
    }),
  })
  .register(API_SCHEMAS, { id: 'ApiError' });

const ActorSchema = z
  .strictObject({ kind: z.enum(['team', 'reporter', 'system']), id: z.string(), role: z.enum(ROLES).optional() })
  .register(API_SCHEMAS, { id: 'Actor' });

const SlaClockSchema = z
  .strictObject({
    name: z.enum(['acknowledge', 'triage', 'fix', 'decision']),
    startedAt: Instant,
    dueAt: Instant,
    doneAt: Instant.optional(),
    status: z.enum(['met', 'missed', 'pending', 'due-soon', 'overdue']),
    target: z.string().describe('the configured target, as written'),
  })
  .register(API_SCHEMAS, { id: 'SlaClock' });

const ReportStateSchema = z.enum(REPORT_STATES).register(API_SCHEMAS, { id: 'ReportState' });

const ReportSummarySchema = z
  .strictObject({
    id: z.number().int(),
    state: ReportStateSchema,
    title: z.string(),
    receivedAt: Instant,
    severity: z.enum(SEVERITY_LEVELS).optional(),
    disclosureAt: Instant.optional(),
    enteredAt: z.partialRecord(ReportStateSchema, Instant).describe('when the report first entered each state'),
  })
  .register(API_SCHEMAS, { id: 'ReportSummary' });

/** `GET /reports`: the inbox, most urgent first. */
export const InboxResponseSchema = z
  .strictObject({
    items: z.array(z.strictObject({ report: ReportSummarySchema, clocks: z.array(SlaClockSchema) })),
  })
  .register(API_SCHEMAS, { id: 'Inbox' });

/** `POST /reports`: the new report's id and the reporter's tracking token, shown this once. */
export const SubmittedReportSchema = z
  .strictObject({
    id: z.number().int(),
    state: ReportStateSchema,
    trackingToken: z.string().describe('secret of the reporter\'s tracking link; stored only hashed, never shown again'),
  })
  .register(API_SCHEMAS, { id: 'SubmittedReport' });

const SeriesFixSchema = z
  .strictObject({ series: z.string(), fixedIn: z.string().optional(), patch: z.string() })
  .register(API_SCHEMAS, { id: 'SeriesFix' });

const AssessmentSchema = z
  .strictObject({
    severity: z.enum(SEVERITY_LEVELS),
    cvss: z.strictObject({ version: z.enum(['3.1', '4.0']), vector: z.string(), score: z.number() }),
    cwes: z.array(z.string()),
    affectedSeries: z.array(z.string()),
    package: z.strictObject({ ecosystem: z.string(), name: z.string() }),
    introduced: z.string().optional(),
    summary: z.string(),
    cve: z.string().optional(),
  })
  .register(API_SCHEMAS, { id: 'Assessment' });

const ReportMessageSchema = z
  .strictObject({ id: z.number().int(), author: ActorSchema, at: Instant, body: z.string() })
  .register(API_SCHEMAS, { id: 'ReportMessage' });

/** `GET /reports/{id}` and the answer of every change to a report. */
export const DeskReportSchema = z
  .strictObject({
    id: z.number().int(),
    state: ReportStateSchema,
    receivedAt: Instant,
    submission: SubmitReportRequestSchema,
    assessment: AssessmentSchema.optional(),
    rejectionReason: z.string().optional(),
    fixes: z.array(SeriesFixSchema),
    disclosureAt: Instant.optional(),
    transitions: z.array(
      z.strictObject({
        from: ReportStateSchema,
        to: ReportStateSchema,
        actor: ActorSchema,
        at: Instant,
        note: z.string(),
        override: z.string().optional(),
      }),
    ),
    messages: z.array(ReportMessageSchema),
  })
  .register(API_SCHEMAS, { id: 'DeskReport', description: 'A report with its embargoed details.' });

/** `POST /reports/{id}/messages`. */
export const ReportMessageResponseSchema = ReportMessageSchema;

/** `GET /reports/{id}/backports`. */
export const BackportsResponseSchema = z
  .strictObject({
    on: CalendarDate,
    items: z.array(
      z.strictObject({
        series: z.string(),
        kind: z.enum(['main', 'series']),
        status: z.enum(['not-affected', 'affected', 'fixed', 'unsupported']),
        fixedIn: z.string().optional(),
        patch: z.string().optional(),
        affected: z.boolean(),
        note: z.string(),
      }),
    ),
  })
  .register(API_SCHEMAS, { id: 'BackportMatrix' });

/** `GET /supported`. */
export const SupportedResponseSchema = z
  .strictObject({
    on: CalendarDate,
    items: z.array(
      z.strictObject({
        name: z.string(),
        kind: z.enum(['main', 'series']),
        lts: z.boolean(),
        endOfSupport: CalendarDate.optional(),
        reason: z.string(),
      }),
    ),
  })
  .register(API_SCHEMAS, { id: 'SupportedLines' });

const NotifyEntrySchema = z
  .strictObject({
    id: z.number().int(),
    organisation: z.string(),
    group: z.enum(NOTIFY_GROUPS),
    contact: z.string(),
    keyId: z.string().optional(),
    approvedBy: z.string(),
    approvedOn: CalendarDate,
    reviewOn: CalendarDate,
  })
  .register(API_SCHEMAS, { id: 'NotifyEntry' });

/** `POST /notify-list`. */
export const NotifyEntryResponseSchema = NotifyEntrySchema;

/** `GET /notify-list`. */
export const NotifyListResponseSchema = z
  .strictObject({ items: z.array(NotifyEntrySchema) })
  .register(API_SCHEMAS, { id: 'NotifyList' });

/** `POST /join-requests/{id}/decision`. */
export const JoinRequestSchema = z
  .strictObject({
    id: z.number().int(),
    organisation: z.string(),
    group: z.enum(NOTIFY_GROUPS),
    contact: z.string(),
    keyId: z.string().optional(),
    justification: z.string(),
    url: z.string(),
    requestedAt: Instant,
    decision: z
      .strictObject({ outcome: z.enum(['approved', 'declined']), reason: z.string(), by: z.string(), at: Instant })
      .optional(),
  })
  .register(API_SCHEMAS, { id: 'JoinRequest' });

/** `GET /join-requests`: with their decision clocks, most urgent first. */
export const JoinRequestsResponseSchema = z
  .strictObject({ items: z.array(z.strictObject({ request: JoinRequestSchema, clock: SlaClockSchema })) })
  .register(API_SCHEMAS, { id: 'JoinRequests' });

/** The OSV advisory of `GET /reports/{id}/documents/osv`; its full schema is OSV's own. */
export const OsvDocumentSchema = z
  .looseObject({ schema_version: z.string(), id: z.string() })
  .describe('an OSV record, https://ossf.github.io/osv-schema/')
  .register(API_SCHEMAS, { id: 'OsvAdvisory' });

/** `GET /openapi.json`. */
export const OpenApiDocumentSchema = z
  .object({ openapi: z.string() })
  .describe('this document')
  .register(API_SCHEMAS, { id: 'OpenApiDocument' });
