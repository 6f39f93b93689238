import { describe, expect, it } from 'vitest';
import { DeskRuleError } from '../../../src/core/errors.js';
import type { DeskConfig } from '../../../src/desk/config/desk-config.js';
import { renderAdvisoryMarkdown } from '../../../src/desk/documents/advisory-markdown.js';
import { renderAnnouncement } from '../../../src/desk/documents/announcement.js';
import { renderDisclosureChecklist } from '../../../src/desk/documents/disclosure-checklist.js';
import { renderPrivateNotification } from '../../../src/desk/documents/private-notification.js';
import type { BackportRow, DeskReport } from '../../../src/desk/types.js';
import { acceptedReport, deskConfig, matrix, reporter, row } from './document-fixtures.js';

type Render = (report: DeskReport, config: DeskConfig, rows: readonly BackportRow[]) => string;

const documents: Readonly<Record<string, Render>> = {
  'private notification': renderPrivateNotification,
  'advisory Markdown': renderAdvisoryMarkdown,
  announcement: renderAnnouncement,
  'disclosure checklist': renderDisclosureChecklist,
};

/** Lines outside fenced code blocks (CommonMark 4.5: a fence closes on a run at least as long). */
function outsideFences(text: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const run = /^(`{3,})/.exec(line)?.[1];
    if (fence === undefined) {
      if (run !== undefined) fence = run;
      else out.push(line);
    } else if (run !== undefined && run.length >= fence.length && line.trim() === run) {
      fence = undefined;
    }
  }
  return out;
}

const headings = (text: string): string[] => outsideFences(text).filter((line) => line.startsWith('#'));

const named = acceptedReport();
const anonymous = acceptedReport({ reporter: reporter({ mode: 'anonymous', name: 'Ada Lovelace' }) });
const config = deskConfig({ url: 'https://webframe.example', announce: 'announce@lists.webframe.example' });

interface ContentCase {
  readonly name: string;
  readonly render: Render;
  readonly report?: DeskReport;
  readonly rows?: BackportRow[];
  readonly config?: DeskConfig;
  readonly contains: readonly string[];
  readonly lacks?: readonly string[];
}

// Never in any of these documents: the reporter's private identity and proof of concept.
const PRIVATE = ['ada@example.org', 'Analytical Engines Ltd', 'DROP TABLE', 'Any view passing user-controlled keys'];

describe('documents of disclosure', () => {
  it.each<ContentCase>([
    {
      name: 'the private notification carries the full description, impact, versions, patches, CVSS, CWEs, date and embargo terms',
      render: renderPrivateNotification,
      contains: [
        '```text\nColumn aliases built from JSON keys are not quoted.\nA crafted key injects SQL.\n```',
        '```text\nArbitrary SQL runs with the application database role.\n```',
        'SQL injection in column aliases of QuerySet.values()',
        '- Severity: High',
        '- CVSS 3.1: base score 9.8, vector `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`',
        '- CWE: CWE-89',
        '- CVE: CVE-2025-12345',
        '- 5.1: all 5.1.x releases before 5.1.1. Fixed in 5.1.1; patch: <https://github.com/webframe/webframe/commit/bbbbbbbb>.',
        '- 5.0: all 5.0.x releases. Past end of security support on 2025-04-30; no fix is promised.',
        '- 4.2: all 4.2.x releases before 4.2.14. Fixed in 4.2.14; patch: `0001-quote-json-aliases-4.2.patch`.',
        '- 4.1: not affected.',
        '- main (no release): <https://github.com/webframe/webframe/commit/aaaaaaaa>',
        '- 4.2 (released in 4.2.14): `0001-quote-json-aliases-4.2.patch`',
        '## Embargo terms',
        'Keep everything in this message confidential until Tuesday 3 June 2025, 13:00 UTC.',
        '- Disclosure: Tuesday 3 June 2025, 13:00 UTC (15:00 in Europe/Paris, UTC+02:00)',
      ],
      lacks: PRIVATE,
    },
    {
      name: 'the advisory Markdown has the GitHub sections, severity with CVSS, and the chosen credit',
      render: renderAdvisoryMarkdown,
      contains: [
        '# SQL injection in column aliases of QuerySet.values()',
        '- Severity: High, CVSS 3.1 base score 9.8',
        '- CVSS vector: `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`',
        '- Weaknesses: CWE-89',
        '- Patched versions: 5.1.1, 4.2.14',
        '### Impact\n\n```text\nArbitrary SQL runs with the application database role.\n```',
        '- 5.0: all 5.0.x releases; past end of security support on 2025-04-30; no fix is promised.',
        'Upgrade to 5.1.1 or 4.2.14, whichever is in your series, e.g. `python -m pip install --upgrade "Django==5.1.1"`.',
        '### Workarounds',
        'Series 5.0 is past the end of security support and gets no fix; move to a supported series.',
        '### References\n\n- <https://github.com/webframe/webframe/commit/aaaaaaaa>\n- <https://github.com/webframe/webframe/commit/bbbbbbbb>\n- <https://www.cve.org/CVERecord?id=CVE-2025-12345>\n- <https://webframe.example>',
        '### Credits\n\nReported privately by `Ada Lovelace`.',
      ],
      lacks: [...PRIVATE, 'anonymous'],
    },
    {
      name: 'the advisory Markdown of an anonymous reporter names nobody',
      render: renderAdvisoryMarkdown,
      report: anonymous,
      contains: ['### Credits\n\nReported privately by an anonymous reporter.'],
      lacks: [...PRIVATE, 'Ada'],
    },
    {
      name: 'the announcement has the summary, severity, versions per series, CVE, credit and upgrade commands',
      render: renderAnnouncement,
      contains: [
        '# Webframe security releases: 5.1.1, 4.2.14',
        'The Webframe team has released 5.1.1 and 4.2.14 to fix a security issue of High severity.',
        '## SQL injection in column aliases of QuerySet.values()',
        '- Severity: High (CVSS 3.1 base score 9.8, `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`)',
        '- CVE: CVE-2025-12345',
        '- Advisory: WEBFRAME-SA-2025-12',
        '- 5.1: all 5.1.x releases before 5.1.1; fixed in 5.1.1.',
        '- 5.0: all 5.0.x releases; past end of security support on 2025-04-30; no fix is promised.',
        '- 4.1: not affected',
        '- Users of 4.2.x: upgrade to 4.2.14: `python -m pip install --upgrade "Django==4.2.14"`',
        '- Users of 5.0.x: past end of security support on 2025-04-30; no fix is promised; upgrade to a supported series (for instance 5.1.1).',
        'Reported privately by `Ada Lovelace`.',
      ],
      lacks: PRIVATE,
    },
    {
      name: 'the announcement of an npm package, anonymous, with the flaw from a known version',
      render: renderAnnouncement,
      report: acceptedReport({
        reporter: reporter({ mode: 'anonymous' }),
        assessment: { package: { ecosystem: 'npm', name: '@webframe/core' }, introduced: '4.17.3', cve: undefined },
      }),
      rows: [row('main', 'fixed'), row('5.1', 'fixed', { fixedIn: '5.1.4' }), row('4.17', 'fixed', { fixedIn: '4.17.22' })],
      config: deskConfig({ ecosystem: 'npm' }),
      contains: [
        '- 4.17: 4.17.x releases from 4.17.3 before 4.17.22; fixed in 4.17.22.',
        '- Users of 5.1.x: upgrade to 5.1.4: `npm install @webframe/core@5.1.4`',
        '- CVE: not assigned yet',
        'Reported privately by an anonymous reporter.',
      ],
      lacks: [...PRIVATE, 'Ada'],
    },
    {
      name: 'the disclosure checklist lists every patch, release, publication and the series with no fix promised',
      render: renderDisclosureChecklist,
      contains: [
        '# Disclosure day: Webframe WEBFRAME-SA-2025-12 (report 12)',
        '- [ ] Apply <https://github.com/webframe/webframe/commit/aaaaaaaa> to the main branch.',
        '- [ ] Apply <https://github.com/webframe/webframe/commit/bbbbbbbb> to the 5.1 branch.',
        '- [ ] Release Django 5.1.1 (PyPI) and check that it can be installed.',
        '- [ ] Apply `0001-quote-json-aliases-4.2.patch` to the 4.2 branch.',
        '- [ ] Release Django 4.2.14 (PyPI) and check that it can be installed.',
        '## Affected series with no fix promised\n\n- 5.0: past end of security support on 2025-04-30; no fix is promised.',
        '- [ ] Publish the OSV advisory WEBFRAME-SA-2025-12 (`vigil desk advisory 12`).',
        '- [ ] Publish the Markdown advisory',
        '- [ ] Send the announcement to announce@lists.webframe.example.',
        '- [ ] Update the supported versions page and SECURITY.md.',
        '- [ ] Tell the reporter that the advisory is public, with its link.',
        '- [ ] Record the disclosure: move report 12 to `disclosed`.',
      ],
      lacks: [...PRIVATE, '4.1', 'Blocking'],
    },
    {
      name: 'the disclosure checklist blocks on a supported series without a fix',
      render: renderDisclosureChecklist,
      report: anonymous,
      rows: [row('main', 'fixed', { patch: 'abc1234' }), row('5.1', 'affected'), row('4.2', 'fixed', { fixedIn: '4.2.14' })],
      contains: [
        '- [ ] **Blocking:** 5.1 is supported and affected but has no fix recorded; fix it or the disclosure cannot go ahead.',
        '- [ ] Apply `abc1234` to the main branch.',
        '- [ ] Merge the fix into the 4.2 branch.',
        'Tell the reporter (credited anonymously, as they asked)',
      ],
      lacks: ['no fix promised'],
    },
  ])('$name', ({ render, report, rows, config: projectConfig, contains, lacks }) => {
    const text = render(report ?? named, projectConfig ?? config, rows ?? matrix());
    for (const phrase of contains) expect(text).toContain(phrase);
    for (const phrase of lacks ?? []) expect(text).not.toContain(phrase);
  });

  it.each(Object.entries(documents))('the %s neutralises reporter text: no heading, link or HTML from it gets out', (_name, render) => {
    const hostile = acceptedReport({
      submission: {
        ...named.submission,
        reporter: reporter({ mode: 'named', name: 'Eve](https://evil.example)\n# Owned <img src=x>' }),
        description: 'fine\n````\n# Injected heading\n[phish](https://evil.example)\n```',
        impact: '```\n## Another\n```',
      },
    });
    const clean = render(named, config, matrix());
    const text = render(hostile, config, matrix());
    expect(headings(text)).toEqual(headings(clean));
    // Outside the fenced blocks, reporter text appears only inside code spans.
    const prose = outsideFences(text).join('\n').replace(/(`+)[^`]*?\1/g, '');
    expect(prose).not.toMatch(/evil\.example|<img|Owned|Injected|phish/);
  });

  it.each(Object.entries(documents))('the %s refuses a report not accepted', (_name, render) => {
    expect(() => render(acceptedReport({ assessment: null }), config, matrix())).toThrow(DeskRuleError);
  });

  it.each([
    ['private notification', renderPrivateNotification],
    ['announcement', renderAnnouncement],
    ['disclosure checklist', renderDisclosureChecklist],
  ] as const)('the %s refuses a report without a disclosure date', (_name, render) => {
    expect(() => render(acceptedReport({ disclosureAt: undefined }), config, matrix())).toThrow(/no disclosure date yet/);
  });
});
