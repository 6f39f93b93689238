import { lazyParser } from '../lazy-parser.js';
import type { LockfileParser } from '../types.js';

/** package-lock.json and npm-shrinkwrap.json (lockfileVersion 1, 2 and 3). */
export const packageLockParser: LockfileParser = lazyParser(
  {
    id: 'package-lock.json',
    ecosystems: ['npm'],
    matchesFileName: (fileName) => fileName === 'package-lock.json' || fileName === 'npm-shrinkwrap.json',
  },
  async () => (await import('./package-lock.js')).parsePackageLock,
);

/** yarn.lock, Yarn Classic (v1) or Yarn 2+ (Berry), told apart by content. */
export const yarnLockParser: LockfileParser = lazyParser(
  { id: 'yarn.lock', ecosystems: ['npm'], matchesFileName: (fileName) => fileName === 'yarn.lock' },
  async () => (await import('./yarn-lock.js')).parseYarnLock,
);

/** pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.0. */
export const pnpmLockParser: LockfileParser = lazyParser(
  { id: 'pnpm-lock.yaml', ecosystems: ['npm'], matchesFileName: (fileName) => fileName === 'pnpm-lock.yaml' },
  async () => (await import('./pnpm-lock.js')).parsePnpmLock,
);

/**
 * One installed package: `node_modules/<name>/package.json` or `node_modules/@scope/<name>/package.json`,
 * at any depth (nested node_modules included). Read only when auditing a node_modules tree, a
 * root file system or an image, never in a source tree.
 */
export const installedPackageJsonParser: LockfileParser = lazyParser(
  {
    id: 'installed-package-json',
    ecosystems: ['npm'],
    matchesFileName: () => false,
    matchesPath: (relativePath) => /(^|\/)node_modules\/(@[^/.][^/]*\/)?[^/.@][^/]*\/package\.json$/.test(relativePath),
  },
  async () => (await import('./installed-package-json.js')).parseInstalledPackageJson,
);

/** The npm dependency file parsers. */
export const npmParsers: readonly LockfileParser[] = [packageLockParser, yarnLockParser, pnpmLockParser, installedPackageJsonParser];
