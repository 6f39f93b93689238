import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { formatTimeLimit, parseTimeLimit, timeLimitOf } from '../../src/cli/time-limit.js';

describe('parseTimeLimit', () => {
  it.each([
    ['30', 30_000],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [' 0 ', 0],
    ['soon', undefined],
    ['-1s', undefined],
    ['1d', undefined],
    ['', undefined],
  ])('%j -> %j', (text, want) => {
    expect(parseTimeLimit(text)).toBe(want);
  });
});

describe('timeLimitOf', () => {
  const source = { flag: 'timeout', envName: 'VIGIL_DOWNLOAD_TIMEOUT', defaultMs: 30_000 };
  it.each([
    { name: 'default', flagValue: undefined, env: {}, want: 30_000 },
    { name: 'environment', flagValue: undefined, env: { VIGIL_DOWNLOAD_TIMEOUT: '5s' }, want: 5000 },
    { name: 'empty environment variable is unset', flagValue: undefined, env: { VIGIL_DOWNLOAD_TIMEOUT: '' }, want: 30_000 },
    { name: 'flag over environment', flagValue: '2s', env: { VIGIL_DOWNLOAD_TIMEOUT: '5s' }, want: 2000 },
  ])('$name', ({ flagValue, env, want }) => {
    expect(timeLimitOf('db update', { ...source, flagValue }, env)).toBe(want);
  });

  it('names the flag or the variable a bad value came from, and refuses 0 unless allowed', () => {
    expect(() => timeLimitOf('db update', { ...source, flagValue: 'soon' }, {})).toThrow(/^db update: invalid --timeout "soon"/);
    expect(() => timeLimitOf('db update', { ...source, flagValue: undefined }, { VIGIL_DOWNLOAD_TIMEOUT: 'x' })).toThrow(/invalid VIGIL_DOWNLOAD_TIMEOUT "x"/);
    expect(() => timeLimitOf('db update', { ...source, flagValue: '0' }, {})).toThrow(UsageError);
    expect(timeLimitOf('db import', { ...source, flagValue: '0', allowZero: true }, {})).toBe(0);
  });

  it('formats limits for messages', () => {
    expect([30_000, 1500, 600_000, 90_000].map(formatTimeLimit)).toEqual(['30s', '1.5s', '10m', '90s']);
  });
});
