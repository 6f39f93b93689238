import { beforeAll, describe, expect, it } from 'vitest';
import { annotation, escapeData, escapeProperty, renderGithub } from '../../../src/report/github/render-github.js';
import type { Report, ReportFinding } from '../../../src/report/report.js';
import { expectGolden } from '../golden.js';
import { buildScenarioReport } from '../scenario.js';

let report: Report;
let text: string;

beforeAll(async () => {
  report = await buildScenarioReport();
  text = renderGithub(report);
});

interface Command {
  readonly command: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly data: string;
}

const unescapeData = (value: string): string => value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
const unescapeProperty = (value: string): string => unescapeData(value.replace(/%3A/g, ':').replace(/%2C/g, ','));

/** Reads one output line the way the Actions runner does (ActionCommand.TryParseV2): null when it is no command. */
function parseCommand(line: string): Command | null {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('::')) return null;
  const end = trimmed.indexOf('::', 2);
  if (end < 0) return null;
  const info = trimmed.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of info.slice(space + 1).split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0) properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { command, properties, data: unescapeData(trimmed.slice(end + 2)) };
}

/** Splits like the runner: on \n, a \r before it dropped; a lone \r would also break a line in some log viewers. */
const outputLines = (output: string): string[] => output.replace(/\n$/, '').split(/\r?\n|\r/);

describe('renderGithub over the scenario', () => {
  it('matches the golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden('scenario.github.txt', text);
  });

  it('annotates each blocking finding at its lockfile line, policy problems at theirs, allowed findings as notices', () => {
    const commands = outputLines(text).map(parseCommand);
    const count = (name: string): number => commands.filter((command) => command?.command === name).length;
    expect(count('error')).toBe(report.summary.blocking + report.summary.policyErrors);
    expect(count('warning')).toBe(report.summary.policyWarnings);
    expect(count('notice')).toBe(report.summary.allowedByException);
    const blocking = report.findings.filter((finding) => finding.decision.kind === 'blocking');
    const errors = commands.filter((command) => command?.command === 'error' && !command.properties['title']?.startsWith('vigil policy'));
    expect(errors.map((command) => [command?.properties['file'], command?.properties['line']])).toEqual(
      blocking.map((finding) => [finding.package.location.file, String(finding.package.location.line)]),
    );
    // Every line but the closing summary is a command.
    expect(commands.slice(0, -1).every((command) => command !== null)).toBe(true);
    expect(outputLines(text).at(-1)).toMatch(/^vigil: gate FAILED: \d+ blocking/);
  });
});

describe('escaping', () => {
  const hostile = 'x\r\n::error::pwned %0A';
  const hostileFinding = (): ReportFinding => {
    const blocking = report.findings.find((finding) => finding.decision.kind === 'blocking');
    if (!blocking) throw new Error('scenario has no blocking finding');
    return {
      ...blocking,
      summary: hostile,
      package: { ...blocking.package, name: 'evil,name::x', location: { file: 'dir,a:b/requirements.txt', line: 3 } },
    };
  };

  it('a hostile summary, package name and file name cannot inject a command', () => {
    const single: Report = { ...report, findings: [hostileFinding()], policy: { ...report.policy, problems: [] } };
    const lines = outputLines(renderGithub(single));
    // One annotation and the summary line: the \r\n in the summary did not start a line.
    expect(lines).toHaveLength(2);
    expect(lines.filter((line) => line.trimStart().startsWith('::'))).toHaveLength(1);
    expect(lines[0]).not.toContain('\r');
    // The CR is shown visibly (no control character reaches the log); the line break stays, encoded.
    expect(lines[0]).toContain('x\\r%0A::error::pwned %250A');
    const parsed = parseCommand(lines[0]!);
    expect(parsed?.command).toBe('error');
    expect(parsed?.properties).toEqual({ file: 'dir,a:b/requirements.txt', line: '3', title: expect.stringContaining('evil,name::x') as unknown });
    // What the runner shows is the text we meant, `%0A` in it included, its CR written visibly.
    expect(parsed?.data).toContain(hostile.replace('\r', '\\r'));
  });

  const cases: { name: string; input: string; data: string; property: string }[] = [
    { name: 'percent first, so an escape in the text stays text', input: '100% %0A', data: '100%25 %250A', property: '100%25 %250A' },
    { name: 'carriage return and newline', input: 'a\r\nb', data: 'a%0D%0Ab', property: 'a%0D%0Ab' },
    { name: 'colon and comma only in properties', input: 'a::b,c', data: 'a::b,c', property: 'a%3A%3Ab%2Cc' },
    { name: 'plain text unchanged', input: 'GHSA-1234 in requests', data: 'GHSA-1234 in requests', property: 'GHSA-1234 in requests' },
  ];
  it.each(cases)('$name', ({ input, data, property }) => {
    expect(escapeData(input)).toBe(data);
    expect(escapeProperty(input)).toBe(property);
    expect(unescapeData(escapeData(input))).toBe(input);
    expect(unescapeProperty(escapeProperty(input))).toBe(input);
  });

  it('leaves out file and line when a problem has no location', () => {
    expect(annotation('warning', undefined, 't', 'm')).toBe('::warning title=t::m');
  });
});
