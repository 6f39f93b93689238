import { createRequire } from 'node:module';
import type { UpgradeClass, VersionScheme } from '../types.js';

// The plain `MAJOR.MINOR.PATCH` versions that make up nearly every lockfile are checked and
// ordered here; anything else (a prerelease, build metadata, text semver trims) goes to the
// `semver` package, loaded on first need: its parse of each version and its module loading cost
// more than the rest of the version checks of an audit (#15, item 5). The answers are semver's
// own: test/ecosystems/npm/version.test.ts compares them on every version of the shared corpus.

/** Digits without a leading zero, dot-separated, nothing else: semver's strict MAINVERSION. */
const PLAIN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

interface PlainVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** The parts of a plain version (each within semver's MAX_SAFE_INTEGER), else undefined. */
function plainParts(version: string): PlainVersion | undefined {
  const match = PLAIN.exec(version);
  if (match === null) return undefined;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  const patch = Number(match[3]);
  if (major > Number.MAX_SAFE_INTEGER || minor > Number.MAX_SAFE_INTEGER || patch > Number.MAX_SAFE_INTEGER) return undefined;
  return { major, minor, patch };
}

interface SemverFunctions {
  readonly valid: (version: string) => string | null;
  readonly compare: (a: string, b: string) => -1 | 0 | 1;
  readonly parse: (version: string) => PlainVersion | null;
}

let loaded: SemverFunctions | undefined;

/** The parts of `semver` used, required alone: its index loads every range and function module. */
function semver(): SemverFunctions {
  if (loaded === undefined) {
    const require = createRequire(import.meta.url);
    loaded = {
      valid: require('semver/functions/valid.js') as SemverFunctions['valid'],
      compare: require('semver/functions/compare.js') as SemverFunctions['compare'],
      parse: require('semver/functions/parse.js') as SemverFunctions['parse'],
    };
  }
  return loaded;
}

function comparePlain(a: PlainVersion, b: PlainVersion): -1 | 0 | 1 {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  if (a.patch !== b.patch) return a.patch < b.patch ? -1 : 1;
  return 0;
}

/** npm's SemVer 2.0.0 (https://semver.org) through the `semver` package, strict parsing. */
export const semverScheme: VersionScheme = {
  name: 'SemVer',
  isValid: (version) =>
    plainParts(version) !== undefined || (semver().valid(version) !== null && !version.startsWith('v') && !version.startsWith('=')),
  compare(a, b) {
    const plainA = plainParts(a);
    const plainB = plainA === undefined ? undefined : plainParts(b);
    if (plainA !== undefined && plainB !== undefined) return comparePlain(plainA, plainB);
    return semver().compare(strict(a), strict(b));
  },
  equalityKey(version) {
    if (plainParts(version) !== undefined) return version;
    // SemVer 2.0.0 section 10: build metadata does not count in precedence.
    return strict(version).split('+')[0] as string;
  },
  classifyUpgrade(from, to): UpgradeClass {
    const a = plainParts(from) ?? semver().parse(strict(from));
    const b = plainParts(to) ?? semver().parse(strict(to));
    if (!a || !b) throw new TypeError(`invalid SemVer version "${a ? to : from}"`);
    if (semverScheme.compare(to, from) <= 0) return 'none';
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
