import path from 'node:path';
import { lazyParser } from '../lazy-parser.js';
import type { LockfileParser } from '../types.js';

/**
 * poetry.lock (https://python-poetry.org/docs/basic-usage/#committing-your-poetrylock-file-to-version-control).
 * Direct dependencies and dev-only packages come from the sibling pyproject.toml when there is one;
 * packages from git, a directory, a file or a URL are skipped (their version is not a PyPI release).
 */
export const poetryLockParser: LockfileParser = lazyParser(
  { id: 'poetry.lock', ecosystems: ['PyPI'], matchesFileName: (fileName) => fileName === 'poetry.lock' },
  async () => (await import('./poetry-lock.js')).parsePoetryLock,
);

/**
 * uv.lock (https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile). Editable and virtual
 * entries are the project (workspace members): not packages, but their dependencies are the
 * direct ones, their optional-dependencies and dev-dependencies give the `optional` and `dev` scopes.
 */
export const uvLockParser: LockfileParser = lazyParser(
  { id: 'uv.lock', ecosystems: ['PyPI'], matchesFileName: (fileName) => fileName === 'uv.lock' },
  async () => (await import('./uv-lock.js')).parseUvLock,
);

/**
 * pdm.lock (https://pdm-project.org/latest/usage/lockfile/). Direct dependencies come from the
 * sibling pyproject.toml; a package outside the `default` group is `optional` when its groups are
 * extras of the project, else `dev` (and `dev` when there is no pyproject.toml to tell).
 */
export const pdmLockParser: LockfileParser = lazyParser(
  { id: 'pdm.lock', ecosystems: ['PyPI'], matchesFileName: (fileName) => fileName === 'pdm.lock' },
  async () => (await import('./pdm-lock.js')).parsePdmLock,
);

/**
 * pylock.toml (PEP 751, https://packaging.python.org/en/latest/specifications/pylock-toml/),
 * named `pylock.toml` or `pylock.<name>.toml`. The format does not say which packages the project
 * asks for, so `direct` is `'unknown'`.
 */
export const pylockTomlParser: LockfileParser = lazyParser(
  { id: 'pylock.toml', ecosystems: ['PyPI'], matchesFileName: (fileName) => /^pylock\.([^.]+\.)?toml$/.test(fileName) },
  async () => (await import('./pylock-toml.js')).parsePylockToml,
);

/**
 * Pipfile.lock (https://pipenv.pypa.io/en/latest/pipfile.html). `default` packages are runtime,
 * `develop` ones `dev`; a name and version locked in both is one runtime package. Direct
 * dependencies come from the sibling Pipfile. Git, path, file and editable entries are skipped.
 */
export const pipfileLockParser: LockfileParser = lazyParser(
  { id: 'Pipfile.lock', ecosystems: ['PyPI'], matchesFileName: (fileName) => fileName === 'Pipfile.lock' },
  async () => (await import('./pipfile-lock.js')).parsePipfileLock,
);

function isRequirementsFileName(fileName: string): boolean {
  return /^requirements.*\.txt$|requirements\.txt$/i.test(fileName);
}

/**
 * Requirements files (https://pip.pypa.io/en/stable/reference/requirements-file-format/).
 *
 * Names: a basename that starts with `requirements` or ends with `requirements` before `.txt`
 * (`requirements.txt`, `requirements-dev.txt`, `dev-requirements.txt`, `test_requirements.txt`),
 * or any `.txt` file in a folder named `requirements` (`requirements/common.txt`, through
 * `matchesPath`). `constraints*.txt` files are not matched: pip installs nothing from a constraints
 * file, so one is read only when a requirements file names it with `-c`.
 *
 * Only `==` / `===` pins are packages; editable, URL, VCS, local path, unpinned and unreadable
 * lines are skipped entries. A pin in a `-c` constraints file pins an unpinned requirement of the
 * same name (located at the constraint, where its version is written); constraints on their own
 * are not packages. pip-compile `# via` annotations give `direct` (`-r file.in` named among them)
 * and the dependency edges; without them `direct` is `'unknown'`.
 */
export const requirementsTxtParser: LockfileParser = lazyParser(
  {
    id: 'requirements.txt',
    ecosystems: ['PyPI'],
    matchesFileName: isRequirementsFileName,
    matchesPath: (relativePath) =>
      /(^|\/)requirements\/[^/]+\.txt$/i.test(relativePath) || isRequirementsFileName(path.posix.basename(relativePath)),
  },
  async () => (await import('./requirements-txt.js')).parseRequirementsTxt,
);

/**
 * Installed distributions: `*.dist-info/METADATA` and `*.egg-info/PKG-INFO` (a folder, or a
 * single `*.egg-info` file). Read only when auditing an installed environment, a root file system
 * or an image, never in a source tree.
 */
export const installedMetadataParser: LockfileParser = lazyParser(
  {
    id: 'installed-metadata',
    ecosystems: ['PyPI'],
    matchesFileName: () => false,
    matchesPath: (relativePath) => /(^|\/)[^/]+\.dist-info\/METADATA$|(^|\/)[^/]+\.egg-info(\/PKG-INFO)?$/.test(relativePath),
  },
  async () => (await import('./installed-metadata.js')).parseInstalledMetadata,
);

/** The PyPI dependency file parsers: lockfiles first, then requirements files, then installed metadata. */
export const pypiParsers: readonly LockfileParser[] = [
  poetryLockParser,
  uvLockParser,
  pdmLockParser,
  pylockTomlParser,
  pipfileLockParser,
  requirementsTxtParser,
  installedMetadataParser,
];
