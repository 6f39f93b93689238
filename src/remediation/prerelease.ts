import * as pep440 from '@renovatebot/pep440';
import semverPrerelease from 'semver/functions/prerelease.js';
import type { EcosystemId } from '../core/types.js';

/**
 * Whether a version is a pre-release under its ecosystem's rules: a SemVer pre-release tag
 * (https://semver.org/#spec-item-9), or a PEP 440 pre- or development release
 * (https://peps.python.org/pep-0440/#pre-releases; post-releases are final releases).
 * Fix targets skip them unless the package is already on one, as installers do by default.
 */
export function isPrerelease(ecosystem: EcosystemId, version: string): boolean {
  if (ecosystem === 'npm') return (semverPrerelease(version) ?? []).length > 0;
  return pep440.explain(version)?.is_prerelease ?? false;
}
