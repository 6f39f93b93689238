import type { Package } from '../../core/types.js';
import type { ParentBumpTarget } from '../parent-bump.js';

function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/** Single-quotes a shell word when it needs it (`pkg==1.2` has no special characters, `a[b]==1` has). */
function shellWord(word: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The package manager's own command that moves the package of this lockfile to `target`, for
 * the files `vigil fix` does not rewrite; `undefined` for a file no package manager owns (an
 * SBOM). poetry and pdm update within the project's constraints: when the target is outside
 * them, the constraint in pyproject.toml has to change first.
 */
export function ecosystemCommand(pkg: Package, target: string): string | undefined {
  const file = basename(pkg.location.file);
  const name = pkg.name;
  switch (file) {
    case 'poetry.lock':
      return `poetry update ${shellWord(name)}`;
    case 'uv.lock':
      return `uv lock --upgrade-package ${shellWord(`${name}==${target}`)}`;
    case 'pdm.lock':
      return `pdm update ${shellWord(name)}`;
    case 'Pipfile.lock':
      return `pipenv update ${shellWord(name)}`;
    case 'package-lock.json':
    case 'npm-shrinkwrap.json':
      return pkg.direct === false ? 'npm install' : `npm install ${shellWord(`${name}@${target}`)}`;
    case 'yarn.lock':
      return pkg.direct === false ? 'yarn install' : `yarn up ${shellWord(`${name}@${target}`)}`;
    case 'pnpm-lock.yaml':
      return pkg.direct === false ? 'pnpm install' : `pnpm update ${shellWord(`${name}@${target}`)}`;
    default:
      if (/\.(json|xml|spdx)$/.test(file)) return undefined;
      return pkg.ecosystem === 'PyPI' ? `pip install --upgrade '${name.replace(/'/g, `'\\''`)}==${target}'` : undefined;
  }
}

/**
 * The command that moves direct npm dependencies to new versions (a parent bump that brings a
 * fixed indirect package), for the package's lockfile: `npm install a@x b@y`, `yarn up a@x`,
 * `pnpm update a@x`; `undefined` for a file no npm package manager owns.
 */
export function parentBumpCommand(pkg: Package, parents: readonly ParentBumpTarget[]): string | undefined {
  const words = parents.map((parent) => shellWord(`${parent.name}@${parent.to}`)).join(' ');
  switch (basename(pkg.location.file)) {
    case 'package-lock.json':
    case 'npm-shrinkwrap.json':
      return `npm install ${words}`;
    case 'yarn.lock':
      return `yarn up ${words}`;
    case 'pnpm-lock.yaml':
      return `pnpm update ${words}`;
    default:
      return undefined;
  }
}

/**
 * The package manager's command that removes a direct dependency from the project (a malicious
 * package, #15 item 3); `undefined` for an indirect one (the dependency that brings it in must go
 * or change) and for a file no package manager owns.
 */
export function removeCommand(pkg: Package): string | undefined {
  if (pkg.direct === false) return undefined;
  const name = shellWord(pkg.name);
  switch (basename(pkg.location.file)) {
    case 'poetry.lock':
      return `poetry remove ${name}`;
    case 'uv.lock':
      return `uv remove ${name}`;
    case 'pdm.lock':
      return `pdm remove ${name}`;
    case 'Pipfile.lock':
      return `pipenv uninstall ${name}`;
    case 'package-lock.json':
    case 'npm-shrinkwrap.json':
      return `npm uninstall ${name}`;
    case 'yarn.lock':
      return `yarn remove ${name}`;
    case 'pnpm-lock.yaml':
      return `pnpm remove ${name}`;
    default:
      return pkg.ecosystem === 'PyPI' && /\.(txt|in)$/.test(pkg.location.file) ? `pip uninstall ${name}` : undefined;
  }
}
