import { describe, expect, it } from 'vitest';
import { parseRequirement, readPin, type Pin, type Requirement } from '../../../src/ecosystems/pypi/requirement.js';

describe('parseRequirement', () => {
  it.each<{ input: string; want: Requirement | undefined }>([
    { input: 'requests', want: { name: 'requests', extras: [], specifier: '', marker: undefined, url: undefined } },
    { input: 'requests[security, socks] >=2.8.1, ==2.8.* ; python_version < "2.7"', want: { name: 'requests', extras: ['security', 'socks'], specifier: '>=2.8.1, ==2.8.*', marker: 'python_version < "2.7"', url: undefined } },
    { input: 'pkg (>=1.0)', want: { name: 'pkg', extras: [], specifier: '>=1.0', marker: undefined, url: undefined } },
    { input: 'tomli; python_full_version <= "3.11.0a6"', want: { name: 'tomli', extras: [], specifier: '', marker: 'python_full_version <= "3.11.0a6"', url: undefined } },
    { input: 'pip @ https://example.com/pip.zip ; sys_platform == "win32"', want: { name: 'pip', extras: [], specifier: '', marker: 'sys_platform == "win32"', url: 'https://example.com/pip.zip' } },
    { input: '==1.0', want: undefined },
    { input: 'bad[extra', want: undefined },
  ])('$input', ({ input, want }) => {
    expect(parseRequirement(input)).toEqual(want);
  });
});

describe('readPin', () => {
  it.each<{ input: string; want: Pin }>([
    { input: '==1.0', want: { kind: 'pinned', version: '1.0' } },
    { input: '=== 1.0-foo', want: { kind: 'pinned', version: '1.0-foo' } },
    { input: '>=1, ==1.2.3', want: { kind: 'pinned', version: '1.2.3' } },
    { input: '==1.*', want: { kind: 'unpinned' } },
    { input: '>=1,<2', want: { kind: 'unpinned' } },
    { input: '~=1.1', want: { kind: 'unpinned' } },
    { input: '', want: { kind: 'unpinned' } },
    { input: '==', want: { kind: 'invalid' } },
    { input: '1.0', want: { kind: 'invalid' } },
    { input: '==1.0 extra', want: { kind: 'invalid' } },
  ])('$input', ({ input, want }) => {
    expect(readPin(input)).toEqual(want);
  });
});
