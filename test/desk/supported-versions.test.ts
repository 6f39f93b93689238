import { describe, expect, it } from 'vitest';
import { ConfigError, DeskRuleError, UsageError } from '../../src/core/errors.js';
import type { DeskConfig } from '../../src/desk/config/desk-config.js';
import { toDeskConfig } from '../../src/desk/config/desk-config.js';
import type { DeskConfigFile } from '../../src/desk/config/desk-config-schema.js';
import { backportMatrix, supportedLines } from '../../src/desk/supported-versions.js';
import type { Assessment, BackportRow, DeskReport, SeriesFix, SupportedLine } from '../../src/desk/types.js';

function deskConfig(series: NonNullable<DeskConfigFile['series']>): DeskConfig {
  return toDeskConfig({
    project: {
      name: 'Django',
      package: { ecosystem: 'PyPI', name: 'django' },
      advisory_prefix: 'DJANGO-SA',
      contacts: { security: 'security@djangoproject.com' },
    },
    series,
  });
}

// Django's real release history: the release day of each X.Y.0 and the last day of its security
// support, as djangoproject.com/download announced it (by month) and endoflife.date records the
// day: 5.0 and 5.1 ended on the releases of 5.2 and 6.0; 4.2 and 5.2 LTS at the end of April.
const django = deskConfig([
  { name: '3.2', released: '2021-04-06', lts: true, end_of_support: '2024-04-01' },
  { name: '4.0', released: '2021-12-07', end_of_support: '2023-04-01' },
  { name: '4.1', released: '2022-08-03', end_of_support: '2023-12-01' },
  { name: '4.2', released: '2023-04-03', lts: true, end_of_support: '2026-04-30' },
  { name: '5.0', released: '2023-12-04', end_of_support: '2025-04-02' },
  { name: '5.1', released: '2024-08-07', end_of_support: '2025-12-03' },
  { name: '5.2', released: '2025-04-02', lts: true, end_of_support: '2028-04-30' },
  { name: '6.0', released: '2025-12-03', end_of_support: '2027-04-30' },
]);

interface LinesCase {
  name: string;
  on: string;
  config?: DeskConfig;
  want: string[];
}

const linesCases: LinesCase[] = [
  { name: 'mid-2025 (the issue\'s case): LTS 4.2 and 5.2, series 5.1 and 5.2', on: '2025-06-15', want: ['main', '5.2', '5.1', '4.2'] },
  { name: 'before 5.2 was released', on: '2025-03-01', want: ['main', '5.1', '5.0', '4.2'] },
  { name: 'the day before 5.2', on: '2025-04-01', want: ['main', '5.1', '5.0', '4.2'] },
  { name: '5.2 released (5.0\'s last day, but no longer one of the two latest)', on: '2025-04-02', want: ['main', '5.2', '5.1', '4.2'] },
  { name: 'the day before 6.0', on: '2025-12-02', want: ['main', '5.2', '5.1', '4.2'] },
  { name: '6.0 released', on: '2025-12-03', want: ['main', '6.0', '5.2', '4.2'] },
  { name: '4.2\'s last day of support (inclusive)', on: '2026-04-30', want: ['main', '6.0', '5.2', '4.2'] },
  { name: '4.2 gone after its end', on: '2026-05-01', want: ['main', '6.0', '5.2'] },
  { name: '3.2\'s last day of support', on: '2024-04-01', want: ['main', '5.0', '4.2', '3.2'] },
  { name: '3.2 gone after 2024-04-01', on: '2024-04-02', want: ['main', '5.0', '4.2'] },
  { name: '5.1 released', on: '2024-08-07', want: ['main', '5.1', '5.0', '4.2'] },
  { name: 'mid-2023: 4.2 and 4.1 latest, 3.2 LTS', on: '2023-06-01', want: ['main', '4.2', '4.1', '3.2'] },
  { name: '5.0 released after 4.1 ended', on: '2023-12-04', want: ['main', '5.0', '4.2', '3.2'] },
  { name: 'before any configured series', on: '2021-01-01', want: ['main'] },
  {
    name: 'an ended latest series does not make room for an older one',
    on: '2024-07-01',
    config: deskConfig([
      { name: '1.0', released: '2023-01-01' },
      { name: '1.1', released: '2023-06-01' },
      { name: '2.0', released: '2024-01-01', end_of_support: '2024-06-01' },
    ]),
    want: ['main', '1.1'],
  },
  {
    name: 'series released the same day order by name, numerically',
    on: '2024-07-01',
    config: deskConfig([
      { name: '1.9', released: '2024-01-01' },
      { name: '1.10', released: '2024-01-01' },
      { name: '1.8', released: '2023-01-01', lts: true },
    ]),
    want: ['main', '1.10', '1.9', '1.8'],
  },
];

