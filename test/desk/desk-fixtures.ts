import { parseDeskConfigText } from '../../src/desk/config/load-desk-config.js';
import type { DeskConfig } from '../../src/desk/config/desk-config.js';
import type { Actor, DeskReport, ReportState, ReportSubmission } from '../../src/desk/types.js';

/**
 * A desk configuration with Django's real release history (dates from the Django download page
 * and its supported-versions table), in Django's own time zone rules for the test: Chicago.
 */
export const DJANGO_LIKE_CONFIG_YAML = `
project:
  name: Example Framework
  url: https://example.org
  package: { ecosystem: PyPI, name: django }
  advisory_prefix: EXAMPLE-SA
  contacts: { security: security@example.org }
sla:
  acknowledge: 3 business days
  triage: 10 business days
  fix: { high: 30 days, moderate: 60 days, low: 90 days }
calendar:
  time_zone: America/Chicago
  holidays: [2026-12-25]
series:
  - { name: "4.1", released: 2022-08-03, end_of_support: 2023-12-04 }
  - { name: "4.2", released: 2023-04-03, lts: true, end_of_support: 2026-04-30 }
  - { name: "5.0", released: 2023-12-04, end_of_support: 2025-04-02 }
  - { name: "5.1", released: 2024-08-07, end_of_support: 2025-12-03 }
  - { name: "5.2", released: 2025-04-02, lts: true, end_of_support: 2028-04-30 }
prenotification:
  lead_time: 7 days
`;

export function djangoLikeConfig(): DeskConfig {
  return parseDeskConfigText(DJANGO_LIKE_CONFIG_YAML, 'desk.yaml');
}

export const SUBMISSION: ReportSubmission = {
  title: 'SQL injection in the admin changelist',
  reporter: { name: 'Ada Reporter', email: 'ada@example.net', credit: { mode: 'named', name: 'Ada R.' } },
  description: 'The changelist search builds a raw WHERE clause from the q parameter.',
  stepsToReproduce: '1. log in as staff\n2. GET /admin/app/model/?q=%27%20OR%201=1--',
  impact: 'A staff user reads any table.',
  attackSurface: 'Admin site, staff accounts only.',
  relatedProjects: '',
  affectedVersions: '5.2.1',
};

export const RESPONDER: Actor = { kind: 'team', id: 'rita', role: 'responder' };
export const ADMIN: Actor = { kind: 'team', id: 'alan', role: 'admin' };
export const OBSERVER: Actor = { kind: 'team', id: 'otto', role: 'observer' };
export const REPORTER_ACTOR: Actor = { kind: 'reporter', id: 'reporter' };

/** A report in a given state with whatever that state implies already recorded. */
export function reportIn(state: ReportState, overrides: Partial<DeskReport> = {}): DeskReport {
  const accepted = ['accepted', 'fix-in-progress', 'disclosure-scheduled', 'pre-notified', 'disclosed'].includes(state);
  return {
    id: 7,
    state,
    receivedAt: '2025-06-02T15:00:00.000Z',
    submission: SUBMISSION,
    ...(accepted
      ? {
          assessment: {
            severity: 'high',
            cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N', score: 6.5 },
            cwes: ['CWE-89'],
            affectedSeries: ['main', '5.2', '5.1', '4.2'],
            package: { ecosystem: 'PyPI', name: 'django' },
            summary: 'SQL injection in the admin changelist search',
          },
        }
      : {}),
    ...(['disclosure-scheduled', 'pre-notified', 'disclosed'].includes(state) ? { disclosureAt: '2025-07-01T14:00:00.000Z' } : {}),
    fixes: [],
    transitions: [],
    messages: [],
    ...overrides,
  };
}
