import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { locateSpecifier, rewritePyprojectConstraints, type ConstraintUpdate } from '../../../src/remediation/apply/pyproject-toml.js';
import { fixture } from '../../helpers/shared-data.js';

interface Case {
  readonly name: string;
  /** File under test/fixtures/remediation/pyproject. */
  readonly input: string;
  readonly updates: readonly ConstraintUpdate[];
  /** Exact text replacements the rewrite makes; every other byte stays. */
  readonly want: readonly (readonly [string, string])[];
  /** [name, line, section, before, after] of each change, in update order. */
  readonly changes?: readonly (readonly [string, number, string, string, string])[];
  readonly problems?: readonly RegExp[];
  readonly declared?: readonly string[];
}

const update = (name: string, from: string, to: string): ConstraintUpdate => ({ name, from, to });

const cases: Case[] = [
  {
    name: 'PEP 621: dependencies, extras, optional-dependencies and dependency groups; comments, markers, quoting kept',
    input: 'pep621-comments-markers-extras.toml',
    updates: [
      update('django', '4.2.10', '4.2.17'),
      update('requests', '2.31.0', '2.32.0'),
      update('idna', '3.6', '3.7'),
      update('celery', '5.3.0', '5.3.6'),
      update('jinja2', '3.1.2', '3.1.4'),
      update('urllib3', '2.0.6', '2.0.7'),
    ],
    want: [
      [`"Django[argon2] >=4.2,<5 ; python_version >= '3.10'"`, `"Django[argon2] >=4.2.17,<5 ; python_version >= '3.10'"`],
      [`'requests (>=2.31)'`, `'requests (>=2.32.0)'`],
      [`"idna",   # no constraint yet`, `"idna>=3.7",   # no constraint yet`],
      [`"celery>=5.3 ; sys_platform != \\"win32\\""`, `"celery>=5.3.6 ; sys_platform != \\"win32\\""`],
      [`"jinja2~=3.1"`, `"jinja2>=3.1.4,~=3.1"`],
      [`"urllib3==2.0.6"`, `"urllib3==2.0.7"`],
    ],
    changes: [
      ['django', 8, 'project.dependencies', '>=4.2,<5', '>=4.2.17,<5'],
      ['requests', 9, 'project.dependencies', '>=2.31', '>=2.32.0'],
      ['idna', 10, 'project.dependencies', '', '>=3.7'],
      ['celery', 11, 'project.dependencies', '>=5.3', '>=5.3.6'],
      ['jinja2', 16, 'project.optional-dependencies.docs', '~=3.1', '>=3.1.4,~=3.1'],
      ['urllib3', 19, 'dependency-groups.test', '==2.0.6', '==2.0.7'],
    ],
  },
  {
    name: 'Poetry: string, inline tables, a sub-table and a group; python and sources untouched',
    input: 'poetry-tables-and-groups.toml',
    updates: [
      update('Django', '4.2.10', '4.2.17'),
      update('requests', '2.31.0', '2.32.0'),
      update('pillow', '10.0.0', '10.0.1'),
      update('pytest', '7.4.0', '8.0.0'),
      update('celery', '5.3.4', '5.3.6'),
      update('internal', '1.0', '1.1'),
    ],
    want: [
      ['django = "^4.2"   # framework', 'django = "^4.2.17"   # framework'],
      ['{ version = ">=2.31,<3", extras', '{ version = ">=2.32.0,<3", extras'],
      [`{version='~10.0', markers`, `{version='~10.0.1', markers`],
      ['pytest = "*"', 'pytest = ">=8.0.0"'],
      [`version = '5.3.4'`, `version = '5.3.6'`],
    ],
    changes: [
      ['Django', 8, 'tool.poetry.dependencies', '^4.2', '^4.2.17'],
      ['requests', 9, 'tool.poetry.dependencies', '>=2.31,<3', '>=2.32.0,<3'],
      ['pillow', 10, 'tool.poetry.dependencies', '~10.0', '~10.0.1'],
      ['pytest', 13, 'tool.poetry.group.dev.dependencies', '*', '>=8.0.0'],
      ['celery', 16, 'tool.poetry.dependencies', '5.3.4', '5.3.6'],
    ],
    declared: ['Django', 'requests', 'pillow', 'pytest', 'celery'],
  },
  {
    name: 'Poetry: several constraints by marker are a problem; the other package is still rewritten',
    input: 'poetry-multiple-constraints.toml',
    updates: [update('django', '4.2.10', '4.2.17'), update('idna', '3.6', '3.7')],
    want: [['idna = "^3.6"', 'idna = "^3.7"']],
    changes: [['idna', 7, 'tool.poetry.dependencies', '^3.6', '^3.7']],
    problems: [/^django is declared with several constraints \(by marker\); edit them by hand$/],
  },
  {
    name: 'CRLF file: a constraint that already excludes the locked version is left; the other moves',
    input: 'pep621-crlf-already-fixed.toml',
    updates: [update('django', '4.2.10', '4.2.17'), update('idna', '3.4', '3.7'), update('sqlparse', '0.4.4', '0.5.0')],
    want: [['"idna>=3.4"', '"idna>=3.7"']],
    changes: [['idna', 4, 'project.dependencies', '>=3.4', '>=3.7']],
    declared: ['django', 'idna'],
  },
  {
    name: 'escape sequences before the constraint: a problem, not a guess; a multi-line string is rewritten',
    input: 'escaped-strings.toml',
    updates: [update('idna', '3.4', '3.7'), update('django', '4.2.10', '4.2.17')],
    want: [['"""django>=4.2"""', '"""django>=4.2.17"""']],
    problems: [/^idna in project\.dependencies: the string uses escape sequences; edit it by hand$/],
  },
  {
    name: 'not valid TOML: never touched',
    input: 'not-toml.toml',
    updates: [update('idna', '3.4', '3.7')],
    want: [],
    problems: [/^not valid TOML \(.+\); not changed$/],
    declared: [],
  },
];

