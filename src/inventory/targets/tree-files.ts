import path from 'node:path';
import type { AuditedImage } from '../../core/types.js';
import type { DependencyFile, LockfileParser, ParseContext } from '../../ecosystems/types.js';
import { displayPath } from '../read-file.js';
import type { ResolvedTarget } from './detect.js';
import { directoryTree } from './directory-tree.js';
import { normalizeInside, TreePathError, type FileTree } from './file-tree.js';

/** Formats of installed packages, read only outside source trees. */
export const INSTALLED_FORMATS: ReadonlySet<string> = new Set(['installed-metadata', 'installed-package-json']);

/**
 * Files parsers read beside the one they parse (`readRelated`): an image keeps them too. The
 * os-release files name the distribution of a dpkg database.
 */
const RELATED_NAMES: ReadonlySet<string> = new Set(['os-release', 'lsb-release', 'debian_version', 'package.json', 'pyproject.toml', 'Pipfile']);

/** Folders of a root file system that hold no packages: the kernel's and the runtime's. */
const SYSTEM_FOLDERS: ReadonlySet<string> = new Set(['proc', 'sys', 'dev', 'run']);

/** Installed packages' folders: a lockfile or requirements file inside one belongs to a package, not to the system. */
const INSIDE_INSTALLED = /(^|\/)(node_modules|site-packages|dist-packages)\//;

/**
 * Debian's own Python packages (`python3-*`, in /usr/lib/python3/dist-packages) are dpkg's: the
 * dpkg database lists them with Debian's versions and patches, so they are not read again as PyPI
 * releases (pip's own installs go to /usr/local/lib/python3.X/dist-packages and are read).
 */
const DEBIAN_PYTHON = /(^|\/)usr\/lib\/python3[^/]*\/dist-packages\//;

/** One file of a tree to parse, with the parsers that may read it (the first whose sniff passes). */
export interface TreeCandidate {
  readonly tree: FileTree;
  readonly parser: LockfileParser;
  /** Path shown in reports. */
  readonly display: string;
  read(): Promise<{ readonly file: DependencyFile; readonly layer?: string } | { readonly reason: string }>;
  context(file: DependencyFile): ParseContext;
}

/** Which parsers may read a file at this path of a tree of this kind. */
function claimsInTree(target: ResolvedTarget, parser: LockfileParser, relativePath: string): boolean {
  const claimed = parser.matchesFileName(path.posix.basename(relativePath)) || (parser.matchesPath?.(relativePath) ?? false);
  if (!claimed) return false;
  switch (target.target) {
    case 'python-env':
      return parser.id === 'installed-metadata';
    case 'node-modules':
      return parser.id === 'installed-package-json';
    default:
      if (parser.id === 'installed-metadata') return !DEBIAN_PYTHON.test(relativePath);
      if (INSTALLED_FORMATS.has(parser.id)) return true;
      return !INSIDE_INSTALLED.test(relativePath);
  }
}

