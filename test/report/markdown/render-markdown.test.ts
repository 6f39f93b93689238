import { beforeAll, describe, expect, it } from 'vitest';
import { MARKDOWN_MARKER, MARKDOWN_MAX_CHARS, escapeMarkdown, renderMarkdown } from '../../../src/report/markdown/render-markdown.js';
import type { Report, ReportFinding } from '../../../src/report/report.js';
import { expectGolden } from '../golden.js';
import { buildScenarioReport } from '../scenario.js';

let report: Report;
let text: string;

beforeAll(async () => {
  report = await buildScenarioReport();
  text = renderMarkdown(report);
});

/** The rows of the table under a `### title` heading (or inside the details block), header and rule excluded. */
function tableRows(markdown: string, heading: RegExp): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return [];
  const rows: string[] = [];
  let seen = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) {
      rows.push(line);
      seen = true;
    } else if (seen) break;
  }
  return rows.slice(2);
}

/** Cells of a table row as GFM splits them: on `|` not preceded by a backslash. */
const cells = (line: string): string[] => line.slice(2, -2).split(/(?<!\\)\|/);

describe('renderMarkdown over the scenario', () => {
  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('scenario.md', text);
  });

  it('has a headline with the verdict and the counts', () => {
    expect(text.startsWith(`${MARKDOWN_MARKER}\n## ❌ vigil: dependency audit FAILED`)).toBe(true);
    expect(text).toContain(`**${report.summary.blocking} blocking**, 0 unevaluable, ${report.summary.allowedByException} allowed by exception`);
  });

  it('has one table row per finding, in its section, each with the same number of cells as its header', () => {
    const sections: [RegExp, ReportFinding['decision']['kind'][], number][] = [
      [/^### Blocking/, ['blocking'], 9],
      [/^### Allowed by exception/, ['allowed-by-exception'], 8],
      [/^<details><summary>Not blocking/, ['below-threshold', 'ignored-scope'], 6],
    ];
    for (const [heading, kinds, width] of sections) {
      const rows = tableRows(text, heading);
      expect(rows).toHaveLength(report.findings.filter((finding) => kinds.includes(finding.decision.kind)).length);
      for (const line of rows) expect(cells(line)).toHaveLength(width);
    }
  });

  it('shows the exception with its reason, approver, issue and expiry', () => {
    const [line] = tableRows(text, /^### Allowed by exception/);
    expect(line).toContain('security-team');
    expect(line).toContain('[https://example.com/issues/42](https://example.com/issues/42)');
    expect(line).toContain('2026-12-01');
    // The scenario's reason holds `| <b>`: escaped, not a cell break or HTML.
    expect(line).toContain('\\| &lt;b&gt;no&lt;/b&gt;');
  });

  it('stays within a GitHub comment for a large report, dropping non-blocking rows first', () => {
    const many: Report = { ...report, findings: Array.from({ length: 40 }, () => report.findings).flat() };
    const markdown = renderMarkdown(many);
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
    expect(markdown).toMatch(/… and \d+ more \(too many for one comment/);
    expect(tableRows(markdown, /^### Blocking/).length).toBeGreaterThan(0);
  });

  it('lists every policy problem and the skipped count', () => {
    for (const problem of report.policy.problems) expect(text).toContain(`- **${problem.severity}** ${problem.location?.file ?? ''}`);
    expect(text).toContain(`${report.summary.skipped} entry not audited`);
  });
});

describe('escapeMarkdown', () => {
  const cases: { name: string; input: string; want: string }[] = [
    { name: 'a pipe cannot end the cell', input: 'a | b', want: 'a \\| b' },
    { name: 'HTML is shown, not run', input: '<script>alert(1)</script>', want: '&lt;script&gt;alert\\(1\\)&lt;/script&gt;' },
    { name: 'a newline cannot end the row', input: 'line one\r\nline two\n', want: 'line one line two' },
    { name: 'backticks cannot open code', input: 'call `eval`', want: 'call \\`eval\\`' },
    { name: 'an entity stays text', input: '&lt;', want: '&amp;lt;' },
    { name: 'no link, emphasis or mention', input: '[x](javascript:1) *a* _b_ @org/team', want: '\\[x\\]\\(javascript:1\\) \\*a\\* \\_b\\_ &#64;org/team' },
    { name: 'plain text unchanged', input: 'ReDoS in semver', want: 'ReDoS in semver' },
  ];
  it.each(cases)('$name', ({ input, want }) => {
    expect(escapeMarkdown(input)).toBe(want);
  });

  it('a hostile summary stays inside its cell', () => {
    const blocking = report.findings.find((finding) => finding.decision.kind === 'blocking')!;
    const hostile: ReportFinding = { ...blocking, summary: '| <script>alert(1)</script>\n| injected | row |' };
    const markdown = renderMarkdown({ ...report, findings: [hostile] });
    const rows = tableRows(markdown, /^### Blocking/);
    expect(rows).toHaveLength(1);
    expect(cells(rows[0]!)).toHaveLength(9);
    expect(markdown).not.toContain('<script>');
  });
});
