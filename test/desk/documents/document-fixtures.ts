// Reports, configurations and backport-matrix rows for the document tests, built by hand.
import { DeskConfigFileSchema } from '../../../src/desk/config/desk-config-schema.js';
import { toDeskConfig, type DeskConfig } from '../../../src/desk/config/desk-config.js';
import type { Assessment, BackportRow, DeskReport, ReporterIdentity } from '../../../src/desk/types.js';

/** A desk configuration through the real schema and defaults; `project` fields override. */
export function deskConfig(project: { name?: string; url?: string; ecosystem?: string; packageName?: string; announce?: string } = {}, timeZone = 'Europe/Paris'): DeskConfig {
  return toDeskConfig(
    DeskConfigFileSchema.parse({
      project: {
        name: project.name ?? 'Webframe',
        ...(project.url === undefined ? {} : { url: project.url }),
        package: { ecosystem: project.ecosystem ?? 'PyPI', name: project.packageName ?? 'Django' },
        advisory_prefix: 'WEBFRAME-SA',
        contacts: { security: 'security@webframe.example', ...(project.announce === undefined ? {} : { announce: project.announce }) },
      },
      calendar: { time_zone: timeZone },
      series: [
        { name: '4.1', released: '2022-08-03', end_of_support: '2023-12-01' },
        { name: '4.2', released: '2023-04-03', lts: true, end_of_support: '2026-04-30' },
        { name: '5.0', released: '2023-12-04', end_of_support: '2025-04-30' },
        { name: '5.1', released: '2024-08-07', end_of_support: '2025-12-31' },
      ],
    }),
  );
}

/** A reporter with a credit choice. */
export function reporter(credit: ReporterIdentity['credit'] = { mode: 'named', name: 'Ada Lovelace' }): ReporterIdentity {
  return { name: 'Ada L.', email: 'ada@example.org', organisation: 'Analytical Engines Ltd', credit };
}

/** An accepted, scheduled report; `assessment` fields and the rest override (`assessment: null`: none). */
export function acceptedReport(
  overrides: Partial<Omit<DeskReport, 'assessment'>> & { assessment?: Partial<Assessment> | null; reporter?: ReporterIdentity } = {},
): DeskReport {
  const { assessment, reporter: who, ...rest } = overrides;
  return {
    id: 12,
    state: 'pre-notified',
    receivedAt: '2025-05-02T08:00:00Z',
    submission: {
      title: 'SQL injection in QuerySet.values()',
      reporter: who ?? reporter(),
      description: 'Column aliases built from JSON keys are not quoted.\nA crafted key injects SQL.',
      stepsToReproduce: 'Model.objects.values(**{"a\'; DROP TABLE x; --": F("id")})',
      impact: 'Arbitrary SQL runs with the application database role.',
      attackSurface: 'Any view passing user-controlled keys to values().',
      relatedProjects: 'None known.',
      affectedVersions: '5.1.0, 4.2.13',
    },
    ...(assessment === null
      ? {}
      : {
          assessment: {
            severity: 'high',
            cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
            cwes: ['CWE-89'],
            affectedSeries: ['main', '5.1', '5.0', '4.2'],
            package: { ecosystem: 'PyPI', name: 'Django' },
            summary: 'SQL injection in column aliases of QuerySet.values()',
            cve: 'CVE-2025-12345',
            ...assessment,
          },
        }),
    fixes: [
      { series: 'main', patch: 'https://github.com/webframe/webframe/commit/aaaaaaaa' },
      { series: '5.1', fixedIn: '5.1.1', patch: 'https://github.com/webframe/webframe/commit/bbbbbbbb' },
      { series: '4.2', fixedIn: '4.2.14', patch: '0001-quote-json-aliases-4.2.patch' },
    ],
    disclosureAt: '2025-06-03T13:00:00Z',
    transitions: [],
    messages: [],
    ...rest,
  };
}

/** One backport-matrix row; the note defaults to a plain sentence per status. */
export function row(series: string, status: BackportRow['status'], extra: Partial<BackportRow> = {}): BackportRow {
  const kind = extra.kind ?? (series === 'main' ? 'main' : 'series');
  const note =
    status === 'unsupported'
      ? extra.affected === false
        ? 'past end of security support on 2023-12-01'
        : 'past end of security support on 2025-04-30; no fix is promised'
      : status;
  return { series, kind, status, affected: status !== 'not-affected', note, ...extra };
}

/** The matrix of `acceptedReport()`: main and 5.1 and 4.2 fixed, 5.0 affected past its end, 4.1 not affected. */
export function matrix(): BackportRow[] {
  return [
    row('main', 'fixed', { patch: 'https://github.com/webframe/webframe/commit/aaaaaaaa' }),
    row('5.1', 'fixed', { fixedIn: '5.1.1', patch: 'https://github.com/webframe/webframe/commit/bbbbbbbb' }),
    row('5.0', 'unsupported', { affected: true }),
    row('4.2', 'fixed', { fixedIn: '4.2.14', patch: '0001-quote-json-aliases-4.2.patch' }),
    row('4.1', 'unsupported', { affected: false }),
  ];
}
