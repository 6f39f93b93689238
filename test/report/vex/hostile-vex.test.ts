import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { parseVex } from '../../../src/report/vex/read-vex.js';
import { HOSTILE_TIME_LIMIT_MS, nestedBrackets } from '../../helpers/hostile-inputs.js';

describe('parseVex: hostile documents are a ConfigError at their line, at once', () => {
  it.each([
    { name: 'OpenVEX nested 100,000 levels', text: `{"@context": "https://openvex.dev/ns/v0.2.0",\n"statements": [{"x": ${nestedBrackets(100_000)}}]}`, line: 2 },
    { name: 'CycloneDX nested 100,000 levels', text: `{"bomFormat": "CycloneDX", "vulnerabilities": ${nestedBrackets(100_000)}}`, line: 1 },
  ])('$name', ({ text, line }) => {
    const started = performance.now();
    let caught: unknown;
    try {
      parseVex(text, 'vex.json');
    } catch (error) {
      caught = error;
    }
    expect(performance.now() - started).toBeLessThan(HOSTILE_TIME_LIMIT_MS);
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe('arrays and objects nested deeper than the limit of 512 levels');
    expect((caught as ConfigError).location).toMatchObject({ file: 'vex.json', line });
  });
});
