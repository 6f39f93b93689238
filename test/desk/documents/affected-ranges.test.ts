import { describe, expect, it } from 'vitest';
import { ConfigError, DeskRuleError } from '../../../src/core/errors.js';
import {
  advisoryPackageOf,
  affectedEvents,
  seriesFloor,
  seriesOldestFirst,
  type RangeEvent,
} from '../../../src/desk/documents/affected-ranges.js';
import type { BackportRow } from '../../../src/desk/types.js';
import { row } from './document-fixtures.js';

const pypi = advisoryPackageOf({ ecosystem: 'PyPI', name: 'Django' });
const npm = advisoryPackageOf({ ecosystem: 'npm', name: '@scope/lib' });

describe('affectedEvents', () => {
  it.each<{ name: string; pkg?: typeof pypi; introduced?: string; matrix: BackportRow[]; want: RangeEvent[] }>([
    {
      name: 'every series fixed: from 0, each later series reopens at its lowest version',
      matrix: [row('main', 'fixed', { patch: 'abc' }), row('5.1', 'fixed', { fixedIn: '5.1.1' }), row('5.0', 'fixed', { fixedIn: '5.0.9' }), row('4.2', 'fixed', { fixedIn: '4.2.16' })],
      want: [{ introduced: '0' }, { fixed: '4.2.16' }, { introduced: '5.0.dev0' }, { fixed: '5.0.9' }, { introduced: '5.1.dev0' }, { fixed: '5.1.1' }],
    },
    {
      name: 'a series past end of support stays inside the open segment until the next fix',
      matrix: [row('5.1', 'fixed', { fixedIn: '5.1.1' }), row('5.0', 'unsupported', { affected: true }), row('4.2', 'fixed', { fixedIn: '4.2.14' })],
      want: [{ introduced: '0' }, { fixed: '4.2.14' }, { introduced: '5.0.dev0' }, { fixed: '5.1.1' }],
    },
    {
      name: 'an older series not affected moves the start to the first affected series',
      matrix: [row('5.1', 'fixed', { fixedIn: '5.1.1' }), row('4.2', 'fixed', { fixedIn: '4.2.14' }), row('4.1', 'unsupported', { affected: false })],
      want: [{ introduced: '4.2.dev0' }, { fixed: '4.2.14' }, { introduced: '5.1.dev0' }, { fixed: '5.1.1' }],
    },
    {
      name: 'not-affected series between affected ones are skipped',
      matrix: [row('5.1', 'fixed', { fixedIn: '5.1.1' }), row('5.0', 'not-affected'), row('4.2', 'fixed', { fixedIn: '4.2.14' })],
      want: [{ introduced: '0' }, { fixed: '4.2.14' }, { introduced: '5.1.dev0' }, { fixed: '5.1.1' }],
    },
    {
      name: 'a not-affected series closes an open segment at its lowest version',
      matrix: [row('5.1', 'not-affected'), row('5.0', 'unsupported', { affected: true }), row('4.2', 'unsupported', { affected: true })],
      want: [{ introduced: '0' }, { fixed: '5.1.dev0' }],
    },
    {
      name: 'the recorded first affected version starts the first segment',
      introduced: '4.2.3',
      matrix: [row('5.1', 'fixed', { fixedIn: '5.1.1' }), row('4.2', 'fixed', { fixedIn: '4.2.14' }), row('4.1', 'not-affected')],
      want: [{ introduced: '4.2.3' }, { fixed: '4.2.14' }, { introduced: '5.1.dev0' }, { fixed: '5.1.1' }],
    },
    {
      name: 'series wholly before the first affected version are ignored, whatever the matrix says',
      introduced: '5.0',
      matrix: [row('5.1', 'fixed', { fixedIn: '5.1.1' }), row('5.0', 'fixed', { fixedIn: '5.0.9' }), row('4.2', 'fixed', { fixedIn: '4.2.14' })],
      want: [{ introduced: '5.0' }, { fixed: '5.0.9' }, { introduced: '5.1.dev0' }, { fixed: '5.1.1' }],
    },
    {
      name: 'an affected supported series without a fix yet leaves the range open',
      matrix: [row('main', 'affected'), row('5.1', 'affected'), row('4.2', 'fixed', { fixedIn: '4.2.14' })],
      want: [{ introduced: '0' }, { fixed: '4.2.14' }, { introduced: '5.1.dev0' }],
    },
    {
      name: 'a flaw only on the main branch gives no event',
      matrix: [row('main', 'fixed', { patch: 'abc' }), row('5.1', 'not-affected'), row('4.2', 'not-affected')],
      want: [],
    },
    {
      name: 'a release from the main branch closes the open segment',
      matrix: [row('main', 'fixed', { fixedIn: '6.0.1' }), row('5.1', 'unsupported', { affected: true })],
      want: [{ introduced: '0' }, { fixed: '6.0.1' }],
    },
    {
      name: 'matrix rows in any order',
      matrix: [row('4.2', 'fixed', { fixedIn: '4.2.14' }), row('5.10', 'fixed', { fixedIn: '5.10.2' }), row('5.9', 'fixed', { fixedIn: '5.9.7' })],
      want: [{ introduced: '0' }, { fixed: '4.2.14' }, { introduced: '5.9.dev0' }, { fixed: '5.9.7' }, { introduced: '5.10.dev0' }, { fixed: '5.10.2' }],
    },
    {
      name: 'npm series start at their lowest pre-release',
      pkg: npm,
      matrix: [row('main', 'fixed'), row('5.1', 'fixed', { fixedIn: '5.1.4' }), row('5', 'unsupported', { affected: true }), row('4.17', 'fixed', { fixedIn: '4.17.22' }), row('4.16', 'not-affected')],
      want: [{ introduced: '4.17.0-0' }, { fixed: '4.17.22' }, { introduced: '5.0.0-0' }, { fixed: '5.1.4' }],
    },
  ])('$name', ({ pkg, introduced, matrix, want }) => {
    expect(affectedEvents(matrix, pkg ?? pypi, introduced)).toEqual(want);
  });

  it.each<{ name: string; matrix: BackportRow[]; introduced?: string; error: typeof DeskRuleError | typeof ConfigError; message: RegExp }>([
    { name: 'a fix released in another series', matrix: [row('5.1', 'fixed', { fixedIn: '5.0.9' }), row('5.0', 'unsupported')], error: DeskRuleError, message: /a release of another series/ },
    { name: 'a fix that is not a version', matrix: [row('5.1', 'fixed', { fixedIn: '5.1.x' })], error: DeskRuleError, message: /not a PEP 440 version/ },
    { name: 'a fix before the first affected version', matrix: [row('4.2', 'fixed', { fixedIn: '4.2.2' })], introduced: '4.2.3', error: DeskRuleError, message: /not after the first affected version/ },
    { name: 'a first affected version that is not a version', matrix: [row('4.2', 'fixed', { fixedIn: '4.2.2' })], introduced: 'four', error: DeskRuleError, message: /"four" is not a PEP 440 version/ },
    { name: 'a series name that is not a release number', matrix: [row('stable', 'fixed', { fixedIn: '4.2.2' })], error: ConfigError, message: /release series "stable"/ },
    { name: 'a main release older than a series', matrix: [row('main', 'fixed', { fixedIn: '4.0.1' }), row('4.2', 'unsupported')], error: DeskRuleError, message: /not after the first affected version|not newer than every release series/ },
  ])('refuses $name', ({ matrix, introduced, error, message }) => {
    expect(() => affectedEvents(matrix, pypi, introduced)).toThrow(error);
    expect(() => affectedEvents(matrix, pypi, introduced)).toThrow(message);
  });

  it('refuses an ecosystem whose versions vigil cannot order', () => {
    expect(() => advisoryPackageOf({ ecosystem: 'Maven', name: 'org.example:lib' })).toThrow(/vigil orders versions of PyPI and npm only/);
  });
});

describe('seriesFloor and seriesOldestFirst', () => {
  it.each([
    { pkg: pypi, series: '5.1', want: '5.1.dev0' },
    { pkg: pypi, series: '5', want: '5.dev0' },
    { pkg: npm, series: '5.1', want: '5.1.0-0' },
    { pkg: npm, series: '5', want: '5.0.0-0' },
    { pkg: npm, series: '5.1.2', want: '5.1.2-0' },
  ])('$pkg.ecosystem series $series starts at $want', ({ pkg, series, want }) => {
    expect(seriesFloor(series, pkg)).toBe(want);
  });

  it('orders series by version, not by text, and leaves the main branch out', () => {
    const ordered = seriesOldestFirst([row('main', 'fixed'), row('5.10', 'fixed'), row('5.9', 'fixed'), row('10.0', 'fixed')], pypi);
    expect(ordered.map((entry) => entry.row.series)).toEqual(['5.9', '5.10', '10.0']);
  });
});
