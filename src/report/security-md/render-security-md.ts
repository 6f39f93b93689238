import { POLICY_LEVELS, type Policy, type SlaTarget } from '../../policy/types.js';
import { escapeMarkdown } from '../markdown/render-markdown.js';
import type { Report, ReportException, ReportFinding } from '../report.js';
import { SECURITY_MD_END, SECURITY_MD_START } from './markers.js';
import type { RecentlyFixed } from './recently-fixed.js';

/** What the SECURITY.md section is rendered from. */
export interface SecurityMdInput {
  /** The audit of the working tree, with the gate's decisions. */
  readonly report: Report;
  /** The SLA schedule comes from here. */
  readonly policy: Pick<Policy, 'sla'>;
  /** Upgrades since the earlier release; absent when not computed. */
  readonly recentlyFixed?: RecentlyFixed;
}

/**
 * The dependency-security section of SECURITY.md, markers included: the current posture, the
 * exceptions, what was fixed since the earlier release, the SLA schedule and the date of the
 * advisory data. Deterministic: no date but the report's own (the advisory data's), every list
 * sorted, every text from advisories or the policy through `escapeMarkdown`.
 */
export function renderSecurityMd(input: SecurityMdInput): string {
  const { report } = input;
  const lines: string[] = [SECURITY_MD_START, '', ...renderPosture(report), '', ...renderExceptions(report)];
  if (input.recentlyFixed) lines.push('', ...renderRecentlyFixed(input.recentlyFixed));
  lines.push('', ...renderSla(input.policy), '', renderDataDate(report), '', SECURITY_MD_END);
  return `${lines.join('\n')}\n`;
}

/** Findings still open: not covered by an exception or a VEX `not_affected` statement. */
function openFindings(report: Report): ReportFinding[] {
  return report.findings
    .filter((finding) => finding.decision.kind !== 'allowed-by-exception' && finding.decision.kind !== 'not-affected')
    .slice()
    .sort(
      (a, b) =>
        compare(a.package.name, b.package.name) ||
        compare(a.package.version, b.package.version) ||
        compare(a.id, b.id) ||
        compare(a.package.location.file, b.package.location.file),
    );
}

function renderPosture(report: Report): string[] {
  const open = openFindings(report);
  const fixable = open.filter((finding) => finding.fixed.length > 0);
  const lines = ['### Current status', ''];
  if (open.length === 0) {
    lines.push('All known vulnerabilities in the locked dependencies are resolved or covered by an exception below.');
    return lines;
  }
  if (fixable.length === 0) {
    lines.push(`All fixable vulnerabilities are resolved. ${count(open.length, 'open vulnerability', 'open vulnerabilities')} without a fix yet:`);
  } else {
    lines.push(`${count(open.length, 'open vulnerability', 'open vulnerabilities')}, ${fixable.length} with a fix available:`);
  }
  lines.push('', '| package | version | ids | severity | fix |', '|---|---|---|---|---|');
  for (const finding of open) {
    lines.push(
      row([
        escapeMarkdown(finding.package.name),
        escapeMarkdown(finding.package.version),
        withAliases(finding.id, finding.aliases),
        escapeMarkdown(finding.severity.level),
        finding.fixed.length > 0 ? escapeMarkdown(finding.fixed[0] ?? '') : 'none yet',
      ]),
    );
  }
  return lines;
}

function renderExceptions(report: Report): string[] {
  const lines = ['### Accepted risks (exceptions)', ''];
  const exceptions = report.policy.exceptions
    .slice()
    .sort((a, b) => compare(a.id, b.id) || compare(a.package ?? '', b.package ?? '') || compare(a.expiresOn, b.expiresOn));
  if (exceptions.length === 0) {
    lines.push('No vulnerability is ignored.');
    return lines;
  }
  lines.push(
    '| id | package | current version | fix version | status | reason | approver | issue | expires |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const exception of exceptions) {
    const covered = findingsOf(report, exception);
    const packages = unique([exception.package ?? '', ...covered.map((finding) => finding.package.name)].filter((name) => name !== ''));
    const versions = unique(covered.map((finding) => finding.package.version));
    const fixes = unique(covered.flatMap((finding) => (finding.fixed[0] === undefined ? [] : [finding.fixed[0]])));
    lines.push(
      row([
        escapeMarkdown(exception.id),
        packages.length > 0 ? escapeMarkdown(packages.join(', ')) : 'any',
        versions.length > 0 ? escapeMarkdown(versions.join(', ')) : 'not in use',
        fixes.length > 0 ? escapeMarkdown(fixes.join(', ')) : covered.length > 0 ? 'none yet' : 'n/a',
        exception.status,
        escapeMarkdown(exception.reason),
        escapeMarkdown(exception.approvedBy),
        escapeMarkdown(exception.issue),
        escapeMarkdown(exception.expiresOn),
      ]),
    );
  }
  return lines;
}

