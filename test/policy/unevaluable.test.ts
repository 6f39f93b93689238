import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { buildInventory } from '../../src/inventory/build-inventory.js';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { collectUnevaluable, evaluateAuditGate } from '../../src/policy/unevaluable.js';

const clock = fixedClock('2026-12-03T12:00:00Z');

/** Builds the inventory of one file and returns what the gate would count as unevaluable. */
async function unevaluableOf(fileName: string, text: string): Promise<{ subjects: string[]; notAudited: string[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vigil-unevaluable-'));
  writeFileSync(path.join(dir, fileName), text);
  const inventory = await buildInventory({ paths: [dir], root: dir });
  return {
    subjects: collectUnevaluable([], inventory.skipped).map((item) => `${item.location.line ?? '-'} ${item.subject}`).sort(),
    notAudited: inventory.skipped.filter((entry) => entry.kind === 'not-audited').map((entry) => `${entry.location.line ?? '-'} ${entry.name ?? ''}`),
  };
}

describe('which skipped entries the gate counts as unevaluable', () => {
  it.each([
    {
      name: 'requirements.txt: unpinned and unexpanded entries are unevaluable; local, VCS and editable ones are not audited; an unparsed pin is left to the matcher',
      file: 'requirements.txt',
      text: [
        'django>=4.2', // 1: unpinned
        '-e ./local-package', // 2: editable
        'pkg @ git+https://example.org/pkg.git@v1#egg=pkg', // 3: VCS
        'legacy==2.0.0-final', // 4: unparsed version
        'tool==${TOOL_VERSION}', // 5: environment variable
        './wheels/thing-1.0-py3-none-any.whl', // 6: local path
        'idna==3.10', // 7: audited
      ].join('\n'),
      want: ['1 django >=4.2', '5 tool tool==${TOOL_VERSION}'],
      wantNotAudited: ['2 ', '3 pkg', '6 '],
    },
    {
      name: 'package-lock.json: a file: dependency and a link are not audited',
      file: 'package-lock.json',
      text: JSON.stringify({
        name: 'app',
        lockfileVersion: 3,
        packages: {
          '': { name: 'app', dependencies: { local: 'file:../local', linked: '*' } },
          'node_modules/local': { version: '1.0.0', resolved: 'file:../local' },
          'node_modules/linked': { resolved: 'packages/linked', link: true },
        },
      }),
      want: [],
      wantNotAudited: ['1 local', '1 linked'],
    },
  ])('$name', async ({ file, text, want, wantNotAudited }) => {
    const { subjects, notAudited } = await unevaluableOf(file, text);
    expect(subjects).toEqual(want);
    expect(notAudited).toEqual(wantNotAudited);
  });
});

describe('evaluateAuditGate', () => {
  const item = { location: { file: 'requirements.txt', line: 1 }, reason: 'not pinned with == or ===' };
  const outcome = { findings: [], warnings: [], inventory: { skipped: [{ ...item, name: 'django', version: '>=4.2' }] } };
  const notAuditedOnly = { findings: [], warnings: [], inventory: { skipped: [{ ...item, reason: 'editable install', kind: 'not-audited' as const }] } };

  it.each([
    { name: 'an unevaluable entry fails by default', outcome, policy: DEFAULT_POLICY, strict: false, failed: true, count: 1 },
    { name: 'unevaluable: warn counts it and passes', outcome, policy: { ...DEFAULT_POLICY, unevaluable: 'warn' as const }, strict: false, failed: false, count: 1 },
    { name: 'a not-audited entry passes without --strict', outcome: notAuditedOnly, policy: DEFAULT_POLICY, strict: false, failed: false, count: 0 },
    { name: '--strict fails on a not-audited entry', outcome: notAuditedOnly, policy: DEFAULT_POLICY, strict: true, failed: true, count: 0 },
    { name: '--strict is stricter than unevaluable: warn', outcome, policy: { ...DEFAULT_POLICY, unevaluable: 'warn' as const }, strict: true, failed: true, count: 1 },
  ])('$name', ({ outcome: given, policy, strict, failed, count }) => {
    const gate = evaluateAuditGate(given, policy, clock, { strict });
    expect(gate.failed).toBe(failed);
    expect(gate.counts.unevaluable).toBe(count);
  });
});
