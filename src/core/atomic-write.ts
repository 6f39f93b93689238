import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { lstat, open, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeSystemError, OutputError } from './errors.js';

/**
 * Writes a file so readers see the old content or the new, never half: temp file beside it,
 * flushed, then renamed over it (keeping an existing file's mode). A device, FIFO or socket
 * (`/dev/stdout`, `/dev/null`) is written in place: renaming over it would replace it.
 * @throws OutputError naming `target` (never the temp file) when it cannot be written; the temp
 *   file is removed.
 */
export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<void> {
  const existing = await lstat(target).catch(() => undefined);
  // Write through a symlink to its target rather than replace the link with a file.
  const file = existing?.isSymbolicLink() ? await realpath(target).catch(() => target) : target;
  const current = file === target ? existing : await stat(file).catch(() => undefined);
  if (current?.isDirectory()) {
    throw new OutputError('cannot write: is a folder (EISDIR)', { location: { file: target } });
  }
  if (current !== undefined && !current.isFile()) {
    try {
      await writeFile(file, content);
    } catch (error) {
      throw writeError(target, error);
    }
    return;
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(content);
      // Replacing a file keeps its permissions (a 0600 file stays private).
      if (current !== undefined) await handle.chmod(current.mode & 0o7777);
      // A full disk may only show at flush time (NFS, some FUSE file systems).
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw writeError(target, error);
  }
}

function writeError(target: string, error: unknown): OutputError {
  const code = (error as NodeJS.ErrnoException).code;
  const dir = path.dirname(target);
  const reason =
    code === 'ENOENT' ? `folder ${dir} does not exist (ENOENT)` : code === 'ENOTDIR' ? `${dir} is not a folder (ENOTDIR)` : describeSystemError(error);
  return new OutputError(`cannot write: ${reason}`, { location: { file: target }, cause: error });
}

/**
 * Throws the OutputError a write to `target` would end in when its folder is missing or is not a
 * folder, so a command can refuse before doing its work rather than after.
 */
export function checkOutputFolder(target: string): void {
  const dir = path.dirname(path.resolve(target));
  let isFolder: boolean;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch (error) {
    throw writeError(target, error);
  }
  if (!isFolder) throw writeError(target, Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }));
}
