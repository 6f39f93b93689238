import { describe, expect, it } from 'vitest';
import { DeskRuleError } from '../../../src/core/errors.js';
import {
  preAnnouncementFacts,
  renderPreAnnouncement,
  renderPreAnnouncementFacts,
} from '../../../src/desk/documents/pre-announcement.js';
import type { DeskReport } from '../../../src/desk/types.js';
import { acceptedReport, deskConfig } from './document-fixtures.js';

const MARK = 'ZX-MARKER-';
const m = (field: string): string => `${MARK}${field}`;

// A CWE id and a CVSS score used nowhere else, so their absence means something.
const UNIQUE_CWE = 'CWE-98765';
const UNIQUE_SCORE = 6.66;

/** A report with a distinctive marker in every free-text field the desk records. */
const marked: DeskReport = {
  id: 4242,
  state: 'pre-notified',
  receivedAt: '2025-05-02T08:00:00Z',
  submission: {
    title: m('title'),
    reporter: {
      name: m('reporter-name'),
      email: `${m('reporter-email')}@example.org`,
      organisation: m('reporter-organisation'),
      credit: { mode: 'named', name: m('credit-name') },
    },
    description: m('description'),
    stepsToReproduce: m('steps-to-reproduce'),
    impact: m('impact'),
    attackSurface: m('attack-surface'),
    relatedProjects: m('related-projects'),
    affectedVersions: m('affected-versions'),
  },
  assessment: {
    severity: 'moderate',
    cvss: { version: '3.1', vector: `CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:N/${m('cvss-vector')}`, score: UNIQUE_SCORE },
    cwes: [UNIQUE_CWE, m('cwe')],
    affectedSeries: [m('affected-series')],
    package: { ecosystem: m('package-ecosystem'), name: m('package-name') },
    introduced: m('introduced'),
    summary: m('summary'),
    cve: `CVE-2099-98765 ${m('cve')}`,
  },
  rejectionReason: m('rejection-reason'),
  fixes: [
    { series: m('fix-series'), fixedIn: m('fix-fixed-in'), patch: `https://example.org/${m('fix-patch-url')}` },
    { series: m('fix-series-main'), patch: m('fix-patch-commit') },
  ],
  disclosureAt: '2025-06-03T13:00:00Z',
  transitions: [
    {
      from: 'received',
      to: 'acknowledged',
      actor: { kind: 'team', id: m('actor'), role: 'responder' },
      at: '2025-05-02T09:00:00Z',
      note: m('transition-note'),
      override: m('transition-override'),
    },
  ],
  messages: [{ id: 1, author: { kind: 'reporter', id: m('message-author') }, at: '2025-05-03T10:00:00Z', body: m('message-body') }],
};

// Strings of the report that are not details of the flaw: states, instants, enumerations.
const NOT_DETAILS = new Set([
  'state',
  'receivedAt',
  'disclosureAt',
  'assessment.severity',
  'assessment.cvss.version',
  'submission.reporter.credit.mode',
  'transitions.0.from',
  'transitions.0.to',
  'transitions.0.at',
  'transitions.0.actor.kind',
  'transitions.0.actor.role',
  'messages.0.at',
  'messages.0.author.kind',
]);

/** Every string leaf of a value, with its dotted path. */
function stringLeaves(value: unknown, path = ''): { path: string; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => stringLeaves(child, path === '' ? key : `${path}.${key}`));
}

const details = stringLeaves(marked).filter((leaf) => !NOT_DETAILS.has(leaf.path));

/** What of the report a text gives away: any marker, the unique CWE, the score, any CVSS text. */
function leaks(text: string): string[] {
  const found = details.filter((leaf) => text.includes(leaf.value)).map((leaf) => leaf.path);
  if (text.includes(MARK)) found.push('a marker');
  for (const needle of [UNIQUE_CWE, '98765', 'CWE', 'CVSS', 'AV:P', String(UNIQUE_SCORE), UNIQUE_SCORE.toFixed(1), 'CVE']) {
    if (text.includes(needle)) found.push(needle);
  }
  return found;
}