describe('supportedLines', () => {
  it.each(linesCases)('$name ($on)', ({ on, config, want }) => {
    expect(supportedLines(config ?? django, on).map((line) => line.name)).toEqual(want);
  });

  it('says why each line is supported', () => {
    const want: SupportedLine[] = [
      { name: 'main', kind: 'main', lts: false, reason: 'development branch' },
      { name: '5.2', kind: 'series', lts: true, endOfSupport: '2028-04-30', reason: 'one of the two latest release series; long-term support until 2028-04-30' },
      { name: '5.1', kind: 'series', lts: false, endOfSupport: '2025-12-03', reason: 'one of the two latest release series' },
      { name: '4.2', kind: 'series', lts: true, endOfSupport: '2026-04-30', reason: 'long-term support until 2026-04-30' },
    ];
    expect(supportedLines(django, '2025-06-15')).toEqual(want);
  });

  it.each(['2025-6-15', '2025-02-30', 'June 2025', ''])('refuses the date "%s"', (on) => {
    expect(() => supportedLines(django, on)).toThrow(UsageError);
  });
});

const assessment: Assessment = {
  severity: 'high',
  cvss: { version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
  cwes: ['CWE-89'],
  affectedSeries: ['main', '5.2', '5.1', '4.2', '4.1'],
  package: { ecosystem: 'PyPI', name: 'django' },
  summary: 'SQL injection in QuerySet.filter() with crafted keys',
};

function report(fields: { assessment?: Assessment; fixes?: SeriesFix[] }): DeskReport {
  return {
    id: 12,
    state: fields.assessment === undefined ? 'triaged' : 'fix-in-progress',
    receivedAt: '2025-06-02T08:00:00Z',
    submission: {
      title: 'SQL injection in QuerySet.filter()',
      reporter: { name: 'Ada Reporter', email: 'ada@example.org', credit: { mode: 'named', name: 'Ada Reporter' } },
      description: 'Crafted dictionary keys reach the SQL unescaped.',
      stepsToReproduce: 'Model.objects.filter(**{"x": 1})',
      impact: 'Arbitrary SQL.',
      attackSurface: 'Any view passing user keys to filter().',
      relatedProjects: '',
      affectedVersions: '5.2.2, 4.2.21',
    },
    ...(fields.assessment === undefined ? {} : { assessment: fields.assessment }),
    fixes: fields.fixes ?? [],
    transitions: [],
    messages: [],
  };
}

const fixes: SeriesFix[] = [
  { series: 'main', patch: 'https://github.com/django/django/commit/0a1b2c3' },
  { series: '5.2', fixedIn: '5.2.3', patch: 'https://github.com/django/django/commit/4d5e6f7' },
  { series: '4.2', fixedIn: '4.2.22', patch: 'https://github.com/django/django/commit/8a9b0c1' },
];

type RowView = Pick<BackportRow, 'series' | 'status' | 'affected'> & Partial<Pick<BackportRow, 'fixedIn' | 'note' | 'kind'>>;

interface MatrixCase {
  name: string;
  on: string;
  report: DeskReport;
  want: RowView[];
}

const matrixCases: MatrixCase[] = [
  {
    name: 'a report affecting main, 5.2, 5.1, 4.2 and 4.1 in mid-2025, fixed on main, 5.2 and 4.2',
    on: '2025-06-15',
    report: report({ assessment, fixes }),
    want: [
      { series: 'main', kind: 'main', status: 'fixed', affected: true, note: 'fixed by https://github.com/django/django/commit/0a1b2c3' },
      { series: '5.2', kind: 'series', status: 'fixed', fixedIn: '5.2.3', affected: true, note: 'fixed in 5.2.3 (https://github.com/django/django/commit/4d5e6f7)' },
      { series: '5.1', status: 'affected', affected: true, note: 'affected; supported, no fix recorded yet' },
      { series: '5.0', status: 'unsupported', affected: false, note: 'not affected; past end of security support on 2025-04-02; no fix is promised' },
      { series: '4.2', status: 'fixed', fixedIn: '4.2.22', affected: true },
      { series: '4.1', status: 'unsupported', affected: true, note: 'affected; past end of security support on 2023-12-01; no fix is promised' },
      { series: '4.0', status: 'unsupported', affected: false, note: 'not affected; past end of security support on 2023-04-01; no fix is promised' },
      { series: '3.2', status: 'unsupported', affected: false, note: 'not affected; past end of security support on 2024-04-01; no fix is promised' },
    ],
  },
  {
    name: 'no fix recorded yet: every supported affected series is affected',
    on: '2025-06-15',
    report: report({ assessment }),
    want: [
      { series: 'main', status: 'affected', affected: true },
      { series: '5.2', status: 'affected', affected: true },
      { series: '5.1', status: 'affected', affected: true },
      { series: '5.0', status: 'unsupported', affected: false },
      { series: '4.2', status: 'affected', affected: true },
      { series: '4.1', status: 'unsupported', affected: true },
      { series: '4.0', status: 'unsupported', affected: false },
      { series: '3.2', status: 'unsupported', affected: false },
    ],
  },
  {
    name: 'a supported series outside the affected ones is not affected',
    on: '2025-06-15',
    report: report({ assessment: { ...assessment, affectedSeries: ['main', '5.2'] }, fixes: fixes.slice(0, 2) }),
    want: [
      { series: 'main', status: 'fixed', affected: true },
      { series: '5.2', status: 'fixed', affected: true },
      { series: '5.1', status: 'not-affected', affected: false, note: 'not affected' },
      { series: '5.0', status: 'unsupported', affected: false },
      { series: '4.2', status: 'not-affected', affected: false },
      { series: '4.1', status: 'unsupported', affected: false },
      { series: '4.0', status: 'unsupported', affected: false },
      { series: '3.2', status: 'unsupported', affected: false },
    ],
  },
  {
    name: 'on 5.2\'s release day 5.0 is still within its support dates but no longer among the supported series',
    on: '2025-04-02',
    report: report({ assessment: { ...assessment, affectedSeries: ['main', '5.2', '5.1', '5.0', '4.2'] } }),
    want: [
      { series: 'main', status: 'affected', affected: true },
      { series: '5.2', status: 'affected', affected: true },
      { series: '5.1', status: 'affected', affected: true },
      { series: '5.0', status: 'unsupported', affected: true, note: 'affected; no longer among the supported series; no fix is promised' },
      { series: '4.2', status: 'affected', affected: true },
      { series: '4.1', status: 'unsupported', affected: false },
      { series: '4.0', status: 'unsupported', affected: false },
      { series: '3.2', status: 'unsupported', affected: false },
    ],
  },
  {
    name: 'after 4.2\'s end a recorded 4.2 fix still shows, and 6.0 has a row',
    on: '2026-05-01',
    report: report({ assessment, fixes }),
    want: [
      { series: 'main', status: 'fixed', affected: true },
      { series: '6.0', status: 'not-affected', affected: false },
      { series: '5.2', status: 'fixed', affected: true },
      { series: '5.1', status: 'unsupported', affected: true, note: 'affected; past end of security support on 2025-12-03; no fix is promised' },
      { series: '5.0', status: 'unsupported', affected: false },
      { series: '4.2', status: 'fixed', fixedIn: '4.2.22', affected: true },
      { series: '4.1', status: 'unsupported', affected: true },
      { series: '4.0', status: 'unsupported', affected: false },
      { series: '3.2', status: 'unsupported', affected: false },
    ],
  },
];

describe('backportMatrix', () => {
  it.each(matrixCases)('$name', ({ on, report: deskReport, want }) => {
    expect(backportMatrix(deskReport, django, on)).toMatchObject(want);
  });

  interface ErrorCase {
    name: string;
    report: DeskReport;
    on: string;
    wantError: typeof DeskRuleError | typeof ConfigError | typeof UsageError;
  }
  const errorCases: ErrorCase[] = [
    { name: 'a report not accepted yet (no assessment)', report: report({}), on: '2025-06-15', wantError: DeskRuleError },
    {
      name: 'an affected series the configuration does not know',
      report: report({ assessment: { ...assessment, affectedSeries: ['main', '3.1'] } }),
      on: '2025-06-15',
      wantError: ConfigError,
    },
    {
      name: 'a fix for a series the configuration does not know',
      report: report({ assessment, fixes: [{ series: 'stable/5.2.x', patch: 'abc123' }] }),
      on: '2025-06-15',
      wantError: ConfigError,
    },
    { name: 'a malformed date', report: report({ assessment }), on: '15/06/2025', wantError: UsageError },
  ];
  it.each(errorCases)('refuses $name', ({ report: deskReport, on, wantError }) => {
    expect(() => backportMatrix(deskReport, django, on)).toThrow(wantError);
  });
});