/** The findings an exception names: by any id of the flaw, and by package when it names one. */
function findingsOf(report: Report, exception: ReportException): ReportFinding[] {
  const wanted = exception.id.toUpperCase();
  const pkg = exception.package?.toLowerCase().replace(/[-_.]+/g, '-');
  return report.findings
    .filter((finding) => [finding.id, ...finding.aliases].some((id) => id.toUpperCase() === wanted))
    .filter((finding) => pkg === undefined || finding.package.name.toLowerCase().replace(/[-_.]+/g, '-') === pkg)
    .sort((a, b) => compare(a.package.name, b.package.name) || compare(a.package.version, b.package.version));
}

function renderRecentlyFixed(recent: RecentlyFixed): string[] {
  const lines = ['### Recently fixed', ''];
  if (recent.since === null) {
    lines.push('No earlier release to compare with.');
    return lines;
  }
  const since = `\`${recent.since.replace(/`/g, "'")}\``;
  if (recent.fixes.length === 0) {
    lines.push(`No dependency upgrade since ${since} fixed a known vulnerability.`);
    return lines;
  }
  const advisories = recent.fixes.reduce((sum, fix) => sum + fix.advisories.length, 0);
  lines.push(
    `Since ${since}: ${count(recent.fixes.length, 'upgrade', 'upgrades')} fixed ${count(advisories, 'advisory', 'advisories')}.`,
    '',
    '| package | from | to | advisories fixed |',
    '|---|---|---|---|',
  );
  for (const fix of recent.fixes) {
    lines.push(
      row([
        escapeMarkdown(fix.name),
        escapeMarkdown(fix.from),
        escapeMarkdown(fix.to),
        fix.advisories.map((advisory) => withAliases(advisory.id, advisory.aliases)).join('; '),
      ]),
    );
  }
  return lines;
}

function renderSla(policy: Pick<Policy, 'sla'>): string[] {
  const lines = ['### Update schedule', '', 'Vulnerable dependencies are updated:', ''];
  for (const level of [...POLICY_LEVELS].reverse()) {
    lines.push(`- ${level}: ${describeSla(policy.sla[level])}`);
  }
  return lines;
}

const UNIT_NAMES: Readonly<Record<string, readonly [string, string]>> = {
  m: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  w: ['week', 'weeks'],
};

/** `24h` -> "within 24 hours": the policy's own wording, in words. */
export function describeSla(target: SlaTarget | undefined): string {
  if (target === undefined) return 'no set time';
  if (target.kind === 'next-release') return 'in the next release';
  const match = /^(\d+(?:\.\d+)?)\s*([mhdw])$/.exec(target.text.trim());
  const names = match ? UNIT_NAMES[match[2] ?? ''] : undefined;
  if (!match || !names) return `within ${escapeMarkdown(target.text)}`;
  const amount = match[1] ?? '';
  return `within ${amount} ${amount === '1' ? names[0] : names[1]}`;
}

function renderDataDate(report: Report): string {
  const updated = report.database.updatedAt;
  return updated === null ? 'Advisory data: date unknown.' : `Advisory data as of ${escapeMarkdown(updated)} (OSV).`;
}

/** `PYSEC-1 (CVE-2, GHSA-3)`, each id escaped on its own. */
function withAliases(id: string, aliases: readonly string[]): string {
  return aliases.length > 0 ? `${escapeMarkdown(id)} (${aliases.map(escapeMarkdown).join(', ')})` : escapeMarkdown(id);
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compare);
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
