import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { SECURITY_MD_END, SECURITY_MD_START } from '../../../src/report/security-md/markers.js';
import { replaceSecuritySection, updateSecurityFile } from '../../../src/report/security-md/update-file.js';

const section = `${SECURITY_MD_START}\nnew body\n${SECURITY_MD_END}\n`;

interface Case {
  readonly name: string;
  readonly input: string | undefined;
  readonly want: string;
}

const before = '# Security\r\n\r\nReport flaws to security@example.org.  \n\n## Dependency security\n\n';
const after = '\n\n## Supported versions\n\n| v | ok |\n|---|---|\n| 2 | yes |\n\ttrailing tab\t';

const cases: Case[] = [
  {
    name: 'replaces only the text between the markers, the rest byte for byte',
    input: `${before}${SECURITY_MD_START}\nold body\n| a | b |\n${SECURITY_MD_END}${after}`,
    want: `${before}${SECURITY_MD_START}\nnew body\n${SECURITY_MD_END}${after}`,
  },
  {
    name: 'appends the section under a heading when there are no markers',
    input: '# Security\n\nReport flaws privately.\n',
    want: `# Security\n\nReport flaws privately.\n\n## Dependency security\n\n${section}`,
  },
  {
    name: 'appends after a file without a final newline',
    input: '# Security',
    want: `# Security\n\n## Dependency security\n\n${section}`,
  },
  {
    name: 'creates the whole file when there is none',
    input: undefined,
    want: `# Security\n\n## Dependency security\n\n${section}`,
  },
  {
    name: 'adds the final newline when the end marker closed the file',
    input: `intro\n${SECURITY_MD_START}\nold\n${SECURITY_MD_END}`,
    want: `intro\n${section}`,
  },
];

describe('replaceSecuritySection', () => {
  it.each(cases)('$name', ({ input, want }) => {
    expect(replaceSecuritySection(input, section)).toBe(want);
  });

  it('is idempotent', () => {
    const once = replaceSecuritySection('# Security\n', section);
    expect(replaceSecuritySection(once, section)).toBe(once);
  });

  it.each([
    { name: 'a start marker without an end', input: `${SECURITY_MD_START}\nx\n` },
    { name: 'an end marker before the start', input: `${SECURITY_MD_END}\n${SECURITY_MD_START}\n` },
    { name: 'two sections', input: `${SECURITY_MD_START}\n${SECURITY_MD_END}\n${SECURITY_MD_START}\n${SECURITY_MD_END}\n` },
  ])('rejects $name with a usage error naming the file', ({ input }) => {
    expect(() => replaceSecuritySection(input, section, 'docs/SECURITY.md')).toThrow(UsageError);
    expect(() => replaceSecuritySection(input, section, 'docs/SECURITY.md')).toThrow(/^docs\/SECURITY\.md: /);
  });
});

describe('updateSecurityFile', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-security-md-'));
  afterAll(() => { rmSync(work, { recursive: true, force: true }); });

  it('creates, then reports up to date; check mode never writes', async () => {
    const file = path.join(work, 'SECURITY.md');
    expect(await updateSecurityFile(file, section, { check: true })).toEqual({ changed: true, created: true });
    expect(() => readFileSync(file)).toThrow();
    expect(await updateSecurityFile(file, section, { check: false })).toEqual({ changed: true, created: true });
    expect(await updateSecurityFile(file, section, { check: true })).toEqual({ changed: false, created: false });
    writeFileSync(file, readFileSync(file, 'utf8').replace('new body', 'edited by hand'));
    expect(await updateSecurityFile(file, section, { check: true })).toEqual({ changed: true, created: false });
    expect(readFileSync(file, 'utf8')).toContain('edited by hand');
  });
});
