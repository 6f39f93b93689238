import type { SourceLocation } from '../../core/types.js';
import type { Report, ReportFinding } from '../report.js';

/** First line of every comment, so a CI job can find and update its previous comment. */
export const MARKDOWN_MARKER = '<!-- vigil-report -->';

/**
 * `--format markdown`: a pull-request comment. A headline with the verdict and counts, a table
 * of blocking findings, a table of findings allowed by exceptions (reason, approver, issue,
 * expiry), the findings that do not block (below the threshold or in an ignored scope) folded in
 * `<details>`, the policy problems, and how many entries were skipped. Every text that comes
 * from advisories, lockfiles or the policy file goes through `escapeMarkdown`.
 */
export function renderMarkdown(report: Report): string {
  // Largest tables first; the first rendering that fits is used.
  const steps: RowLimits[] = [
    { blocking: Infinity, allowed: Infinity, notBlocking: Infinity },
    { blocking: Infinity, allowed: Infinity, notBlocking: 50 },
    { blocking: Infinity, allowed: Infinity, notBlocking: 0 },
    { blocking: 200, allowed: 50, notBlocking: 0 },
    { blocking: 100, allowed: 20, notBlocking: 0 },
    { blocking: 50, allowed: 10, notBlocking: 0 },
    { blocking: 20, allowed: 5, notBlocking: 0 },
  ];
  let text = '';
  for (const limits of steps) {
    text = renderWithLimits(report, limits);
    if (text.length <= MARKDOWN_MAX_CHARS) break;
  }
  return text;
}

/**
 * GitHub rejects a comment body over 65,536 characters; a report that would exceed this budget
 * shows fewer rows (non-blocking ones go first) and says how many more the JSON report has.
 */
export const MARKDOWN_MAX_CHARS = 60_000;

interface RowLimits {
  readonly blocking: number;
  readonly allowed: number;
  readonly notBlocking: number;
}

