// Versions that are not PEP 440 but that advisories list verbatim in `affected[].versions`: OSV's
// evaluation matches `versions` by string first, so such a package is a finding, not a pass; and
// ranges vigil cannot order fail the gate unless the policy says `unevaluable: warn`. Records:
// three real PYSEC records kept in test/data, and hand-written ones.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditRequirements, importInto, tempDir } from '../helpers/audit-requirements.js';
import { repoRoot } from '../helpers/shared-data.js';

const legacyData = path.join(repoRoot, 'test', 'data', 'osv', 'pypi-legacy-versions');

describe('versions listed verbatim in affected[].versions', () => {
  let store: string;
  beforeAll(async () => {
    store = path.join(tempDir(), 'advisories.db');
    await importInto(store, legacyData);
  });

  it.each([
    { requirement: 'cherrypy==2.0.0-final', want: 'PYSEC-2006-1' },
    { requirement: 'ipython==0.7.1.fix1', want: 'PYSEC-2015-24' },
    { requirement: 'ipython==0.7.4.svn.r2010', want: 'PYSEC-2015-24' },
    { requirement: 'paramiko==0.9-doduo', want: 'PYSEC-2008-8' },
  ])('$requirement is a blocking finding of $want', async ({ requirement, want }) => {
    const { code, report, stderr } = await auditRequirements(store, [requirement]);
    expect(report.findings.map((finding) => finding.id)).toEqual([want]);
    expect(report.findings[0]?.package.unparsedVersion).toBe(true);
    // No upgrade is guessed from a version that cannot be ordered.
    expect(report.findings[0]?.fixed).toEqual([]);
    expect(report.summary.unevaluable).toBe(0);
    expect(code, stderr).toBe(1);
  });

  it('a version no advisory lists and no range can order is unevaluable: the gate fails by default', async () => {
    const { code, report, stderr } = await auditRequirements(store, ['cherrypy==2.0.0-unlisted']);
    expect(report.findings).toEqual([]);
    expect(report.unevaluable).toEqual([
      expect.objectContaining({ subject: 'cherrypy@2.0.0-unlisted', advisory: 'PYSEC-2006-1', reason: expect.stringContaining('not PEP 440') as unknown }),
    ]);
    expect(stderr).toMatch(/^gate: 0 blocking, 1 unevaluable, /m);
    expect(stderr).toMatch(/^unevaluable: requirements\.txt:1: PYSEC-2006-1 for cherrypy@2\.0\.0-unlisted: /m);
    expect(stderr).toMatch(/^vigil: gate FAILED$/m);
    expect(code).toBe(1);
  });

  it('with unevaluable: warn the same audit passes, still counting it', async () => {
    const { code, report, stderr } = await auditRequirements(store, ['cherrypy==2.0.0-unlisted'], 'version: 1\nunevaluable: warn\n');
    expect(report.summary).toMatchObject({ unevaluable: 1, passed: true });
    expect(stderr).toMatch(/^gate: 0 blocking, 1 unevaluable \(warn only\), /m);
    expect(code).toBe(0);
  });

  it('an unparsed version of a package without advisories is decided: not a finding, not unevaluable', async () => {
    const { code, report } = await auditRequirements(store, ['someotherpackage==1.0-final']);
    expect(report.summary).toMatchObject({ blocking: 0, unevaluable: 0, passed: true });
    expect(code).toBe(0);
  });
});

describe('an advisory range the ecosystem cannot order', () => {
  let store: string;
  beforeAll(async () => {
    const folder = tempDir();
    const record = (id: string, events: object[], versions?: string[]) => ({
      schema_version: '1.6.0',
      id,
      modified: '2024-05-01T00:00:00Z',
      summary: 'hand-written record with a bound PEP 440 cannot order',
      affected: [{ package: { ecosystem: 'PyPI', name: 'orderless' }, ranges: [{ type: 'ECOSYSTEM', events }], ...(versions ? { versions } : {}) }],
    });
    writeFileSync(path.join(folder, 'A.json'), JSON.stringify(record('TEST-UNORDERABLE-1', [{ introduced: '0' }, { fixed: 'not a version' }])));
    writeFileSync(path.join(folder, 'B.json'), JSON.stringify(record('TEST-UNORDERABLE-2', [{ introduced: '0' }, { fixed: 'not a version' }], ['1.0'])));
    store = path.join(tempDir(), 'advisories.db');
    await importInto(store, folder);
  });

  it('fails the gate when nothing else in the record decides (also without --strict)', async () => {
    const { code, report } = await auditRequirements(store, ['orderless==2.0']);
    expect(report.findings).toEqual([]);
    expect(report.unevaluable.map((item) => [item.advisory, item.subject])).toEqual([
      ['TEST-UNORDERABLE-1', 'orderless@2.0'],
      ['TEST-UNORDERABLE-2', 'orderless@2.0'],
    ]);
    expect(code).toBe(1);
  });

  it('is no extra item when a listed version already makes the package affected', async () => {
    const { report } = await auditRequirements(store, ['orderless==1.0']);
    expect(report.findings.map((finding) => finding.id)).toEqual(['TEST-UNORDERABLE-2']);
    expect(report.unevaluable.map((item) => item.advisory)).toEqual(['TEST-UNORDERABLE-1']);
  });
});

