import { z } from 'zod';
import type { ReportSubmission } from './types.js';

// Limits keep one report from filling the store; they are far above what a real report needs
// (Django's and Nautobot's reports run to a few pages).
const Text = (max: number) => z.string().trim().max(max, `at most ${max} characters`);

/** A report as it arrives from the form, the API or the CLI. */
export const ReportSubmissionSchema = z.strictObject({
  title: Text(200).min(1, 'a short title is required'),
  reporter: z.strictObject({
    name: Text(200).min(1, 'your name (or a handle) is required'),
    email: z.email('a valid e-mail address is required').max(320),
    organisation: Text(200).optional(),
    credit: z.strictObject({
      mode: z.enum(['named', 'anonymous']),
      name: Text(200).optional(),
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