function renderWithLimits(report: Report, limits: RowLimits): string {
  const { summary } = report;
  const blocking = report.findings.filter((finding) => finding.decision.kind === 'blocking');
  const allowed = report.findings.filter((finding) => finding.decision.kind === 'allowed-by-exception');
  const notBlocking = report.findings.filter(
    (finding) => finding.decision.kind === 'below-threshold' || finding.decision.kind === 'ignored-scope' || finding.decision.kind === 'not-affected',
  );
  const out: string[] = [MARKDOWN_MARKER];

  out.push(`## ${summary.passed ? '✅ vigil: dependency audit passed' : '❌ vigil: dependency audit FAILED'}`, '');
  out.push(
    `**${summary.blocking} blocking**, ${summary.unevaluable > 0 ? `**${summary.unevaluable} unevaluable**` : '0 unevaluable'}, ${summary.allowedByException} allowed by exception, ${summary.belowThreshold} below threshold ` +
      `(fail_on ${report.policy.failOn}), ${summary.ignoredScope} in ignored scopes; ` +
      `**${summary.policyErrors} policy ${plural(summary.policyErrors, 'error')}**, ${summary.policyWarnings} ${plural(summary.policyWarnings, 'warning')}.`,
    '',
    `${summary.findings} ${plural(summary.findings, 'finding')} in ${summary.vulnerablePackages} of ${summary.packages} packages ` +
      `from ${summary.sources} dependency ${plural(summary.sources, 'file')}; policy ${escapeMarkdown(report.policy.source ?? 'default')}; ` +
      `vigil ${escapeMarkdown(report.tool.version)}, advisories updated ${escapeMarkdown(report.database.updatedAt ?? 'never')}.`,
    '',
  );

  if (blocking.length > 0) {
    out.push(`### Blocking (${blocking.length})`, '');
    out.push(
      row(['package', 'version', 'via', 'advisory', 'severity', 'fixed in', 'due', 'file', 'summary']),
      row(Array<string>(9).fill('---')),
    );
    for (const finding of blocking.slice(0, limits.blocking)) {
      const { decision } = finding;
      let due = '';
      if (decision.kind === 'blocking') {
        if (decision.due === undefined) due = 'next release';
        else due = decision.overdue === true ? `**overdue** since ${decision.due.slice(0, 10)}` : decision.due.slice(0, 10);
      }
      out.push(
        row([
          packageCell(finding),
          escapeMarkdown(finding.package.version),
          viaCell(finding),
          advisoryCell(finding),
          severityCell(finding),
          fixedCell(finding),
          due,
          locationCell(finding.package.location),
          escapeMarkdown(finding.summary),
        ]),
      );
    }
    out.push(...moreRows(blocking.length, limits.blocking), '');
  }

  if (allowed.length > 0) {
    out.push(`### Allowed by exception (${allowed.length})`, '');
    out.push(row(['package', 'version', 'advisory', 'severity', 'reason', 'approved by', 'issue', 'expires']), row(Array<string>(8).fill('---')));
    for (const finding of allowed.slice(0, limits.allowed)) {
      const { decision } = finding;
      if (decision.kind !== 'allowed-by-exception') continue;
      const { exception } = decision;
      out.push(
        row([
          packageCell(finding),
          escapeMarkdown(finding.package.version),
          advisoryCell(finding),
          severityCell(finding),
          escapeMarkdown(exception.reason),
          escapeMarkdown(exception.approvedBy),
          linkOrText(exception.issue),
          escapeMarkdown(exception.expiresOn),
        ]),
      );
    }
    out.push(...moreRows(allowed.length, limits.allowed), '');
  }

  if (notBlocking.length > 0) {
    out.push(`<details><summary>Not blocking: ${summary.belowThreshold} below threshold, ${summary.ignoredScope} in ignored scopes</summary>`, '');
    if (limits.notBlocking > 0) out.push(row(['package', 'version', 'advisory', 'severity', 'fixed in', 'why not blocking']), row(Array<string>(6).fill('---')));
    for (const finding of notBlocking.slice(0, limits.notBlocking)) {
      out.push(
        row([
          packageCell(finding),
          escapeMarkdown(finding.package.version),
          advisoryCell(finding),
          severityCell(finding),
          fixedCell(finding),
          escapeMarkdown(finding.decision.reason),
        ]),
      );
    }
    out.push(...moreRows(notBlocking.length, limits.notBlocking), '', '</details>', '');
  }

  if (report.policy.problems.length > 0) {
    out.push('### Policy problems', '');
    for (const problem of report.policy.problems) {
      const where = problem.location ? `${locationCell(problem.location)}: ` : '';
      out.push(`- **${problem.severity}** ${where}${escapeMarkdown(problem.message)}`);
    }
    out.push('');
  }

  if (summary.skipped > 0) {
    out.push(`${summary.skipped} ${plural(summary.skipped, 'entry')} not audited (skipped: unpinned, VCS, editable or invalid versions); \`vigil audit --format json\` lists them.`, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * Makes text from advisories and lockfiles inert inside a table cell: `|` cannot end the cell, a
 * newline cannot end the row, `<`/`>`/`&` cannot open HTML (a `<script>`, a `<details>` that
 * swallows the rest), backticks, `*`, `_`, `[`... cannot start code, emphasis or links, and `@`
 * cannot mention a user or team in a pull-request comment.
 */
export function escapeMarkdown(text: string): string {
  // One pass, so the `#` and `;` of an entity written here are not escaped again.
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>@\\`*_[\]{}()#+!|~]/g, (char) => HTML_ENTITIES[char] ?? `\\${char}`)
    .trim();
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '@': '&#64;' };

/** Only http(s) URLs become links, with the characters that end a Markdown link target encoded. */
function linkOrText(text: string): string {
  if (!/^https?:\/\/[^\s]+$/.test(text)) return escapeMarkdown(text);
  const target = text.replace(/[()<>|`"'\\[\]]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `[${escapeMarkdown(text)}](${target})`;
}

function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
}

function advisoryCell(finding: ReportFinding): string {
  const link = (id: string): string => `[${escapeMarkdown(id)}](${advisoryUrl(id)})`;
  const aliases = finding.aliases.length > 0 ? ` (${finding.aliases.map(link).join(', ')})` : '';
  return `${link(finding.id)}${aliases}`;
}

function packageCell(finding: ReportFinding): string {
  return `**${escapeMarkdown(finding.package.name)}**`;
}

/** The direct dependency the package comes through (first path), or `direct`. */
function viaCell(finding: ReportFinding): string {
  const path = finding.paths[0];
  if (path && path.length > 1 && path[0] !== undefined) return escapeMarkdown(path[0]);
  if ((path && path.length === 1) || finding.package.direct === true) return 'direct';
  return finding.package.direct === 'unknown' ? 'unknown' : '';
}

function severityCell(finding: ReportFinding): string {
  const { severity, decision } = finding;
  if (severity.level === 'unknown') return `unknown (as ${decision.level})`;
  return severity.score === undefined ? severity.level : `${severity.level} ${severity.score.toFixed(1)}`;
}

function fixedCell(finding: ReportFinding): string {
  if (finding.malicious === true) return '**malicious: remove it**';
  return finding.fixed.length > 0 ? finding.fixed.map(escapeMarkdown).join(', ') : 'no fix';
}

function locationCell(location: SourceLocation): string {
  return escapeMarkdown(`${location.file}${location.line === undefined ? '' : `:${location.line}`}${location.layer === undefined ? '' : ` (layer ${location.layer.slice(0, 19)})`}`);
}

function moreRows(total: number, shown: number): string[] {
  return total > shown ? ['', `… and ${total - shown} more (too many for one comment: see \`vigil audit --format json\`).`] : [];
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function plural(count: number, word: string): string {
  if (count === 1) return word;
  return word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`;
}
