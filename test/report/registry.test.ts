import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isReportFormat, reporters, type RegisteredReporter } from '../../src/report/registry.js';
import type { Report } from '../../src/report/report.js';
import { repoRoot } from '../helpers/shared-data.js';
import { buildScenarioReport } from './scenario.js';

let report: Report;

beforeAll(async () => {
  report = await buildScenarioReport();
});

const registered: [string, RegisteredReporter][] = Object.entries(reporters);

describe('reporters registry', () => {
  it.each(registered)('%s loads and renders the scenario report to non-empty text', async (name, reporter) => {
    expect(reporter.format).toBe(name);
    expect(isReportFormat(name)).toBe(true);
    expect(reporter.mediaType).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
    const render = await reporter.load();
    const plain = render(report, { color: false });
    expect(plain.trim().length).toBeGreaterThan(0);
    expect(plain.endsWith('\n')).toBe(true);
    expect(render(report, { color: true }).trim().length).toBeGreaterThan(0);
  });

  it('registers every format folder under src/report/', () => {
    const folders = readdirSync(path.join(repoRoot, 'src', 'report'), { withFileTypes: true })
      // vex/ reads VEX input for the gate; security-md/ is the section `vigil report security-md`
      // writes into SECURITY.md (it needs git and the policy, not only a Report): neither is a --format.
      .filter((entry) => entry.isDirectory() && entry.name !== 'vex' && entry.name !== 'security-md')
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(Object.keys(reporters).sort());
  });

  it('knows no format that is not registered', () => {
    expect(isReportFormat('xml')).toBe(false);
    expect(isReportFormat('toString')).toBe(false);
  });
});