function decode(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Opens the target as a file tree and lists the files to parse. An image is read once, keeping
 * in memory only the files a parser claims and those parsers read beside them.
 */
export async function listTreeCandidates(
  target: ResolvedTarget,
  root: string,
  parsers: readonly LockfileParser[],
  isExcluded: (relativePath: string) => boolean,
): Promise<{ readonly tree: FileTree; readonly candidates: readonly TreeCandidate[]; readonly image?: AuditedImage }> {
  // A node_modules folder given itself: its packages are at `<name>/package.json`, the parser
  // claims `node_modules/<name>/package.json`.
  const claimPrefix = target.target === 'node-modules' && path.basename(target.path) === 'node_modules' ? 'node_modules/' : '';
  const parsersOf = (relativePath: string): LockfileParser[] =>
    parsers.filter((parser) => claimsInTree(target, parser, claimPrefix + relativePath));
  const wanted = (relativePath: string): boolean => !isExcluded(relativePath) && parsersOf(relativePath).length > 0;
  const isSystemTree = target.target === 'image' || target.target === 'rootfs';
  let tree: FileTree;
  let image: AuditedImage | undefined;
  if (target.target === 'image') {
    const { readImageArchive, readOciLayout } = await import('./image.js');
    const keep = (relativePath: string): boolean => wanted(relativePath) || RELATED_NAMES.has(path.posix.basename(relativePath));
    const imageTree = target.isFolder ? await readOciLayout(target.path, target.given, keep) : await readImageArchive(target.path, target.given, keep);
    tree = imageTree;
    image = imageTree.image;
  } else {
    tree = directoryTree(target.path, target.given);
  }
  const show = (relativePath: string): string => (tree.isImage ? `/${relativePath}` : displayPath(root, path.join(target.path, ...relativePath.split('/'))));
  const listed = await tree.list({
    wanted,
    enter: (relativePath) => !isExcluded(relativePath) && !(isSystemTree && SYSTEM_FOLDERS.has(relativePath)),
  });
  const toFile = (relativePath: string, bytes: Buffer): DependencyFile => ({
    absolutePath: path.join(target.path, ...relativePath.split('/')),
    path: show(relativePath),
    text: decode(bytes),
  });
  const candidates: TreeCandidate[] = [];
  for (const relativePath of listed) {
    const claiming = parsersOf(relativePath);
    const first = claiming[0];
    if (first === undefined) continue;
    const read = async (): Promise<{ readonly file: DependencyFile; readonly layer?: string } | { readonly reason: string }> => {
      try {
        const found = await tree.read(relativePath);
        if (found === undefined) return { reason: 'not read: a symbolic link to nothing in the tree' };
        return { file: toFile(relativePath, found.bytes), ...(found.layer === undefined ? {} : { layer: found.layer }) };
      } catch (error) {
        if (error instanceof TreePathError) return { reason: `not read: ${error.message}` };
        throw error;
      }
    };
    const result = await read();
    const parser = 'file' in result ? (claiming.find((p) => (p.sniff ? p.sniff(result.file.text) : true)) ?? first) : first;
    candidates.push({
      tree,
      parser,
      display: show(relativePath),
      read: () => Promise.resolve(result),
      context: () => treeParseContext(tree, relativePath, toFile),
    });
  }
  return { tree, candidates, ...(image === undefined ? {} : { image }) };
}

/**
 * Reads beside a file of a tree: the related path is joined to the file's folder, then read
 * with the tree's links resolved inside it. A link out of the tree or a cycle reads as nothing
 * there (the parser then fails closed: a dpkg database without a release skips its packages).
 */
function treeParseContext(tree: FileTree, relativePath: string, toFile: (relativePath: string, bytes: Buffer) => DependencyFile): ParseContext {
  return {
    async readRelated(relatedPath) {
      const joined = normalizeInside(path.posix.join(path.posix.dirname(relativePath), relatedPath));
      if (joined === undefined) return undefined;
      try {
        const related = await tree.read(joined);
        return related === undefined ? undefined : toFile(joined, related.bytes);
      } catch (error) {
        if (error instanceof TreePathError) return undefined;
        throw error;
      }
    },
  };
}

/** A dpkg database's path, and the root file system it belongs to (the folder above its `var/lib/dpkg`). */
const DPKG_DATABASE = /^(.*)\/(var\/lib\/dpkg\/(?:status|status\.d\/[^/]+))$/;

/**
 * The parse context of a dpkg database read as a plain file (named on the command line, or
 * found in a source tree): the files it reads beside itself (os-release, the
 * debian-security-support lists) are read from its root file system with links resolved inside
 * it, as for a rootfs target. An unpacked Debian or Ubuntu tree has `etc/os-release ->
 * /usr/lib/os-release`; the operating system would follow that link to the host's own file and
 * give the host's release. `undefined` for any other file.
 */
export function rootFileSystemContext(root: string, file: DependencyFile): ParseContext | undefined {
  const match = DPKG_DATABASE.exec(file.absolutePath.split(path.sep).join('/'));
  if (match === null) return undefined;
  const rootfs = match[1] === '' || match[1] === undefined ? '/' : match[1];
  const tree = directoryTree(rootfs, rootfs);
  const toFile = (relativePath: string, bytes: Buffer): DependencyFile => {
    const absolutePath = path.join(rootfs, ...relativePath.split('/'));
    return { absolutePath, path: displayPath(root, absolutePath), text: decode(bytes) };
  };
  return treeParseContext(tree, match[2] ?? '', toFile);
}
