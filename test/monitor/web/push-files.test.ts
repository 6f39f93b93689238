// The names a push may write below its folder, and what writePushFiles makes of the files.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiRequestError } from '../../../src/web/api/api-errors.js';
import { safeNameParts, writePushFiles } from '../../../src/monitor/web/push-files.js';

describe('safeNameParts', () => {
  it.each([
    { name: 'package-lock.json', want: ['package-lock.json'] },
    { name: 'web/app/poetry.lock', want: ['web', 'app', 'poetry.lock'] },
    { name: '.package-lock.json', want: ['.package-lock.json'] },
    { name: 'sbom/cyberchef-10.8.2.cdx.json', want: ['sbom', 'cyberchef-10.8.2.cdx.json'] },
    { name: 'a+b@c_d/x.txt', want: ['a+b@c_d', 'x.txt'] },
    { name: '../package-lock.json', want: undefined },
    { name: 'a/../../b', want: undefined },
    { name: './package-lock.json', want: undefined },
    { name: '/etc/passwd', want: undefined },
    { name: 'a//b', want: undefined },
    { name: 'a\\b', want: undefined },
    { name: 'C:package-lock.json', want: undefined },
    { name: 'with space.txt', want: undefined },
    { name: 'bidi\u202e.txt', want: undefined },
    { name: 'nul\u0000.txt', want: undefined },
    { name: `${'d/'.repeat(16)}f`, want: undefined },
    { name: 'x'.repeat(129), want: undefined },
  ])('$name', ({ name, want }) => {
    expect(safeNameParts(name)).toEqual(want);
  });
});

describe('writePushFiles', () => {
  it('writes each file under its name, typed files as their format, related ones beside them, then removes the folder', async () => {
    const written = await writePushFiles([
      { name: 'web/package-lock.json', text: '{"a":1}' },
      { name: 'reqs/base.in', base64: Buffer.from('django==4.2\n').toString('base64'), format: 'requirements.txt' },
      { name: 'web/package.json', text: '{}', related: true },
    ]);
    const input = written.input;
    if (!('paths' in input) || input.root === undefined) throw new Error('not a files input');
    expect(input.paths).toEqual([path.join(input.root, 'web', 'package-lock.json')]);
    expect(input.typedFiles).toEqual([{ format: 'requirements.txt', path: path.join(input.root, 'reqs', 'base.in') }]);
    expect(readFileSync(path.join(input.root, 'reqs', 'base.in'), 'utf8')).toBe('django==4.2\n');
    expect(readFileSync(path.join(input.root, 'web', 'package.json'), 'utf8')).toBe('{}');
    await written.dispose();
    expect(existsSync(input.root)).toBe(false);
  });

  it.each([
    { name: 'an unsafe name', files: [{ name: '../x', text: '' }], message: /body\.files\.0\.name: not a safe relative file name/ },
    { name: 'one name twice, in other case', files: [{ name: 'A.txt', text: '' }, { name: 'a.txt', text: '' }], message: /"a\.txt" is given twice/ },
    { name: 'a file that is the folder of another', files: [{ name: 'a', text: '' }, { name: 'a/b', text: '' }], message: /folder of another/ },
  ])('refuses $name with a 400', async ({ files, message }) => {
    const attempt = writePushFiles(files);
    await expect(attempt).rejects.toThrow(ApiRequestError);
    await expect(attempt).rejects.toThrow(message);
  });
});
