import { lstat, open } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';

/**
 * What a path given to `vigil audit` is. `files`: a source tree or dependency files (lockfiles,
 * manifests, SBOMs; node_modules and virtual environments are not searched). `image`: a container
 * image (a `docker save` or OCI archive, or an OCI image layout folder). `rootfs`: an unpacked root
 * file system. `python-env`: an installed Python environment (a virtualenv, a site-packages
 * folder). `node-modules`: an installed node_modules tree.
 */
export const AUDIT_TARGETS = ['image', 'rootfs', 'python-env', 'node-modules', 'files'] as const;
export type AuditTarget = (typeof AUDIT_TARGETS)[number];

export function isAuditTarget(value: string): value is AuditTarget {
  return (AUDIT_TARGETS as readonly string[]).includes(value);
}

/** A path and what it is, decided. */
export interface ResolvedTarget {
  readonly target: AuditTarget;
  /** Absolute path. */
  readonly path: string;
  /** The path as given. */
  readonly given: string;
  /** For an image: an archive file or a layout folder. */
  readonly isFolder: boolean;
}

const TAR_MAGIC = Buffer.from('ustar');

/**
 * Whether the bytes start a tar archive (`ustar` at offset 257; or a zero block, the end of an
 * empty archive) or a gzip stream.
 */
export function looksLikeTar(head: Buffer): boolean {
  return head.subarray(257, 262).equals(TAR_MAGIC) || (head[0] === 0x1f && head[1] === 0x8b) || (head.length === 512 && head.every((byte) => byte === 0));
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** The first 512 bytes of a file (fewer when it is shorter). */
export async function head(file: string): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(512);
    const { bytesRead } = await handle.read(buffer, 0, 512, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Decides what the path is from its content, or checks that it can be what `forced` says:
 * a tar or gzip file is an image archive; a folder with `oci-layout` and `index.json` an image
 * layout; one with `etc/os-release` or `usr/lib/os-release` a root file system; one with
 * `pyvenv.cfg`, or named `site-packages` or `dist-packages`, a Python environment; one named
 * `node_modules` a node_modules tree; anything else source files.
 */
export async function resolveTarget(given: string, forced?: AuditTarget): Promise<ResolvedTarget> {
  const absolute = path.resolve(given);
  let stats;
  try {
    stats = await lstat(absolute);
    if (stats.isSymbolicLink()) stats = await (await import('node:fs/promises')).stat(absolute);
  } catch {
    throw new UsageError(`no such file or directory: ${given}`);
  }
  const isFolder = stats.isDirectory();
  const resolved = (target: AuditTarget): ResolvedTarget => ({ target, path: absolute, given, isFolder });
  if (forced === 'files') return resolved('files');
  if (!isFolder) {
    const isArchive = stats.isFile() && looksLikeTar(await head(absolute));
    if (forced === undefined) return resolved(isArchive ? 'image' : 'files');
    if (forced === 'image') {
      if (!isArchive) throw new UsageError(`--target image: ${given} is not a tar archive`, { hint: 'give an archive written by docker save or skopeo copy ... oci-archive:FILE, or an OCI image layout folder' });
      return resolved('image');
    }
    throw new UsageError(`--target ${forced}: ${given} is not a folder`);
  }
  const has = (name: string): Promise<boolean> => exists(path.join(absolute, name));
  const isLayout = (await has('oci-layout')) && (await has('index.json'));
  if (forced === 'image') {
    if (!isLayout) throw new UsageError(`--target image: ${given} is not an OCI image layout (no oci-layout and index.json)`);
    return resolved('image');
  }
  if (forced !== undefined) return resolved(forced);
  if (isLayout) return resolved('image');
  if ((await has('etc/os-release')) || (await has('usr/lib/os-release'))) return resolved('rootfs');
  const base = path.basename(absolute);
  if ((await has('pyvenv.cfg')) || base === 'site-packages' || base === 'dist-packages') return resolved('python-env');
  if (base === 'node_modules') return resolved('node-modules');
  return resolved('files');
}
