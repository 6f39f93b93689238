// Reading one tar of an image, the archive itself or one of its layers, and the one error for a
// tar vigil cannot or will not read: broken, too big, or with a bad entry. Either is an input
// error (exit 2), one line naming the image and, for a layer, which one:
// `image.tar: layer 2 (sha256:...) has a path longer than 4096 bytes`.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Header } from 'tar-stream';
import { LockfileParseError, VigilError } from '../../core/errors.js';

/** Where in an image a tar is. */
export interface TarPlace {
  /** The image as given on the command line. */
  readonly image: string;
  /** The tar within it (`layer 2 (sha256:...)`, `the archive`), the subject of the messages. */
  readonly part: string;
}

/** The error of a tar of an image; `problem` and `hint` are kept to name another place (see `at`). */
export class TarError extends LockfileParseError {
  constructor(
    readonly place: TarPlace,
    /** What is wrong, as a predicate of the place: `is not readable as a tar archive (...)`. */
    readonly problem: string,
    hint?: string,
    cause?: unknown,
  ) {
    super(`${place.part} ${problem}`, { location: { file: place.image }, ...(hint === undefined ? {} : { hint }), ...(cause === undefined ? {} : { cause }) });
    this.name = 'TarError';
  }

  /** The same problem told of another place (a blob read before the manifest said which layer it is). */
  at(place: TarPlace): TarError {
    return new TarError(place, this.problem, this.hint, this.cause);
  }
}

/** The one way to say a tar of an image is broken, too big or has a bad entry. */
export function tarError(place: TarPlace, problem: string, hint?: string, cause?: unknown): TarError {
  return new TarError(place, problem, hint, cause);
}

const DAMAGED_HINT = 'the image is truncated or damaged; export it again';
const GZIP_MAGIC = [0x1f, 0x8b];
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/** Whether the bytes start with the magic number. */
export function startsWithMagic(bytes: Buffer, magic: readonly number[]): boolean {
  return magic.every((byte, index) => bytes[index] === byte);
}

/** Whether the bytes start a gzip stream. */
export function isGzip(bytes: Buffer): boolean {
  return startsWithMagic(bytes, GZIP_MAGIC);
}

/** Whether the bytes start a zstd frame. */
export function isZstd(bytes: Buffer): boolean {
  return startsWithMagic(bytes, ZSTD_MAGIC);
}

/**
 * The stream's bytes, gunzipped when they start with gzip's magic number (layers of OCI images
 * are `tar+gzip`, those of `docker save` plain tar, an archive may be gzipped whole): judged from
 * the content, not the media type or the name. zstd (`tar+zstd`) is refused: Node 20's zlib has
 * no zstd.
 */
export async function* inflate(source: AsyncIterable<Buffer>, place: TarPlace): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return;
  const head: Buffer = first.value;
  if (isZstd(head)) {
    throw tarError(place, 'is compressed with zstd, which vigil cannot read', 'convert the image to gzip layers, e.g. skopeo copy --dest-compress-format gzip, or export it with docker save');
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  }
  if (!isGzip(head)) {
    yield* rest();
    return;
  }
  const { Readable } = await import('node:stream');
  const gunzip = createGunzip();
  const piping = pipeline(Readable.from(rest()), gunzip).catch((error: unknown) => {
    gunzip.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    if (error instanceof VigilError) throw error;
    throw tarError(place, `is not valid gzip data (${describe(error)})`, DAMAGED_HINT, error);
  } finally {
    await piping;
  }
}

/** One entry of a tar: its header, and its content to read or skip (`resume()`). */
export interface TarEntry extends AsyncIterable<Buffer> {
  readonly header: Header;
  resume(): unknown;
}

/**
 * Walks the tar entry by entry as it arrives (never to disk), handing each to `onEntry`, which
 * reads its content or skips it. A vigil error thrown on the way (a limit) is passed on as it is;
 * any other failure (not tar, truncated) is one TarError naming the place.
 */
export async function walkTar(source: AsyncIterable<Buffer> | Readable, place: TarPlace, onEntry: (entry: TarEntry) => Promise<void>): Promise<void> {
  const [{ extract }, { Readable }] = await Promise.all([import('tar-stream'), import('node:stream')]);
  const tar = extract();
  // A file stream is piped as it is (the archive's bytes, the most of them): no extra hop a chunk.
  const input: Readable = source instanceof Readable ? source : Readable.from(source);
  let failure: unknown;
  const piping = pipeline(input, tar).catch((error: unknown) => {
    failure ??= error;
  });
  try {
    for await (const entry of tar) await onEntry(entry as TarEntry);
  } catch (error) {
    tar.destroy();
    await piping;
    if (error instanceof VigilError) throw error;
    failure ??= error;
  }
  await piping;
  if (failure === undefined) return;
  if (failure instanceof VigilError) throw failure;
  throw tarError(place, `is not readable as a tar archive (${describe(failure)})`, DAMAGED_HINT, failure);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0] ?? '' : 'unknown error';
}
