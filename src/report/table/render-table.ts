import { visibleText } from '../../core/visible-text.js';
import type { Report, ReportFinding } from '../report.js';

export interface TableOptions {
  /** Use ANSI colours (a TTY without NO_COLOR). */
  readonly color: boolean;
}

const SEVERITY_COLOR: Readonly<Record<string, string>> = {
  critical: '\u001b[1;31m',
  high: '\u001b[31m',
  medium: '\u001b[33m',
  low: '\u001b[36m',
  unknown: '\u001b[35m',
};

const GATE_LABEL: Readonly<Record<ReportFinding['decision']['kind'], string>> = {
  blocking: 'BLOCKS',
  'allowed-by-exception': 'allowed',
  'below-threshold': 'below',
  'ignored-scope': 'ignored',
  'not-affected': 'n/a',
};

function via(finding: ReportFinding): string {
  if (finding.package.direct === true) return 'direct';
  const first = finding.paths.find((path) => path.length > 1);
  if (first) {
    const more = finding.paths.length > 1 ? ` (+${finding.paths.length - 1})` : '';
    return `via ${first[0] ?? '?'}${more}`;
  }
  return finding.package.direct === false ? 'indirect' : 'unknown';
}

/** The human view: one row per finding (malicious packages first, as the report orders them), then the counts. */
export function renderTable(report: Report, options: TableOptions): string {
  const paint = (text: string, level: string): string =>
    options.color && SEVERITY_COLOR[level] ? `${SEVERITY_COLOR[level]}${text}\u001b[0m` : text;
  const header = ['GATE', 'PACKAGE', 'VERSION', 'DEPENDENCY', 'ID', 'SEVERITY', 'FIXED IN', 'LOCATION'];
  // Cells carry text from lockfiles and advisories: shown visibly, so no row can break the table.
  const rows = report.findings.map((finding) => [
    finding.malicious === true
      ? 'MALICIOUS'
      : GATE_LABEL[finding.decision.kind] + (finding.decision.kind === 'blocking' && finding.decision.overdue === true ? ' (overdue)' : ''),
    finding.package.name,
    finding.package.version,
    via(finding),
    [finding.id, ...finding.aliases.filter((alias) => alias.startsWith('CVE-') || alias.startsWith('MAL-'))].join(', '),
    finding.severity.level + (finding.severity.score !== undefined ? ` ${finding.severity.score.toFixed(1)}` : ''),
    finding.malicious === true ? 'remove it' : finding.fixed.join(', ') || 'no fix',
    `${finding.package.location.file}${finding.package.location.line !== undefined ? `:${finding.package.location.line}` : ''}${finding.package.location.layer !== undefined ? ` (layer ${finding.package.location.layer.slice(0, 19)})` : ''}`,
  ].map(visibleText));
  const lines: string[] = [];
  if (rows.length > 0) {
    const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
    const format = (row: readonly string[]): string =>
      row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
    lines.push(format(header));
    report.findings.forEach((finding, index) => {
      const row = rows[index] ?? [];
      const text = format(row);
      const severityCell = row[5] ?? '';
      lines.push(severityCell ? text.replace(severityCell, paint(severityCell, finding.severity.level)) : text);
    });
    lines.push('');
  }
  const { summary } = report;
  for (const source of report.sources) {
    if (source.packages === 0 && source.skipped === 0) lines.push(`${visibleText(source.path)}: an empty lock, it lists no dependencies`);
  }
  const severities = Object.entries(summary.bySeverity)
    .filter(([, count]) => count > 0)
    .map(([level, count]) => `${count} ${level}`)
    .join(', ');
  lines.push(
    `${summary.packages} packages in ${summary.sources} file${summary.sources === 1 ? '' : 's'}, ` +
      `${summary.skipped} skipped; ${summary.findings} finding${summary.findings === 1 ? '' : 's'} in ` +
      `${summary.vulnerablePackages} package${summary.vulnerablePackages === 1 ? '' : 's'}${severities ? ` (${severities})` : ''}; ` +
      `${summary.blocking} blocking, ${summary.unevaluable} unevaluable`,
  );
  return `${lines.join('\n')}\n`;
}
