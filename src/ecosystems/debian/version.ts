import type { UpgradeClass, VersionScheme } from '../types.js';

/** A dpkg version split into its three parts; `epoch` without leading zeros (`0` when absent). */
interface DpkgVersion {
  readonly epoch: string;
  readonly upstream: string;
  /** `''` when the version has no `-`: dpkg compares it as it compares `0`. */
  readonly revision: string;
}

// Debian Policy 5.6.12 (https://www.debian.org/doc/debian-policy/ch-controlfields.html#version):
// [epoch:]upstream_version[-debian_revision]. The epoch is digits; the upstream version starts
// with a digit and holds alphanumerics and `.+-~` (and `:`, since the epoch ends at the first
// colon); the revision (after the last `-`) holds alphanumerics and `+.~`. dpkg itself accepts,
// with a warning, versions that break the last two rules; vigil refuses them, so a typo never
// becomes an ordering guess.
const EPOCH = /^[0-9]+$/;
const UPSTREAM = /^[0-9][A-Za-z0-9.+~:-]*$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

/** Longest version string vigil orders (real ones are well under 100 characters). */
const MAX_VERSION_LENGTH = 256;

function parseDpkgVersion(version: string): DpkgVersion | undefined {
  if (version.length === 0 || version.length > MAX_VERSION_LENGTH) return undefined;
  const colon = version.indexOf(':');
  const epoch = colon < 0 ? '0' : version.slice(0, colon);
  const rest = colon < 0 ? version : version.slice(colon + 1);
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen < 0 ? rest : rest.slice(0, hyphen);
  const revision = hyphen < 0 ? '' : rest.slice(hyphen + 1);
  if (!EPOCH.test(epoch) || !UPSTREAM.test(upstream)) return undefined;
  if (hyphen >= 0 && !REVISION.test(revision)) return undefined;
  return { epoch: stripZeros(epoch), upstream, revision };
}

function stripZeros(digits: string): string {
  const stripped = digits.replace(/^0+/, '');
  return stripped === '' ? '0' : stripped;
}

/** Two digit strings compared as the numbers they write, of any length. */
function compareNumbers(a: string, b: string): number {
  const x = stripZeros(a);
  const y = stripZeros(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isLetter = (code: number): boolean => (code >= 65 && code <= 90) || (code >= 97 && code <= 122);

/**
 * dpkg's order of one character of a non-digit run (lib/dpkg/version.c, `order()`): `~` before
 * everything, even the end of the part; then the end; then letters; then every other character,
 * each by its code.
 */
function order(code: number | undefined): number {
  if (code === undefined || isDigit(code)) return 0;
  if (isLetter(code)) return code;
  if (code === 126) return -1; // '~'
  return code + 256;
}

/**
 * dpkg's `verrevcmp` (Debian Policy 5.6.12): alternating non-digit runs, compared character by
 * character with `order`, and digit runs, compared as numbers (an empty run is 0).
 */
function compareParts(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const diff = order(i < a.length ? a.charCodeAt(i) : undefined) - order(j < b.length ? b.charCodeAt(j) : undefined);
      if (diff !== 0) return diff;
      i++;
      j++;
    }
    const startA = i;
    const startB = j;
    while (i < a.length && isDigit(a.charCodeAt(i))) i++;
    while (j < b.length && isDigit(b.charCodeAt(j))) j++;
    const diff = compareNumbers(a.slice(startA, i) || '0', b.slice(startB, j) || '0');
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * The part as pairs of (non-digit run, number), with the trailing pairs that compare like the
 * end of the part, `("", 0)`, dropped: two parts compare equal exactly when these are the same.
 */
function partKey(part: string): string {
  const pairs: string[] = [];
  let i = 0;
  while (i < part.length) {
    let start = i;
    while (i < part.length && !isDigit(part.charCodeAt(i))) i++;
    const text = part.slice(start, i);
    start = i;
    while (i < part.length && isDigit(part.charCodeAt(i))) i++;
    pairs.push(`${text}${stripZeros(part.slice(start, i) || '0')}`);
  }
  while (pairs.at(-1) === '0') pairs.pop();
  return pairs.join('');
}

function parsed(version: string): DpkgVersion {
  const value = parseDpkgVersion(version);
  if (value === undefined) throw new TypeError(`invalid dpkg version "${version}"`);
  return value;
}

function compareDpkg(a: DpkgVersion, b: DpkgVersion): number {
  return compareNumbers(a.epoch, b.epoch) || compareParts(a.upstream, b.upstream) || compareParts(a.revision, b.revision);
}

/** dpkg's version ordering (Debian Policy 5.6.12, as `dpkg --compare-versions` implements it). */
export const dpkgScheme: VersionScheme = {
  name: 'dpkg',
  isValid: (version) => parseDpkgVersion(version) !== undefined,
  compare(a, b) {
    return Math.sign(compareDpkg(parsed(a), parsed(b)));
  },
  equalityKey(version) {
    const value = parsed(version);
    return `${value.epoch}:${partKey(value.upstream)}-${partKey(value.revision)}`;
  },
  classifyUpgrade(from, to): UpgradeClass {
    // The fix of a Debian or Ubuntu advisory is the version the release's security or updates
    // archive carries: `apt-get upgrade` installs it whatever its upstream number, so it is a
    // security update of the release, not a patch, minor or major move.
    return compareDpkg(parsed(to), parsed(from)) > 0 ? 'security-update' : 'none';
  },
};
