import { describe, expect, it } from 'vitest';
import { dpkgScheme } from '../../../src/ecosystems/debian/version.js';
import { shared } from '../../helpers/shared-data.js';
import { readOrderCases, verdictOf } from './version-cases.js';

describe('dpkgScheme on every real pair', () => {
  it('agrees with dpkg --compare-versions on all 3,365 pairs of ../shared', () => {
    const cases = readOrderCases(shared('osv/debian/dpkg-version-order.tsv'));
    expect(cases).toHaveLength(3365);
    const wrong = cases.filter(({ a, b, expected }) => verdictOf(dpkgScheme.compare(a, b)) !== expected);
    const wrongKeys = cases.filter(({ a, b, expected }) => (dpkgScheme.equalityKey(a) === dpkgScheme.equalityKey(b)) !== (expected === 'eq'));
    expect(wrong).toEqual([]);
    expect(wrongKeys).toEqual([]);
  });
});
