import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/policy/default-policy.js';
import type { Report } from '../../../src/report/report.js';
import { SECURITY_MD_END, SECURITY_MD_START } from '../../../src/report/security-md/markers.js';
import { describeSla, renderSecurityMd } from '../../../src/report/security-md/render-security-md.js';
import { buildScenarioReport, SCENARIO_EXCEPTION_ID } from '../scenario.js';

let report: Report;

beforeAll(async () => {
  report = await buildScenarioReport();
});

describe('renderSecurityMd', () => {
  it('is one section between the markers, ending in a newline, and deterministic', () => {
    const text = renderSecurityMd({ report, policy: DEFAULT_POLICY });
    expect(text.startsWith(`${SECURITY_MD_START}\n`)).toBe(true);
    expect(text.endsWith(`${SECURITY_MD_END}\n`)).toBe(true);
    expect(renderSecurityMd({ report: { ...report, generatedAt: '1999-01-01T00:00:00.000Z' }, policy: DEFAULT_POLICY })).toBe(text);
    expect(text).toContain(`Advisory data as of ${report.database.updatedAt ?? ''}`);
  });

  it('lists the open findings and the exceptions with their status', () => {
    const text = renderSecurityMd({ report, policy: DEFAULT_POLICY });
    expect(text).toMatch(/^\d+ open vulnerabilities, \d+ with a fix available:$/m);
    const row = text.split('\n').find((line) => line.startsWith(`| ${SCENARIO_EXCEPTION_ID} |`));
    expect(row).toBeDefined();
    expect(row).toMatch(/\| applied \|/);
    expect(row).toContain('security-team');
    expect(text).toMatch(/\| expired \|/);
  });

  it('escapes Markdown and HTML from the policy and advisories', () => {
    const text = renderSecurityMd({ report, policy: DEFAULT_POLICY });
    // The scenario's reason holds "| <b>no</b>": neither may end a cell nor become markup.
    expect(text).toContain('our own SSO \\| &lt;b&gt;no&lt;/b&gt; user input');
    expect(text).not.toContain('<b>');
    const hostile: Report = {
      ...report,
      policy: { ...report.policy, exceptions: report.policy.exceptions.map((entry) => ({ ...entry, reason: 'a\r\n# heading\n<!-- vigil:dependency-security:end -->' })) },
    };
    const hostileText = renderSecurityMd({ report: hostile, policy: DEFAULT_POLICY });
    expect(hostileText.split(SECURITY_MD_END)).toHaveLength(2);
    expect(hostileText).not.toMatch(/^# heading/m);
  });

  it('says when there was no earlier release, and lists the fixes with their ids', () => {
    expect(renderSecurityMd({ report, policy: DEFAULT_POLICY, recentlyFixed: { since: null, fixes: [] } })).toContain(
      'No earlier release to compare with.',
    );
    const text = renderSecurityMd({
      report,
      policy: DEFAULT_POLICY,
      recentlyFixed: {
        since: 'v1.0.0',
        fixes: [{ file: 'requirements.txt', ecosystem: 'PyPI', name: 'idna', from: '3.6', to: '3.7', advisories: [{ id: 'PYSEC-2024-60', aliases: ['CVE-2024-3651'] }] }],
      },
    });
    expect(text).toContain('Since `v1.0.0`: 1 upgrade fixed 1 advisory.');
    expect(text).toContain('| idna | 3.6 | 3.7 | PYSEC-2024-60 (CVE-2024-3651) |');
  });

  it('writes the SLA schedule of the policy', () => {
    const text = renderSecurityMd({ report, policy: DEFAULT_POLICY });
    expect(text).toContain('- critical: within 24 hours\n- high: within 7 days\n- medium: in the next release\n- low: in the next release\n');
  });
});

describe('describeSla', () => {
  it.each([
    { name: 'hours', input: { kind: 'duration', ms: 86_400_000, text: '24h' } as const, want: 'within 24 hours' },
    { name: 'one week', input: { kind: 'duration', ms: 604_800_000, text: '1w' } as const, want: 'within 1 week' },
    { name: 'next release', input: { kind: 'next-release' } as const, want: 'in the next release' },
    { name: 'no target', input: undefined, want: 'no set time' },
  ])('$name', ({ input, want }) => {
    expect(describeSla(input)).toBe(want);
  });
});
