import { describe, expect, it } from 'vitest';
import { isMaliciousRecord } from '../../src/match/malicious.js';
import { buildMaliciousScenario } from '../report/malicious-scenario.js';

describe('isMaliciousRecord', () => {
  it.each([
    { name: 'an OpenSSF MAL- id', record: { id: 'MAL-2024-1234' }, want: true },
    { name: 'a GHSA malware advisory aliased to a MAL- id', record: { id: 'GHSA-xxxx-xxxx-xxxx', aliases: ['MAL-2024-1234'] }, want: true },
    {
      name: 'malicious-packages-origins under another id',
      record: { id: 'OSV-2024-1', database_specific: { 'malicious-packages-origins': [{ source: 'ghsa-malware', sha256: 'ab', import_time: '2024-01-01T00:00:00Z' }] } },
      want: true,
    },
    { name: 'an ordinary advisory', record: { id: 'GHSA-29mw-wpgm-hmr9', aliases: ['CVE-2020-28500'], database_specific: { severity: 'HIGH' } }, want: false },
    { name: 'a CWE-506 label alone is not the rule', record: { id: 'GHSA-aaaa-bbbb-cccc', database_specific: { cwe_ids: ['CWE-506'] } }, want: false },
    { name: '"malicious" in a summary is not the rule', record: { id: 'GHSA-aaaa-bbbb-cccd', summary: 'an attacker can inject malicious content' }, want: false },
    { name: 'a lower-case mal- prefix is not an OpenSSF id', record: { id: 'mal-2024-1' }, want: false },
    { name: 'null database_specific', record: { id: 'PYSEC-2024-1', database_specific: null }, want: false },
  ])('$name', ({ record, want }) => {
    expect(isMaliciousRecord(record)).toBe(want);
  });
});

describe('matching marks malicious findings', () => {
  it('marks the two malicious packages of the fixture, by MAL- id and by MAL- alias, and not the vulnerable one', async () => {
    const { findings } = await buildMaliciousScenario();
    const marked = Object.fromEntries(findings.map((finding) => [`${finding.package.name}@${finding.package.version}`, finding.malicious === true]));
    expect(marked).toEqual({ 'left-padder@1.0.3': true, 'color-strng@0.1.1': true, 'express@4.17.3': false });
  });
});
