import type { Package } from '../core/types.js';

/** How an indirect dependency is steered to a fixed version without touching its parents. */
export type OverrideKind = 'npm-overrides' | 'yarn-resolutions' | 'pnpm-overrides' | 'pip-constraint';

/** A constraint or override to add, by the lockfile's package manager. */
export interface OverrideSuggestion {
  readonly kind: OverrideKind;
  /** The file to edit, relative to the lockfile's folder. */
  readonly file: string;
  /** What to add there. */
  readonly text: string;
}

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/**
 * The constraint or override that makes the package manager of the package's lockfile resolve the
 * package to `target` (chosen by the lockfile's name): npm `overrides`
 * (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#overrides), yarn `resolutions`
 * (https://classic.yarnpkg.com/en/docs/selective-version-resolutions/), pnpm `pnpm.overrides`
 * (https://pnpm.io/package_json#pnpmoverrides) pinning the exact version; for PyPI a constraints
 * line `name>=target` (pip `-c`, https://pip.pypa.io/en/stable/user_guide/#constraints-files),
 * which lets later fixes through. `undefined` for a file no package manager resolves from (an SBOM).
 */
export function suggestOverride(pkg: Package, target: string): OverrideSuggestion | undefined {
  const name = basename(pkg.location.file);
  const json = (outer: string, inner?: string): string => {
    const entry = `${JSON.stringify(pkg.name)}: ${JSON.stringify(target)}`;
    return inner === undefined ? `"${outer}": { ${entry} }` : `"${outer}": { "${inner}": { ${entry} } }`;
  };
  if (pkg.ecosystem === 'PyPI') {
    // SBOMs (CycloneDX, SPDX) describe an install; no resolver reads constraints for them.
    if (/\.(json|xml|spdx)$/.test(name)) return undefined;
    return { kind: 'pip-constraint', file: 'constraints.txt', text: `${pkg.name}>=${target}` };
  }
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') return { kind: 'npm-overrides', file: 'package.json', text: json('overrides') };
  if (name === 'yarn.lock') return { kind: 'yarn-resolutions', file: 'package.json', text: json('resolutions') };
  if (name === 'pnpm-lock.yaml') return { kind: 'pnpm-overrides', file: 'package.json', text: json('pnpm', 'overrides') };
  return undefined;
}
