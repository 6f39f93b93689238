import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryTree } from '../../../src/inventory/targets/directory-tree.js';
import { TreePathError } from '../../../src/inventory/targets/file-tree.js';

let root: string;

// An unpacked root file system whose links are written as the image had them: absolute ones
// mean the image's root, never the machine's.
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'vigil-rootfs-'));
  const write = (relative: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    writeFileSync(path.join(root, relative), text);
  };
  const link = (relative: string, target: string): void => {
    mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    symlinkSync(target, path.join(root, relative));
  };
  write('usr/lib/os-release', 'ID=inside\n');
  link('etc/os-release', '/usr/lib/os-release');
  link('lib', 'usr/lib');
  link('via-lib', '/lib/os-release');
  link('out-relative', '../../../../../../../../etc/hostname');
  link('out-absolute', '/../../etc/hostname');
  link('loop-a', 'loop-b');
  link('loop-b', 'loop-a');
  link('dangling', '/nothing/here');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('a real folder as a file tree: links resolved inside it', () => {
  it.each([
    { name: 'an absolute link starts at the folder, not the host', path: 'etc/os-release', want: 'ID=inside\n' },
    { name: 'a folder link on the way', path: 'via-lib', want: 'ID=inside\n' },
    { name: 'a dangling link is nothing', path: 'dangling', want: undefined },
    { name: 'a missing file is nothing', path: 'etc/missing', want: undefined },
  ])('$name', async ({ path: file, want }) => {
    const read = await directoryTree(root, 'rootfs').read(file);
    expect(read?.bytes.toString('utf8')).toBe(want);
  });

  it.each([
    { name: 'a relative link climbing out', path: 'out-relative', error: /outside the folder/ },
    { name: 'an absolute link climbing out', path: 'out-absolute', error: /outside the folder/ },
    { name: 'a cycle', path: 'loop-a', error: /cycle/ },
  ])('$name is refused, never read from the host', async ({ path: file, error }) => {
    const caught = await directoryTree(root, 'rootfs').read(file).catch((thrown: unknown) => thrown);
    expect(caught).toBeInstanceOf(TreePathError);
    expect((caught as Error).message).toMatch(error);
  });

  it('lists links as files without entering linked folders', async () => {
    const listed = await directoryTree(root, 'rootfs').list({ wanted: () => true, enter: () => true });
    expect(listed).toEqual(['dangling', 'etc/os-release', 'lib', 'loop-a', 'loop-b', 'out-absolute', 'out-relative', 'usr/lib/os-release', 'via-lib']);
  });
});
