// Bounds on reading a container image: a hostile archive (a gzip bomb layer, millions of empty
// entries, a path a megabyte long) is an input error naming the image, never a hang or an
// out-of-memory crash. Only the files vigil reads are held in memory, so these bound metadata.

const MiB = 1024 * 1024;

/** Most entries, over all layers and the archive itself: 2,000,000 (a large real image has ~100,000). */
export const MAX_IMAGE_ENTRIES = 2_000_000;

/** Most layers in one image: 1,000 (Docker itself stops at 127). */
export const MAX_IMAGE_LAYERS = 1000;

/** Most bytes of layer content read once decompressed, all layers together: 64 GiB. */
export const MAX_IMAGE_UNPACKED_BYTES = 64 * 1024 * MiB;

/** Most bytes of the files kept in memory to be parsed (dpkg status, METADATA, package.json...): 512 MiB. */
export const MAX_IMAGE_KEPT_BYTES = 512 * MiB;

/** Largest manifest, index or configuration JSON of an image: 4 MiB. */
export const MAX_IMAGE_JSON_BYTES = 4 * MiB;

/** Longest path of an entry: 4,096 bytes (PATH_MAX). */
export const MAX_IMAGE_PATH_LENGTH = 4096;
