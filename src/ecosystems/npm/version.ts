// The parts of `semver` used, imported alone: its index loads every range and function module,
// which costs more start-up time than all of vigil's own matching.
import semverCompare from 'semver/functions/compare.js';
import semverParse from 'semver/functions/parse.js';
import semverValid from 'semver/functions/valid.js';
import type { UpgradeClass, VersionScheme } from '../types.js';

/** npm's SemVer 2.0.0 (https://semver.org) through the `semver` package, strict parsing. */
export const semverScheme: VersionScheme = {
  name: 'SemVer',
  isValid: (version) => semverValid(version) !== null && !version.startsWith('v') && !version.startsWith('='),
  compare(a, b) {
    return semverCompare(strict(a), strict(b));
  },
  equalityKey(version) {
    // SemVer 2.0.0 section 10: build metadata does not count in precedence.
    return strict(version).split('+')[0] as string;
  },
  classifyUpgrade(from, to): UpgradeClass {
    const a = semverParse(strict(from));
    const b = semverParse(strict(to));
    if (!a || !b) throw new TypeError(`invalid SemVer version "${a ? to : from}"`);
    if (semverCompare(b, a) <= 0) return 'none';
    if (a.major !== b.major) return 'major';
    // Caret rule (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#dependencies):
    // ^0.y.z admits only 0.y.*, ^0.0.z only 0.0.z, so those bumps are breaking.
    if (a.major === 0) {
      if (a.minor !== b.minor) return 'major';
      if (a.minor === 0 && a.patch !== b.patch) return 'major';
      return 'patch';
    }
    if (a.minor !== b.minor) return 'minor';
    return 'patch';
  },
};

function strict(version: string): string {
  if (!semverScheme.isValid(version)) throw new TypeError(`invalid SemVer version "${version}"`);
  return version;
}