describe('rewritePyprojectConstraints', () => {
  it.each(cases)('$name', ({ input, updates, want, changes, problems, declared }) => {
    const text = readFileSync(fixture('remediation', 'pyproject', input), 'utf8');
    let expected = text;
    for (const [from, to] of want) {
      expect(expected.split(from)).toHaveLength(2);
      expected = expected.replace(from, to);
    }
    const result = rewritePyprojectConstraints(text, updates);
    expect(result.text).toBe(expected);
    if (changes) expect(result.changes.map((change) => [change.name, change.line, change.section, change.before, change.after])).toEqual(changes);
    const messages = result.problems.map((problem) => problem.message);
    expect(messages).toHaveLength(problems?.length ?? 0);
    (problems ?? []).forEach((pattern, index) => {
      expect(messages[index]).toMatch(pattern);
    });
    if (declared) expect(result.declared).toEqual(declared);
  });
});

describe('locateSpecifier', () => {
  it.each([
    { name: 'plain', input: 'django>=4.2', want: { name: 'django', spec: '>=4.2' } },
    { name: 'extras and blanks', input: ' Django [argon2] >= 4.2 ; python_version > "3"', want: { name: 'Django', spec: '>= 4.2' } },
    { name: 'parentheses', input: 'requests (>=2.31, <3)', want: { name: 'requests', spec: '>=2.31, <3' } },
    { name: 'none: an empty range after the name', input: 'idna ; os_name == "nt"', want: { name: 'idna', spec: '' } },
    { name: 'direct reference', input: 'pkg @ https://example.org/pkg.whl', want: undefined },
  ])('$name', ({ input, want }) => {
    const found = locateSpecifier(input);
    expect(found && { name: found.name, spec: input.slice(found.start, found.end) }).toEqual(want);
  });

  it('an empty specifier is placed right after the name and extras', () => {
    expect(locateSpecifier('idna[all] ; os_name == "nt"')).toMatchObject({ start: 9, end: 9 });
  });
});
