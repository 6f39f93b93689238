import { z } from 'zod';
import type { ReportSubmission } from './types.js';

// Limits keep one report from filling the store; they are far above what a real report needs
// (Django's and Nautobot's reports run to a few pages).
const Text = (max: number) => z.string().trim().max(max, `at most ${max} characters`);

// Line breaks, the other C0 and C1 controls, DEL, the Unicode line and paragraph separators, and
// the bidi embedding, override, isolate and mark characters: none belongs in a name or a title,
// and each could reshape a mail header or body, a log line or a page where the text is shown.
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const NOT_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u;

/** Why a single-line field's text is refused (a line break, a control or a bidi character); undefined when it is fine. */
export function singleLineProblem(text: string): string | undefined {
  const found = NOT_ONE_LINE.exec(text)?.[0];
  if (found === undefined) return undefined;
  const code = `U+${(found.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `must be one line of text, without line breaks, control or bidi characters (found ${code})`;
}

/** A single-line text field (a name, a title). */
const Line = (max: number) =>
  Text(max).superRefine((text, context) => {
    const problem = singleLineProblem(text);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });

/** A report as it arrives from the form, the API or the CLI. */
export const ReportSubmissionSchema = z.strictObject({
  title: Line(200).min(1, 'a short title is required'),
  reporter: z.strictObject({
    name: Line(200).min(1, 'your name (or a handle) is required'),
    email: z.email('a valid e-mail address is required').max(320),
    organisation: Line(200).optional(),
    credit: z.strictObject({
      mode: z.enum(['named', 'anonymous']),
      name: Line(200).optional(),
    }),
  }),
  description: Text(50_000).min(1, 'a description of the vulnerability is required'),
  stepsToReproduce: Text(50_000).min(1, 'steps to reproduce are required'),
  impact: Text(20_000).min(1, 'the impact (what an attacker gains) is required'),
  attackSurface: Text(20_000),
  relatedProjects: Text(5_000),
  affectedVersions: Text(1_000),
});

/** The fields of a submission, for forms and messages. */
export const SUBMISSION_FIELDS = [
  'title',
  'description',
  'stepsToReproduce',
  'impact',
  'attackSurface',
  'relatedProjects',
  'affectedVersions',
] as const satisfies readonly (keyof ReportSubmission)[];

/** Checks a submission; the first problem as `field: message`, else the normalised submission. */
export function checkSubmission(input: unknown): { ok: true; submission: ReportSubmission } | { ok: false; problem: string; field: string } {
  const parsed = ReportSubmissionSchema.safeParse(input);
  if (parsed.success) {
    const data = parsed.data;
    const credit =
      data.reporter.credit.mode === 'named'
        ? { mode: 'named' as const, name: data.reporter.credit.name?.trim() || data.reporter.name }
        : { mode: 'anonymous' as const };
    return {
      ok: true,
      submission: {
        ...data,
        reporter: {
          name: data.reporter.name,
          email: data.reporter.email,
          ...(data.reporter.organisation ? { organisation: data.reporter.organisation } : {}),
          credit,
        },
      },
    };
  }
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  return { ok: false, field, problem: `${field || 'report'}: ${issue?.message ?? 'invalid'}` };
}
