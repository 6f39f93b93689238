import { createRequire } from 'node:module';
import type { UpgradeClass, VersionScheme } from '../types.js';

type Pep440 = typeof import('@renovatebot/pep440');
let loaded: Pep440 | undefined;
/** The library is loaded on the first PyPI version compared: an npm-only audit never needs it. */
function pep440(): Pep440 {
  loaded ??= createRequire(import.meta.url)('@renovatebot/pep440') as Pep440;
  return loaded;
}

/** PEP 440 (https://peps.python.org/pep-0440/) through @renovatebot/pep440. */
export const pep440Scheme: VersionScheme = {
  name: 'PEP 440',
  isValid: (version) => pep440().valid(version) !== null,
  compare(a, b) {
    assertValid(a);
    assertValid(b);
    return pep440().compare(a, b);
  },
  equalityKey(version) {
    // PEP 440 "Version matching": release segments compare as if padded with zeros, so trailing
    // zeros do not count; every other segment is compared as normalised.
    const parsed = pep440().explain(version);
    if (!parsed) throw new TypeError(`invalid PEP 440 version "${version}"`);
    const release = [...parsed.release];
    while (release.length > 1 && release.at(-1) === 0) release.pop();
    // Absent segments are null at run time (the library's types say otherwise); JSON keeps
    // null apart from 0, so `1.0` and `1.0.post0` get different keys.
    return JSON.stringify([parsed.epoch, release, parsed.pre, parsed.post, parsed.dev, parsed.local]);
  },
  classifyUpgrade(from, to): UpgradeClass {
    if (this.compare(to, from) <= 0) return 'none';
    const a = releaseOf(from);
    const b = releaseOf(to);
    if (pep440().explain(from)?.epoch !== pep440().explain(to)?.epoch) return 'major';
    if ((a[0] ?? 0) !== (b[0] ?? 0)) return 'major';
    if ((a[1] ?? 0) !== (b[1] ?? 0)) return 'minor';
    return 'patch';
  },
};

function assertValid(version: string): void {
  if (pep440().valid(version) === null) throw new TypeError(`invalid PEP 440 version "${version}"`);
}

function releaseOf(version: string): readonly number[] {
  const parsed = pep440().explain(version);
  if (!parsed) throw new TypeError(`invalid PEP 440 version "${version}"`);
  return parsed.release;
}
