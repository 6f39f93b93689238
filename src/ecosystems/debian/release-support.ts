import { isSameRelease } from './os-release.js';

// Last day of security support per release, from distro-info-data 0.66+deb13u2 (trixie), the
// Debian package behind `debian-distro-info` / `ubuntu-distro-info`: debian.csv's `eol-lts`
// (Debian LTS keeps publishing DLA advisories, which OSV's Debian records include; ELTS is a paid
// service) and ubuntu.csv's `eol` (the end of standard support: Ubuntu Pro's ESM fixes are
// `Ubuntu:Pro:*` records, which a plain installation never receives). A test checks the table
// against the CSV files.
const SUPPORT_ENDS: readonly (readonly [release: string, codename: string, lastDay: string])[] = [
  ['Debian:7', 'wheezy', '2018-05-31'],
  ['Debian:8', 'jessie', '2020-06-30'],
  ['Debian:9', 'stretch', '2022-06-30'],
  ['Debian:10', 'buster', '2024-06-30'],
  ['Debian:11', 'bullseye', '2026-08-31'],
  ['Debian:12', 'bookworm', '2028-06-30'],
  ['Debian:13', 'trixie', '2030-06-30'],
  ['Ubuntu:12.04:LTS', 'precise', '2017-04-28'],
  ['Ubuntu:12.10', 'quantal', '2014-05-16'],
  ['Ubuntu:13.04', 'raring', '2014-01-27'],
  ['Ubuntu:13.10', 'saucy', '2014-07-17'],
  ['Ubuntu:14.04:LTS', 'trusty', '2019-04-25'],
  ['Ubuntu:14.10', 'utopic', '2015-07-23'],
  ['Ubuntu:15.04', 'vivid', '2016-02-04'],
  ['Ubuntu:15.10', 'wily', '2016-07-28'],
  ['Ubuntu:16.04:LTS', 'xenial', '2021-04-30'],
  ['Ubuntu:16.10', 'yakkety', '2017-07-20'],
  ['Ubuntu:17.04', 'zesty', '2018-01-13'],
  ['Ubuntu:17.10', 'artful', '2018-07-19'],
  ['Ubuntu:18.04:LTS', 'bionic', '2023-05-31'],
  ['Ubuntu:18.10', 'cosmic', '2019-07-18'],
  ['Ubuntu:19.04', 'disco', '2020-01-23'],
  ['Ubuntu:19.10', 'eoan', '2020-07-17'],
  ['Ubuntu:20.04:LTS', 'focal', '2025-05-29'],
  ['Ubuntu:20.10', 'groovy', '2021-07-22'],
  ['Ubuntu:21.04', 'hirsute', '2022-01-20'],
  ['Ubuntu:21.10', 'impish', '2022-07-14'],
  ['Ubuntu:22.04:LTS', 'jammy', '2027-06-01'],
  ['Ubuntu:22.10', 'kinetic', '2023-07-20'],
  ['Ubuntu:23.04', 'lunar', '2024-01-25'],
  ['Ubuntu:23.10', 'mantic', '2024-07-11'],
  ['Ubuntu:24.04:LTS', 'noble', '2029-05-31'],
  ['Ubuntu:24.10', 'oracular', '2025-07-10'],
  ['Ubuntu:25.04', 'plucky', '2026-01-15'],
  ['Ubuntu:25.10', 'questing', '2026-07-09'],
  ['Ubuntu:26.04:LTS', 'resolute', '2031-05-29'],
  ['Ubuntu:26.10', 'stonking', '2027-07-15'],
];

/** A release's end of security support. */
export interface ReleaseSupport {
  /** The OSV release (`Debian:10`). */
  readonly release: string;
  readonly codename: string;
  /** Last day of security support (YYYY-MM-DD, through its end in UTC). */
  readonly lastDay: string;
  /** Whether that day has passed at `on`. */
  readonly ended: boolean;
}

/** The support of a release at a moment; `undefined` for a release the table does not know (a newer one). */
export function releaseSupportOf(release: string, on: Date): ReleaseSupport | undefined {
  const row = SUPPORT_ENDS.find(([known]) => isSameRelease(known, release));
  if (row === undefined) return undefined;
  const [, codename, lastDay] = row;
  return { release, codename, lastDay, ended: on.getTime() >= Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000 };
}

/** Every release of the table, for tests and documentation. */
export function knownReleaseSupport(): readonly (readonly [string, string, string])[] {
  return SUPPORT_ENDS;
}
