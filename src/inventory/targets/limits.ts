// Bounds on reading a container image: a hostile archive (a gzip bomb layer, millions of empty
// entries, a path a megabyte long) is an input error naming the image, never a hang or an
// out-of-memory crash. Only the files vigil reads are held in memory, so these bound metadata.

import { MAX_DEPENDENCY_FILE_BYTES } from '../../core/input-limits.js';

const MiB = 1024 * 1024;

/** Most entries, over all layers and the archive itself: 2,000,000 (a large real image has ~100,000). */
export const MAX_IMAGE_ENTRIES = 2_000_000;

/** Most layers in one image: 1,000 (Docker itself stops at 127). */
export const MAX_IMAGE_LAYERS = 1000;

/** Most bytes of layer content read once decompressed, all layers together: 64 GiB. */
export const MAX_IMAGE_UNPACKED_BYTES = 64 * 1024 * MiB;

/**
 * Most bytes kept in memory: the files to be parsed (dpkg status, METADATA, package.json...),
 * the manifests, every symbolic link's path and target, and the whiteouts: 512 MiB.
 */
export const MAX_IMAGE_KEPT_BYTES = 512 * MiB;

/** Largest manifest, index or configuration JSON of an image: 4 MiB. */
export const MAX_IMAGE_JSON_BYTES = 4 * MiB;

/** Longest path of an entry, or target of a link: 4,096 bytes (PATH_MAX). */
export const MAX_IMAGE_PATH_LENGTH = 4096;

/** Deepest nesting of image indexes in an OCI layout (index -> index -> manifest): 4 (a real one has 1 or 2). */
export const MAX_IMAGE_INDEX_NESTING = 4;

/** The bounds on reading one image, together (tests pass smaller ones to reach each one quickly). */
export interface ImageLimits {
  /** MAX_IMAGE_ENTRIES. */
  readonly entries: number;
  /** MAX_IMAGE_LAYERS. */
  readonly layers: number;
  /** MAX_IMAGE_UNPACKED_BYTES. */
  readonly unpackedBytes: number;
  /** MAX_IMAGE_KEPT_BYTES. */
  readonly keptBytes: number;
  /** MAX_IMAGE_JSON_BYTES. */
  readonly jsonBytes: number;
  /** MAX_IMAGE_PATH_LENGTH. */
  readonly pathLength: number;
  /** Largest file kept to be parsed: a dependency file's limit (MAX_DEPENDENCY_FILE_BYTES). */
  readonly fileBytes: number;
  /** MAX_IMAGE_INDEX_NESTING. */
  readonly indexNesting: number;
}

export const IMAGE_LIMITS: ImageLimits = {
  entries: MAX_IMAGE_ENTRIES,
  layers: MAX_IMAGE_LAYERS,
  unpackedBytes: MAX_IMAGE_UNPACKED_BYTES,
  keptBytes: MAX_IMAGE_KEPT_BYTES,
  jsonBytes: MAX_IMAGE_JSON_BYTES,
  pathLength: MAX_IMAGE_PATH_LENGTH,
  fileBytes: MAX_DEPENDENCY_FILE_BYTES,
  indexNesting: MAX_IMAGE_INDEX_NESTING,
};
