import { describe, expect, it } from 'vitest';
import { locateJsonError, scanJson } from '../../src/core/json-scan.js';

describe('locateJsonError', () => {
  it.each([
    { name: 'not JSON', input: 'this is not json', want: 0 },
    { name: 'missing value', input: '{\n "a": 1,\n "b": }', want: 17 },
    { name: 'bad token', input: '{\n "a": x\n}', want: 8 },
    { name: 'double comma', input: '{"a":1,,}', want: 7 },
    { name: 'truncated', input: '{"a": [1, 2', want: 11 },
    { name: 'trailing text', input: '{"a": 1} x', want: 9 },
    { name: 'raw newline in string', input: '{"a": "x\ny"}', want: 8 },
  ])('$name', ({ input, want }) => {
    expect(() => JSON.parse(input) as unknown).toThrow();
    expect(locateJsonError(input).offset).toBe(want);
  });
});

describe('scanJson', () => {
  it('reports every key with its path (array indexes as strings) and line', () => {
    const seen: string[] = [];
    scanJson('{\n  "entries": [\n    {"id": "CVE-1",\n     "reason": "x"}\n  ]\n}', (path, line) => {
      seen.push(`${path.join('.')}@${line}`);
      return true;
    });
    expect(seen).toEqual(['entries@2', 'entries.0.id@3', 'entries.0.reason@4']);
  });

  it('accepts everything JSON.parse accepts', () => {
    const input = '{"a": [1, 2.5e3, true, null, "x\\"y"], "b": {}}';
    expect(() => {
      scanJson(input);
    }).not.toThrow();
  });
});
