import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/core/atomic-write.js';
import { OutputError } from '../../src/core/errors.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-atomic-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces a file, keeping its mode, and leaves nothing else behind', async () => {
    const target = path.join(dir, 'private.txt');
    writeFileSync(target, 'old');
    chmodSync(target, 0o640);
    await writeFileAtomic(target, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['private.txt']);
    rmSync(target);
  });

  it('writes through a symlink', async () => {
    const real = path.join(dir, 'real.txt');
    const link = path.join(dir, 'link.txt');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    await writeFileAtomic(link, 'new');
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['link.txt', 'real.txt']);
    rmSync(link);
    rmSync(real);
  });

  interface FailureCase {
    name: string;
    target: () => string;
    want: RegExp;
    skip?: boolean;
  }
  const failures: FailureCase[] = [
    { name: 'missing folder', target: () => path.join(dir, 'missing', 'out.json'), want: /^cannot write: folder \S+missing does not exist \(ENOENT\)$/ },
    { name: 'a folder', target: () => { mkdirSync(path.join(dir, 'folder'), { recursive: true }); return path.join(dir, 'folder'); }, want: /^cannot write: is a folder \(EISDIR\)$/ },
    { name: 'a device on a full disk', target: () => '/dev/full', want: /^cannot write: no space left on device \(ENOSPC\)$/, skip: !existsSync('/dev/full') },
  ];
  it.each(failures.filter((entry) => entry.skip !== true))('$name: an OutputError naming the target', async ({ target, want }) => {
    const file = target();
    const error = await writeFileAtomic(file, 'content').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutputError);
    const output = error as OutputError;
    expect(output.message).toMatch(want);
    expect(output.location?.file).toBe(file);
    expect(output.format()).toMatch(new RegExp(`^${file}: cannot write: `));
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
