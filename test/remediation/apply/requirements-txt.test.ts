import { describe, expect, it } from 'vitest';
import { rewriteRequirementsPins, type PinUpdate } from '../../../src/remediation/apply/requirements-txt.js';

interface Case {
  readonly name: string;
  readonly input: string;
  readonly updates: readonly PinUpdate[];
  readonly want: string;
  readonly hashed?: readonly boolean[];
  readonly problems?: readonly RegExp[];
}

const idna = (line: number, from = '3.6', to = '3.7'): PinUpdate => ({ line, name: 'idna', from, to });

const cases: Case[] = [
  { name: 'plain pin', input: 'idna==3.6\n', updates: [idna(1)], want: 'idna==3.7\n' },
  {
    name: 'comment kept, other lines byte-identical (CRLF, spacing)',
    input: '# header\r\nrequests==2.31.0   # keep  me\r\nidna==3.6  # via requests\r\n',
    updates: [idna(3)],
    want: '# header\r\nrequests==2.31.0   # keep  me\r\nidna==3.7  # via requests\r\n',
  },
  {
    name: 'marker kept',
    input: 'idna == 3.6 ; python_version >= "3.8" and sys_platform != "win32"\n',
    updates: [idna(1)],
    want: 'idna == 3.7 ; python_version >= "3.8" and sys_platform != "win32"\n',
  },
  {
    name: 'marker without spaces',
    input: 'idna==3.6;python_version<"3.13"\n',
    updates: [idna(1)],
    want: 'idna==3.7;python_version<"3.13"\n',
  },
  {
    name: 'extras kept',
    input: 'requests[socks,security]==2.31.0\n',
    updates: [{ line: 1, name: 'requests', from: '2.31.0', to: '2.32.0' }],
    want: 'requests[socks,security]==2.32.0\n',
  },
  {
    name: 'case and separators normalised (PEP 503)',
    input: 'Zope.Interface===5.0\n',
    updates: [{ line: 1, name: 'zope-interface', from: '5.0', to: '5.1' }],
    want: 'Zope.Interface===5.1\n',
  },
  {
    name: 'continuation lines with hashes: rewritten and flagged',
    input: 'idna==3.6 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\n    # via requests\nsix==1.16.0\n',
    updates: [idna(1)],
    want: 'idna==3.7 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\n    # via requests\nsix==1.16.0\n',
    hashed: [true],
  },
  {
    name: 'pin on a continuation line',
    input: 'idna \\\n  ==3.6\n',
    updates: [idna(1)],
    want: 'idna \\\n  ==3.7\n',
  },
  { name: 'no final newline kept', input: 'six==1.0\nidna==3.6', updates: [idna(2)], want: 'six==1.0\nidna==3.7' },
  {
    name: 'two updates, order kept',
    input: 'django==4.2.10\nidna==3.6\n',
    updates: [idna(2), { line: 1, name: 'Django', from: '4.2.10', to: '4.2.16' }],
    want: 'django==4.2.16\nidna==3.7\n',
  },
  {
    name: 'another name at the line: problem, file unchanged',
    input: 'six==1.0\nidna==3.6\n',
    updates: [idna(1)],
    want: 'six==1.0\nidna==3.6\n',
    problems: [/does not name idna \(found six\)/],
  },
  {
    name: 'another version: problem',
    input: 'idna==3.5\n',
    updates: [idna(1)],
    want: 'idna==3.5\n',
    problems: [/pinned to 3\.5, not 3\.6/],
  },
  {
    name: 'not pinned: problem',
    input: 'idna>=3.6\n',
    updates: [idna(1)],
    want: 'idna>=3.6\n',
    problems: [/not pinned with == or ===/],
  },
  {
    name: 'a version inside a comment is never taken',
    input: 'idna  # ==3.6\n',
    updates: [idna(1)],
    want: 'idna  # ==3.6\n',
    problems: [/not pinned/],
  },
  { name: 'no requirement at the line', input: 'idna==3.6\n', updates: [idna(5)], want: 'idna==3.6\n', problems: [/no requirement starts at line 5/] },
];

describe('rewriteRequirementsPins', () => {
  it.each(cases)('$name', ({ input, updates, want, hashed, problems }) => {
    const result = rewriteRequirementsPins(input, updates);
    expect(result.text).toBe(want);
    expect(result.problems.map((problem) => problem.message)).toHaveLength(problems?.length ?? 0);
    (problems ?? []).forEach((pattern, index) => {
      expect(result.problems[index]?.message).toMatch(pattern);
    });
    if (hashed) expect(result.changes.map((change) => change.hashed)).toEqual(hashed);
    else expect(result.changes.every((change) => !change.hashed)).toBe(true);
  });
});
