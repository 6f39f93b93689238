import { beforeAll, describe, expect, it } from 'vitest';
import { escapeXmlAttribute, escapeXmlText, renderJunit } from '../../../src/report/junit/render-junit.js';
import type { Report, ReportFinding } from '../../../src/report/report.js';
import { expectGolden } from '../golden.js';
import { buildScenarioReport } from '../scenario.js';
import { parseXml, type XmlElement } from './xml-check.js';

let report: Report;
let text: string;
let root: XmlElement;

beforeAll(async () => {
  report = await buildScenarioReport();
  text = renderJunit(report);
  root = parseXml(text);
});

const packageKey = (finding: ReportFinding): string => `${finding.package.location.file} ${finding.package.name}@${finding.package.version}`;

describe('renderJunit over the scenario', () => {
  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('scenario.junit.xml', text);
  });

  it('has one suite per dependency file, and one for the policy errors', () => {
    expect(root.name).toBe('testsuites');
    expect(root.children.map((suite) => suite.attributes['name'])).toEqual([...report.sources.map((source) => source.path), 'vigil policy']);
  });

  it('has one case per package with findings, failing exactly when one of its findings blocks', () => {
    const cases = root.children
      .filter((suite) => suite.attributes['name'] !== 'vigil policy')
      .flatMap((suite) => suite.children.filter((child) => child.name === 'testcase'))
      .filter((testCase) => !testCase.children[0]?.attributes['message']?.startsWith('not audited'));
    const packages = new Set(report.findings.map(packageKey));
    const blockingPackages = new Set(report.findings.filter((finding) => finding.decision.kind === 'blocking').map(packageKey));
    expect(cases).toHaveLength(packages.size);
    expect(new Set(cases.map((testCase) => `${testCase.attributes['classname'] ?? ''} ${testCase.attributes['name'] ?? ''}`))).toEqual(packages);
    expect(cases.filter((testCase) => testCase.children[0]?.name === 'failure')).toHaveLength(blockingPackages.size);
    for (const finding of report.findings.filter((entry) => entry.decision.kind === 'blocking')) {
      const testCase = cases.find((entry) => `${entry.attributes['classname'] ?? ''} ${entry.attributes['name'] ?? ''}` === packageKey(finding));
      expect(testCase?.children[0]?.attributes['message']).toContain(finding.id);
      expect(testCase?.attributes['line']).toBe(String(finding.package.location.line));
    }
  });

  it('keeps the counts consistent with its cases', () => {
    const all = root.children.flatMap((suite) => suite.children.filter((child) => child.name === 'testcase'));
    expect(root.attributes['tests']).toBe(String(all.length));
    expect(root.attributes['failures']).toBe(String(all.filter((testCase) => testCase.children[0]?.name === 'failure').length));
    expect(root.attributes['skipped']).toBe(String(all.filter((testCase) => testCase.children[0]?.name === 'skipped').length));
    const policy = root.children.find((suite) => suite.attributes['name'] === 'vigil policy');
    expect(policy?.attributes['failures']).toBe(String(report.summary.policyErrors));
  });
});

describe('XML escaping', () => {
  const cases: { name: string; input: string; text: string; attribute: string }[] = [
    { name: 'markup characters', input: '<a href="x">&</a>', text: '&lt;a href="x"&gt;&amp;&lt;/a&gt;', attribute: '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;' },
    { name: 'a CDATA end cannot appear', input: ']]>', text: ']]&gt;', attribute: ']]&gt;' },
    { name: 'C0 controls, lone surrogates and U+FFFF are dropped', input: 'a\u0000b\u001Bc\uD800d\uFFFFe', text: 'abcde', attribute: 'abcde' },
    { name: 'tab, newline and CR kept (as references in attributes)', input: 'a\tb\nc\rd', text: 'a\tb\nc\rd', attribute: 'a&#9;b&#10;c&#13;d' },
    { name: 'astral characters kept', input: 'ok 🔒', text: 'ok 🔒', attribute: 'ok 🔒' },
    { name: 'quotes only escaped in attributes', input: `it's "x"`, text: `it's "x"`, attribute: 'it&apos;s &quot;x&quot;' },
  ];
  it.each(cases)('$name', ({ input, text: wantText, attribute }) => {
    expect(escapeXmlText(input)).toBe(wantText);
    expect(escapeXmlAttribute(input)).toBe(attribute);
  });

  it('a hostile summary and package name still give well-formed XML carrying their text', () => {
    const blocking = report.findings.find((finding) => finding.decision.kind === 'blocking')!;
    const hostile: ReportFinding = {
      ...blocking,
      summary: '</failure></testcase><testcase name="fake"/>\u0000 & "quoted" \uDFFF',
      package: { ...blocking.package, name: 'evil"<&>' },
    };
    const xml = renderJunit({ ...report, findings: [hostile] });
    const parsed = parseXml(xml);
    const testCases = parsed.children.flatMap((suite) => suite.children.filter((child) => child.name === 'testcase'));
    expect(testCases.some((testCase) => testCase.attributes['name'] === 'fake')).toBe(false);
    const evil = testCases.find((testCase) => testCase.attributes['name']?.startsWith('evil'));
    expect(evil?.attributes['name']).toBe(`evil"<&>@${blocking.package.version}`);
    expect(evil?.children[0]?.text).toContain('</failure></testcase><testcase name="fake"/> & "quoted" ');
  });
});