describe('the pre-announcement', () => {
  const config = deskConfig();
  const text = renderPreAnnouncement(marked, config);

  it('is built from a report whose every free-text field carries a marker', () => {
    // Guards the guard: a string field added to the report without a marker would weaken the test.
    const unmarked = details.filter((leaf) => !leaf.value.includes(MARK) && leaf.value !== UNIQUE_CWE);
    expect(unmarked).toEqual([]);
    expect(details.length).toBeGreaterThanOrEqual(25);
  });

  it('contains no detail of the flaw', () => {
    expect(leaks(text)).toEqual([]);
  });

  it('contains the project, the date and time in UTC and in the calendar zone, the level and the number of issues', () => {
    expect(text).toContain('Webframe');
    expect(text).toContain('2025-06-03');
    expect(text).toContain('on Tuesday 3 June 2025, 13:00 UTC (15:00 in Europe/Paris, UTC+02:00).');
    expect(text).toContain('one security issue of Moderate severity');
    expect(text).toContain('Patches will be released for every supported release series.');
  });

  it.each(details.map((leaf) => [leaf.path, leaf.value] as const))('would be caught leaking %s', (_path, value) => {
    // The same check, over a document that lets this one field through the renderer.
    const facts = preAnnouncementFacts(marked, config);
    const leaky = renderPreAnnouncementFacts({ ...facts, project: `${facts.project} ${value}` });
    expect(leaks(leaky)).not.toEqual([]);
  });

  it('reads only the fields it needs: the facts carry nothing else', () => {
    const facts = preAnnouncementFacts(marked, config, ['main', '5.1', '4.2']);
    expect(Object.keys(facts).sort()).toEqual(['disclosureAt', 'levels', 'project', 'securityContact', 'supportedLines', 'timeZone']);
    expect(facts).toEqual({
      project: 'Webframe',
      securityContact: 'security@webframe.example',
      disclosureAt: '2025-06-03T13:00:00Z',
      timeZone: 'Europe/Paris',
      levels: ['moderate'],
      supportedLines: ['main', '5.1', '4.2'],
    });
  });
});

describe('renderPreAnnouncement', () => {
  const config = deskConfig();

  it.each([
    {
      name: 'one report',
      reports: [acceptedReport()],
      want: ['one security issue of High severity'],
    },
    {
      name: 'reports released together, counted per level, highest first',
      reports: [
        acceptedReport({ id: 1, assessment: { severity: 'low' } }),
        acceptedReport({ id: 2, assessment: { severity: 'high' } }),
        acceptedReport({ id: 3, assessment: { severity: 'low' } }),
      ],
      want: ['three security issues: one of High severity and two of Low severity'],
    },
    {
      name: 'two reports of one level',
      reports: [acceptedReport({ id: 1, assessment: { severity: 'moderate' } }), acceptedReport({ id: 2, assessment: { severity: 'moderate' } })],
      want: ['two security issues, all of Moderate severity'],
    },
  ])('$name', ({ reports, want }) => {
    const text = renderPreAnnouncement(reports, config);
    for (const phrase of want) expect(text).toContain(phrase);
  });

  it('names the supported lines when given, and only the time in UTC when the calendar is in UTC', () => {
    const text = renderPreAnnouncement(acceptedReport(), deskConfig({}, 'UTC'), ['main', '5.1', '4.2']);
    expect(text).toContain('Patches will be released for the supported lines: main, 5.1 and 4.2.');
    expect(text).toContain('Tuesday 3 June 2025, 13:00 UTC.');
    expect(text).not.toContain('UTC+');
  });

  it('gives the local date when the calendar zone is on another day', () => {
    const text = renderPreAnnouncement(acceptedReport({ disclosureAt: '2025-06-03T23:30:00Z' }), deskConfig({}, 'Asia/Tokyo'));
    expect(text).toContain('Tuesday 3 June 2025, 23:30 UTC (Wednesday 4 June 2025, 08:30 in Asia/Tokyo, UTC+09:00)');
  });

  it.each([
    { name: 'a report not accepted', reports: [acceptedReport({ assessment: null })], message: /not accepted yet/ },
    { name: 'a report not scheduled', reports: [acceptedReport({ disclosureAt: undefined })], message: /no disclosure date yet/ },
    { name: 'no report', reports: [], message: /at least one report/ },
    {
      name: 'reports disclosed at different times',
      reports: [acceptedReport({ id: 1 }), acceptedReport({ id: 2, disclosureAt: '2025-06-04T13:00:00Z' })],
      message: /reports 1 and 2 are disclosed at different times/,
    },
  ])('refuses $name', ({ reports, message }) => {
    expect(() => renderPreAnnouncement(reports, config)).toThrow(DeskRuleError);
    expect(() => renderPreAnnouncement(reports, config)).toThrow(message);
  });
});
