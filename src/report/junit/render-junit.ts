import type { Report, ReportFinding } from '../report.js';

/**
 * `--format junit`: JUnit XML for CI test dashboards (Jenkins, GitLab, Azure DevOps, CircleCI).
 *
 * Mapping:
 * - one `<testsuite>` per dependency file read (named by its path; a file without findings is an
 *   empty suite, so the dashboard still shows it was audited);
 * - one `<testcase name="package@version" classname="file">` per package version of that file
 *   with findings; it has one `<failure type="blocking">` naming every blocking id when any of its
 *   findings blocks, else one `<skipped>` naming the allowed / below-threshold / ignored-scope ids;
 *   the element's text lists every finding of the package with its decision;
 * - one `<testcase>` per entry that was not audited, `<skipped>` with the reason;
 * - a `vigil policy` suite with one failing `<testcase>` per policy error (expired, invalid,
 *   over-long or wrongly approved exception); policy warnings are left to the other formats.
 */
export function renderJunit(report: Report): string {
  const suites: Suite[] = report.sources.map((source) => ({
    name: source.path,
    cases: [
      ...packageCases(report.findings.filter((finding) => finding.package.location.file === source.path)),
      ...report.skipped
        .filter((entry) => entry.location.file === source.path)
        .map((entry): Case => ({
          name: entry.name ? `${entry.name}${entry.version ? `@${entry.version}` : ''}` : `line ${entry.location.line ?? '?'}`,
          classname: source.path,
          line: entry.location.line,
          outcome: { kind: 'skipped', message: `not audited: ${entry.reason}`, text: '' },
        })),
    ],
    properties: [
      ['format', source.format],
      ['packages', String(source.packages)],
    ],
  }));
  // Findings and skipped entries always belong to a read file; should one not, it still shows.
  const known = new Set(report.sources.map((source) => source.path));
  const orphans = report.findings.filter((finding) => !known.has(finding.package.location.file));
  if (orphans.length > 0) suites.push({ name: 'other files', cases: packageCases(orphans), properties: [] });
  const policyErrors = report.policy.problems.filter((problem) => problem.severity === 'error');
  if (policyErrors.length > 0) {
    const file = report.policy.source ?? 'policy';
    suites.push({
      name: 'vigil policy',
      properties: [],
      cases: policyErrors.map((problem): Case => ({
        name: `${problem.code}${problem.exception ? ` ${problem.exception}` : ''}`,
        classname: problem.location?.file ?? file,
        line: problem.location?.line,
        outcome: { kind: 'failure', type: problem.code, message: problem.message, text: problem.message },
      })),
    });
  }

  const total = (pick: (suite: Suite) => number): number => suites.reduce((sum, suite) => sum + pick(suite), 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites${attributes({
      name: `vigil ${report.tool.version}`,
      tests: total((suite) => suite.cases.length),
      failures: total((suite) => count(suite, 'failure')),
      skipped: total((suite) => count(suite, 'skipped')),
      errors: 0,
      time: 0,
    })}>`,
  );
  for (const suite of suites) {
    out.push(
      `  <testsuite${attributes({
        name: suite.name,
        tests: suite.cases.length,
        failures: count(suite, 'failure'),
        skipped: count(suite, 'skipped'),
        errors: 0,
        time: 0,
        // The JUnit XSD's timestamp has no zone; the report's is UTC.
        timestamp: report.generatedAt.slice(0, 19),
      })}>`,
    );
    if (suite.properties.length > 0) {
      out.push('    <properties>');
      for (const [name, value] of suite.properties) out.push(`      <property${attributes({ name, value })}/>`);
      out.push('    </properties>');
    }
    for (const testCase of suite.cases) {
      const head = `    <testcase${attributes({ name: testCase.name, classname: testCase.classname, file: testCase.classname, line: testCase.line, time: 0 })}>`;
      const { outcome } = testCase;
      const outcomeAttributes = attributes({ message: outcome.message, type: outcome.type });
      const body = outcome.text === '' ? `<${outcome.kind}${outcomeAttributes}/>` : `<${outcome.kind}${outcomeAttributes}>${escapeXmlText(outcome.text)}</${outcome.kind}>`;
      out.push(head, `      ${body}`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

interface Case {
  readonly name: string;
  readonly classname: string;
  readonly line: number | undefined;
  readonly outcome: { readonly kind: 'failure' | 'skipped'; readonly message: string; readonly type?: string; readonly text: string };
}

interface Suite {
  readonly name: string;
  readonly cases: readonly Case[];
  readonly properties: readonly (readonly [string, string])[];
}

function count(suite: Suite, kind: Case['outcome']['kind']): number {
  return suite.cases.filter((testCase) => testCase.outcome.kind === kind).length;
}

/** One case per package version of a file, in the order its first finding appears (malicious packages first, as the report orders them). */
function packageCases(findings: readonly ReportFinding[]): Case[] {
  const byPackage = new Map<string, ReportFinding[]>();
  for (const finding of findings) {
    const key = `${finding.package.location.file}\u0000${finding.package.name}\u0000${finding.package.version}`;
    const group = byPackage.get(key) ?? [];
    group.push(finding);
    byPackage.set(key, group);
  }
  return [...byPackage.values()].map((group): Case => {
    const first = group[0];
    if (!first) throw new Error('packageCases: empty group');
    const { package: pkg } = first;
    const blocking = group.filter((finding) => finding.decision.kind === 'blocking');
    const text = group.map(describeFinding).join('\n\n');
    const malicious = group.filter((finding) => finding.malicious === true);
    const outcome: Case['outcome'] =
      malicious.length > 0
        ? { kind: 'failure', type: 'malicious', message: `${pkg.name} ${pkg.version} is malicious (${malicious.map(idsOf).join('; ')}): remove it`, text }
        : blocking.length > 0
        ? { kind: 'failure', type: 'blocking', message: `${pkg.name} ${pkg.version} is vulnerable to ${blocking.map(idsOf).join('; ')}`, text }
        : { kind: 'skipped', message: group.map((finding) => `${idsOf(finding)}: ${finding.decision.kind}`).join('; '), text };
    return { name: `${pkg.name}@${pkg.version}`, classname: pkg.location.file, line: pkg.location.line, outcome };
  });
}

function idsOf(finding: ReportFinding): string {
  return finding.aliases.length > 0 ? `${finding.id} (${finding.aliases.join(', ')})` : finding.id;
}

function describeFinding(finding: ReportFinding): string {
  const { severity, decision } = finding;
  const level = severity.score === undefined ? severity.level : `${severity.level} ${severity.score.toFixed(1)}`;
  const lines = [
    `${idsOf(finding)}: ${finding.summary}`,
    `severity: ${level}; decision: ${decision.kind} (${decision.reason})`,
    `fixed in: ${finding.fixed.length > 0 ? finding.fixed.join(', ') : 'no fixed version known'}`,
  ];
  if (decision.kind === 'blocking' && decision.due !== undefined) lines.push(`${decision.overdue === true ? 'overdue, was due' : 'due'}: ${decision.due.slice(0, 10)}`);
  if (decision.kind === 'allowed-by-exception') {
    const { exception } = decision;
    lines.push(`exception: ${exception.reason} (approved by ${exception.approvedBy}, ${exception.issue}, expires ${exception.expiresOn})`);
  }
  const path = finding.paths[0];
  if (path && path.length > 1) lines.push(`path: ${path.join(' > ')}`);
  lines.push(`https://osv.dev/vulnerability/${encodeURIComponent(finding.id)}`);
  return lines.join('\n');
}

function attributes(values: Readonly<Record<string, string | number | undefined>>): string {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}

/**
 * Characters XML 1.0 cannot hold at all, even as references (https://www.w3.org/TR/xml/#charsets):
 * C0 controls other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF.
 */
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Element text: `&` and `<` escaped (and `>`, so `]]>` cannot appear), characters XML cannot hold dropped. */
export function escapeXmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Attribute value in double quotes; tab, newline and CR as references, since parsers normalise them to spaces. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
