import { describe, expect, it } from 'vitest';
import type { OsvRecord } from '../../src/advisories/osv.js';
import { scoreCvss, severityOfGroup, severityOfRecord } from '../../src/advisories/severity.js';

// Base scores from FIRST's "CVSS v3.1: Examples" document and the v2/v4.0 specifications.
const vectors = [
  { name: 'v3.1 CVE-2013-1937 phpMyAdmin XSS', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', score: 6.1, level: 'medium' },
  { name: 'v3.1 CVE-2014-0160 Heartbleed', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 7.5, level: 'high' },
  { name: 'v3.1 CVE-2014-6271 Shellshock', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, level: 'critical' },
  { name: 'v3.1 CVE-2014-3566 POODLE', vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', score: 3.1, level: 'low' },
  { name: 'v3.1 CVE-2012-1516 VMware guest escape', vector: 'CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', score: 9.9, level: 'critical' },
  { name: 'v3.0 prefix scored as 3.0', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 7.5, level: 'high' },
  { name: 'v4.0 all base impacts high on the vulnerable system', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 9.3, level: 'critical' },
  { name: 'v4.0 everything high', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', score: 10, level: 'critical' },
  // Common CVSS-B values (FIRST v4.0 calculator): one high impact on the vulnerable system, a local
  // privilege escalation, one low impact.
  { name: 'v4.0 network, confidentiality high only', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', score: 8.7, level: 'high' },
  { name: 'v4.0 network denial of service', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', score: 8.7, level: 'high' },
  { name: 'v4.0 local privilege escalation', vector: 'CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', score: 8.5, level: 'high' },
  { name: 'v4.0 network, confidentiality low only', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', score: 6.9, level: 'medium' },
  { name: 'v4.0 no impact at all', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', score: 0, level: 'none' },
  { name: 'v2 Heartbleed', vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N', score: 5, level: 'medium' },
  { name: 'v2 complete compromise has no critical band', vector: 'AV:N/AC:L/Au:N/C:C/I:C/A:C', score: 10, level: 'high' },
] as const;

describe('scoreCvss', () => {
  it.each(vectors)('$name', ({ vector, score, level }) => {
    const scored = scoreCvss(vector);
    expect(scored?.score).toBe(score);
    expect(scored?.level).toBe(level);
  });

  it.each(['', 'garbage', 'CVSS:3.1/AV:N', 'CVSS:4.0/AV:N/AC:L'])('rejects malformed vector %j', (vector) => {
    expect(scoreCvss(vector)).toBeUndefined();
  });
});

const record = (fields: Partial<OsvRecord>): OsvRecord => ({ id: 'GHSA-test', modified: '2024-01-01T00:00:00Z', ...fields });

describe('metric order (CVSS v3.x section 6: any order, each metric once; v4.0 section 7: Table 23 order only)', () => {
  const critical = 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
  it.each([
    { name: 'canonical v3.0', vector: critical },
    { name: 'v3.0 impacts first', vector: 'CVSS:3.0/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N/S:U' },
    { name: 'v3.0 reversed', vector: 'CVSS:3.0/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N' },
    { name: 'v3.0 with Not Defined temporal metrics in between', vector: 'CVSS:3.0/E:X/AV:N/AC:L/RL:X/PR:N/UI:N/S:U/C:H/RC:X/I:H/A:H' },
    { name: 'v3.1 shuffled', vector: 'CVSS:3.1/S:U/AV:N/I:H/PR:N/A:H/UI:N/C:H/AC:L' },
  ])('$name scores 9.8', ({ vector }) => {
    expect(scoreCvss(vector)).toMatchObject({ score: 9.8, level: 'critical', vector });
  });

  it('scores temporal metrics in any order as in the canonical order', () => {
    const canonical = scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N/E:P/RL:O/RC:C');
    expect(canonical?.score).toBe(6.1);
    expect(scoreCvss('CVSS:3.1/RC:C/E:P/AV:N/AC:L/PR:N/RL:O/UI:R/S:C/C:L/I:L/A:N')).toEqual({ ...canonical, vector: 'CVSS:3.1/RC:C/E:P/AV:N/AC:L/PR:N/RL:O/UI:R/S:C/C:L/I:L/A:N' });
  });

  it.each([
    { name: 'v3.0 metric given twice, same value', vector: 'CVSS:3.0/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    { name: 'v3.0 metric given twice, other value', vector: 'CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/AV:N' },
    { name: 'v3.1 temporal metric given twice', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/E:H' },
    { name: 'v3.0 base metric missing (A)', vector: 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H' },
    { name: 'v3.1 base metric missing, reordered', vector: 'CVSS:3.1/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N' },
    { name: 'v3.1 unknown metric', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/XX:Y' },
    { name: 'v3.1 value not defined for the metric', vector: 'CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    { name: 'v3.1 lowercase metric', vector: 'CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    { name: 'v3.1 empty metric (trailing slash)', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/' },
    { name: 'v3.1 junk before the base metrics', vector: 'CVSS:3.1/junk/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    { name: 'v3.2 is no version', vector: 'CVSS:3.2/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
    { name: 'v4.0 out of Table 23 order', vector: 'CVSS:4.0/AC:L/AV:N/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
    { name: 'v4.0 threat metric before the base', vector: 'CVSS:4.0/E:A/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
    { name: 'v4.0 metric given twice', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/SA:H' },
    { name: 'v4.0 base metric missing (SA)', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N' },
    { name: 'v4.0 unknown metric after the base', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/XX:Y' },
  ])('$name is not scored', ({ vector }) => {
    expect(scoreCvss(vector)).toBeUndefined();
  });

  it('scores v4.0 optional metrics given in Table 23 order', () => {
    const vector = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X/CR:X/MAV:X/S:X/U:Clear';
    expect(scoreCvss(vector)).toMatchObject({ version: '4.0', score: 9.3 });
  });

  it('an unscored vector leaves the record without a severity, so its group is unknown (which the default policy blocks)', () => {
    const duplicated = record({ severity: [{ type: 'CVSS_V3', score: 'CVSS:3.0/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] });
    expect(severityOfRecord(duplicated)).toBeUndefined();
    expect(severityOfGroup([]).level).toBe('unknown');
    const reordered = record({ severity: [{ type: 'CVSS_V3', score: 'CVSS:3.0/C:H/I:H/A:H/AV:N/AC:L/PR:N/UI:N/S:U' }] });
    expect(severityOfRecord(reordered)).toMatchObject({ level: 'critical', score: 9.8, source: 'GHSA-test:CVSS_V3' });
  });
});

describe('severityOfRecord', () => {
  it('prefers a computed v4 score over v3 and over the label', () => {
    const severity = severityOfRecord(
      record({
        severity: [
          { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N' },
          { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
        ],
        database_specific: { severity: 'LOW' },
      }),
    );
    expect(severity).toMatchObject({ level: 'critical', score: 9.3, source: 'GHSA-test:CVSS_V4' });
  });

  it.each([
    {
      name: 'a v3.1 vector rated high beats a LOW label',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }],
      label: 'LOW',
      want: { level: 'high', score: 7.5, source: 'GHSA-test:CVSS_V3' },
    },
    {
      name: 'a v4.0 vector rated medium beats a HIGH label',
      severity: [{ type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N' }],
      label: 'HIGH',
      want: { level: 'medium', score: 6.9, source: 'GHSA-test:CVSS_V4' },
    },
    {
      name: 'a malformed vector falls through to the label',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }],
      label: 'CRITICAL',
      want: { level: 'critical', source: 'GHSA-test:database_specific.severity' },
    },
  ])('$name', ({ severity, label, want }) => {
    expect(severityOfRecord(record({ severity, database_specific: { severity: label } }))).toMatchObject(want);
  });

  it('falls back to the GitHub label, moderate meaning medium', () => {
    expect(severityOfRecord(record({ database_specific: { severity: 'MODERATE' } }))).toEqual({
      level: 'medium',
      source: 'GHSA-test:database_specific.severity',
    });
  });

  it('gives nothing when the record carries no severity', () => {
    expect(severityOfRecord(record({ severity: [] }))).toBeUndefined();
  });
});

describe('severityOfGroup', () => {
  it('is unknown when no record has a severity (a policy decides what that means)', () => {
    expect(severityOfGroup([]).level).toBe('unknown');
  });
  it('takes the most severe of disagreeing records', () => {
    expect(
      severityOfGroup([
        { level: 'medium', source: 'a' },
        { level: 'high', source: 'b' },
      ]).source,
    ).toBe('b');
  });
});
