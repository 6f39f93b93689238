import { describe, expect, it } from 'vitest';
import { hashPath, newPathIndex } from '../../../src/inventory/targets/path-index.js';

describe('the hashed path index of a layer', () => {
  it('holds every path added and, at 50,000 paths, none of 100,000 others', () => {
    const index = newPathIndex();
    for (let n = 0; n < 50_000; n++) index.add(`usr/share/filler/d${n % 977}/file-${n}.txt`);
    expect(index.size).toBe(50_000);
    let held = 0;
    let others = 0;
    for (let n = 0; n < 50_000; n++) {
      if (index.mayHold(`usr/share/filler/d${n % 977}/file-${n}.txt`)) held += 1;
      if (index.mayHold(`usr/share/filler/d${n % 977}/file-${n}.txT`) || index.mayHold(`usr/share/filler/d${(n + 1) % 977}/file-${n}.txt`)) others += 1;
    }
    expect(held).toBe(50_000);
    expect(others).toBe(0);
  });

  it('can be added to after a search', () => {
    const index = newPathIndex();
    index.add('a');
    expect(index.mayHold('b')).toBe(false);
    index.add('b');
    expect([index.mayHold('a'), index.mayHold('b')]).toEqual([true, true]);
  });

  it.each([
    { name: 'a letter swapped', a: 'usr/lib/ab', b: 'usr/lib/ba' },
    { name: 'a trailing slash', a: 'usr/lib', b: 'usr/lib/' },
    { name: 'the empty path and one name', a: '', b: 'a' },
  ])('tells paths apart: $name', ({ a, b }) => {
    expect(hashPath(a)).not.toBe(hashPath(b));
    expect(Number.isSafeInteger(hashPath(a))).toBe(true);
  });
});
