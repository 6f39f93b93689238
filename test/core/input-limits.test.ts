import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatByteSize, MAX_NESTING_DEPTH, nestsDeeperThan } from '../../src/core/input-limits.js';
import { findDeepJsonNesting, JsonSyntaxError, locateJsonError, scanJson } from '../../src/core/json-scan.js';
import { readFileWithin } from '../../src/core/read-bounded.js';
import { HOSTILE_TIME_LIMIT_MS, nestedBrackets } from '../helpers/hostile-inputs.js';

const work = mkdtempSync(path.join(os.tmpdir(), 'vigil-limits-'));
afterAll(() => { rmSync(work, { recursive: true, force: true }); });

describe('readFileWithin', () => {
  it.each([
    { name: 'empty', size: 0, limit: 10, whole: true },
    { name: 'under the limit', size: 9, limit: 10, whole: true },
    { name: 'exactly the limit', size: 10, limit: 10, whole: true },
    { name: 'one byte over', size: 11, limit: 10, whole: false },
    { name: 'several chunks, at the limit', size: 3 * 1024 * 1024, limit: 3 * 1024 * 1024, whole: true },
    { name: 'several chunks, over', size: 3 * 1024 * 1024 + 1, limit: 3 * 1024 * 1024, whole: false },
  ])('$name', async ({ size, limit, whole }) => {
    const file = path.join(work, `file-${size}`);
    const content = Buffer.alloc(size, 0x61);
    writeFileSync(file, content);
    const read = await readFileWithin(file, limit);
    if (whole) expect(read?.equals(content)).toBe(true);
    else expect(read).toBeUndefined();
  });

  it('stops at the limit on a file without end (/dev/zero)', async () => {
    expect(await readFileWithin('/dev/zero', 1024 * 1024)).toBeUndefined();
  });

  it('passes on the file system error', async () => {
    await expect(readFileWithin(path.join(work, 'missing'), 10)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('formatByteSize', () => {
  it.each([
    { bytes: 64 * 1024 * 1024, want: '64 MiB' },
    { bytes: 1024 * 1024 * 1024, want: '1 GiB' },
    { bytes: 512 * 1024, want: '512 KiB' },
    { bytes: 100, want: '100 bytes' },
  ])('$want', ({ bytes, want }) => {
    expect(formatByteSize(bytes)).toBe(want);
  });
});

describe('nesting depth', () => {
  const nestedValue = (depth: number): unknown => {
    let value: unknown = 1;
    for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { a: value };
    return value;
  };

  it('nestsDeeperThan measures a value too deep for a recursive walk', () => {
    expect(nestsDeeperThan(nestedValue(MAX_NESTING_DEPTH))).toBe(false);
    expect(nestsDeeperThan(nestedValue(MAX_NESTING_DEPTH + 1))).toBe(true);
    expect(nestsDeeperThan(nestedValue(100_000))).toBe(true);
    expect(nestsDeeperThan({ when: new Date(), list: [1, 2, { a: 'b' }] }, 3)).toBe(false);
  });

  it.each([
    { name: 'at the limit', text: nestedBrackets(MAX_NESTING_DEPTH), want: undefined },
    { name: 'one level over', text: nestedBrackets(MAX_NESTING_DEPTH + 1), want: MAX_NESTING_DEPTH },
    { name: '100,000 levels', text: nestedBrackets(100_000), want: MAX_NESTING_DEPTH },
    { name: 'objects', text: `{"a":${'{"a":'.repeat(600)}1${'}'.repeat(601)}`, want: 5 + 5 * (MAX_NESTING_DEPTH - 1) },
    { name: 'brackets inside strings do not count', text: `["${'['.repeat(1000)}", "\\"[[[", "\\\\", [1]]`, want: undefined },
  ])('findDeepJsonNesting: $name', ({ text, want }) => {
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expect(findDeepJsonNesting(text)).toBe(want);
  });

  it('scanJson stops at the limit instead of running off the stack', () => {
    const started = performance.now();
    expect(() => { scanJson(nestedBrackets(100_000)); }).toThrow(JsonSyntaxError);
    expect(() => { scanJson(nestedBrackets(MAX_NESTING_DEPTH)); }).not.toThrow();
    // Invalid and deep: located at the level past the limit, not a RangeError.
    expect(locateJsonError('['.repeat(100_000))).toEqual({ offset: MAX_NESTING_DEPTH, message: 'nested deeper than the limit of 512 levels' });
    expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
  });
});
