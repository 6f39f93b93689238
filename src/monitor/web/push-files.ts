import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_DEPENDENCY_FILE_BYTES, tooLargeMessage } from '../../core/input-limits.js';
import type { TypedFile } from '../../inventory/build-inventory.js';
import type { PushInput } from '../push.js';
import { ApiRequestError } from '../../web/api/api-errors.js';
import type { PushRequest } from './monitor-api-schemas.js';

/** One part of a file name: no separators, no `.` or `..`, nothing a shell or a log could misread. */
const NAME_PART = /^[A-Za-z0-9._+@-]{1,128}$/;

/** Deepest folder nesting of a pushed file. */
const MAX_DEPTH = 16;

/**
 * The file's parts when its name is safe to write below a folder: relative, `/` separators, each
 * part letters, digits and `. _ + @ -`, never `.` or `..`.
 */
export function safeNameParts(name: string): string[] | undefined {
  const parts = name.split('/');
  if (parts.length > MAX_DEPTH) return undefined;
  for (const part of parts) {
    if (!NAME_PART.test(part) || part === '.' || part === '..') return undefined;
  }
  return parts;
}

/** Pushed files written to a fresh folder, as the input of `pushRef`; `dispose` removes the folder. */
export interface WrittenPush {
  readonly input: PushInput;
  dispose(): Promise<void>;
}

/**
 * Writes the files of a push below a fresh temporary folder under their (checked) names, and
 * gives the push input: files with a format are read as that format, the others by their name,
 * related files only when another points at them. Names are checked before anything is written.
 * @throws ApiRequestError 400 for an unsafe or repeated name, a file above the dependency file
 *   size limit, or a file that is a folder of another.
 */
export async function writePushFiles(files: PushRequest['files']): Promise<WrittenPush> {
  const checked = files.map((file, index) => {
    const parts = safeNameParts(file.name);
    const field = `body.files.${index}.name`;
    if (parts === undefined) {
      throw new ApiRequestError(400, 'invalid-request', `${field}: not a safe relative file name (parts of letters, digits and . _ + @ -, no "." or "..", at most ${MAX_DEPTH} deep)`, { field });
    }
    const content = file.base64 === undefined ? Buffer.from(file.text ?? '', 'utf8') : Buffer.from(file.base64, 'base64');
    if (content.length > MAX_DEPENDENCY_FILE_BYTES) {
      throw new ApiRequestError(413, 'payload-too-large', `${parts.join('/')}: the file is ${tooLargeMessage(MAX_DEPENDENCY_FILE_BYTES, 'a dependency file')}`);
    }
    return { ...file, relative: parts.join('/'), content };
  });
  const seen = new Set<string>();
  for (const file of checked) {
    // Case-folded: two names one file system would take for the same file are refused everywhere.
    const key = file.relative.toLowerCase();
    if (seen.has(key)) throw new ApiRequestError(400, 'invalid-request', `body.files: "${file.relative}" is given twice`, { field: 'body.files' });
    seen.add(key);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-monitor-push-'));
  const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    for (const file of checked) {
      const target = path.join(dir, ...file.relative.split('/'));
      await mkdir(path.dirname(target), { recursive: true });
      // `wx`: never through a file or link that is there already.
      await writeFile(target, file.content, { flag: 'wx', mode: 0o600 });
    }
  } catch (error) {
    await dispose();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') {
      throw new ApiRequestError(400, 'invalid-request', 'body.files: one file name is the folder of another', { field: 'body.files' });
    }
    throw error;
  }
  const audited = checked.filter((file) => file.related !== true);
  const typedFiles: TypedFile[] = audited.filter((file) => file.format !== undefined).map((file) => ({ format: file.format ?? '', path: path.join(dir, ...file.relative.split('/')) }));
  const paths = audited.filter((file) => file.format === undefined).map((file) => path.join(dir, ...file.relative.split('/')));
  return { input: { paths, root: dir, typedFiles }, dispose };
}
