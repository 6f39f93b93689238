import { describe, expect, it } from 'vitest';
import { describeSystemError } from '../../src/core/errors.js';

function fsError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, syscall: 'open', path: '/data/.report.json.0a1b2c.tmp' });
}

describe('describeSystemError', () => {
  interface Case {
    name: string;
    error: unknown;
    want: string;
  }
  const cases: Case[] = [
    { name: 'disk full', error: fsError('ENOSPC', 'ENOSPC: no space left on device, write'), want: 'no space left on device (ENOSPC)' },
    { name: 'read-only file system', error: fsError('EROFS', "EROFS: read-only file system, open '/data/.report.json.0a1b2c.tmp'"), want: 'read-only file system (EROFS)' },
    { name: 'permission', error: fsError('EACCES', "EACCES: permission denied, open '/data/.report.json.0a1b2c.tmp'"), want: 'permission denied (EACCES)' },
    { name: 'quota', error: fsError('EDQUOT', 'EDQUOT: disk quota exceeded, write'), want: 'disk quota exceeded (EDQUOT)' },
    { name: 'missing folder', error: fsError('ENOENT', "ENOENT: no such file or directory, open '/data/.report.json.0a1b2c.tmp'"), want: 'no such file or folder (ENOENT)' },
    {
      name: 'a code without wording of ours loses the temp path',
      error: fsError('ESTALE', "ESTALE: stale file handle, open '/data/.report.json.0a1b2c.tmp'"),
      want: 'stale file handle (ESTALE)',
    },
    { name: 'not a system error', error: new Error('first line\nsecond line'), want: 'first line' },
    { name: 'not an error at all', error: 'plain text', want: 'plain text' },
  ];
  it.each(cases)('$name', ({ error, want }) => {
    expect(describeSystemError(error)).toBe(want);
    expect(describeSystemError(error)).not.toContain('.tmp');
  });
});
