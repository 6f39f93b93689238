import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { LockfileParseError } from '../../core/errors.js';
import type { AuditedImage } from '../../core/types.js';
import { formatByteSize } from '../../core/input-limits.js';
import { readFileWithin } from '../../core/read-bounded.js';
import { countEntry, countKept, newBudget, readLayer, type LayerChanges } from './layers.js';
import { IMAGE_LIMITS, type ImageLimits } from './limits.js';
import { mergeLayers, type ImageLayer } from './merged-layers.js';
import { head, looksLikeTar } from './detect.js';
import { parseReference, shownReferences } from './image-reference.js';
import type { FileTree } from './file-tree.js';
import { inflate, isGzip, isZstd, TarError, tarError, walkTar, type TarPlace } from './read-tar.js';

/** An input error about the image as a whole (its manifest, index or configuration): one line naming it (exit 2). */
function imageError(label: string, message: string, hint?: string): LockfileParseError {
  return new LockfileParseError(message, { location: { file: label }, ...(hint === undefined ? {} : { hint }) });
}

/** A layer as messages name it. */
function layerPlace(label: string, index: number, digest?: string): TarPlace {
  return { image: label, part: digest === undefined ? `layer ${index + 1}` : `layer ${index + 1} (${digest})` };
}

/** A layer of the image's manifest: where its blob is, and the digest reports name it by. */
interface LayerRef {
  /** Path of the blob in the archive or layout (`<id>/layer.tar`, `blobs/sha256/<hex>`). */
  readonly blob: string;
  readonly digest: string;
  /** What `digest` is the digest of: the blob as stored (OCI), or the uncompressed tar (a diff id). */
  readonly of: 'stored' | 'uncompressed';
}

/** Reads a JSON document of the image (manifest, index, configuration) by its path; `undefined` when absent. */
type JsonReader = (relativePath: string) => Promise<unknown>;

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function blobPath(digest: unknown, label: string): string {
  const match = typeof digest === 'string' ? /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/.exec(digest) : null;
  if (!match) throw imageError(label, `invalid digest ${JSON.stringify(digest)} in the image's manifest`);
  return `blobs/${match[1] ?? ''}/${match[2] ?? ''}`;
}

/** What identifies the image, as its manifest or index records it (AuditedImage without path and layers). */
export type ImageIdentity = Omit<AuditedImage, 'path' | 'layers'>;

/** The image's layers and what identifies it. */
export interface ImageManifest {
  readonly layers: LayerRef[];
  readonly identity: ImageIdentity;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * The identity from the names the image records: the first that parses gives repository and tag;
 * all are kept as shown text.
 */
function identityOf(format: ImageIdentity['format'], names: readonly { readonly text: string; readonly tagAlone: boolean }[], digest: ImageIdentity['digest'], digestOf: ImageIdentity['digestOf']): ImageIdentity {
  let repository: string | undefined;
  let tag: string | undefined;
  for (const name of names) {
    const parsed = parseReference(name.text, name.tagAlone);
    if (parsed === undefined) continue;
    // A tag alone (an OCI ref.name) completes a repository from another name, never replaces one.
    if (repository === undefined && parsed.repository !== undefined) {
      repository = parsed.repository;
      tag = parsed.tag ?? tag;
    } else if (tag === undefined) tag = parsed.tag;
    if (repository !== undefined && tag !== undefined) break;
  }
  return {
    format,
    references: shownReferences(names.map((name) => name.text)),
    ...(repository === undefined ? {} : { repository }),
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest, digestOf }),
  };
}

const SHA256_HEX = /^[a-f0-9]{64}$/;

/**
 * docker save's image id: the digest of its configuration, the name of the configuration file
 * (`blobs/sha256/<hex>` since Docker 25, `<hex>.json` before).
 */
function imageId(config: unknown): string | undefined {
  if (typeof config !== 'string') return undefined;
  const hex = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(config)?.[1] ?? /^([a-f0-9]{64})\.json$/.exec(config)?.[1];
  return hex !== undefined && SHA256_HEX.test(hex) ? `sha256:${hex}` : undefined;
}

/**
 * The layers of the one image a `docker save` archive (`manifest.json`, https://github.com/moby/moby/blob/master/image/spec/v1.2.md)
 * or an OCI image layout (`index.json`, https://github.com/opencontainers/image-spec/blob/main/image-layout.md)
 * holds, bottom first. An archive or layout of several images is refused: which one to audit
 * would be a guess.
 */
export async function imageLayers(label: string, readJson: JsonReader, limits: ImageLimits = IMAGE_LIMITS): Promise<LayerRef[]> {
  return (await readImageManifest(label, readJson, limits)).layers;
}

/** The layers of the image (as `imageLayers`) and what identifies it: its names and digest. */
export async function readImageManifest(label: string, readJson: JsonReader, limits: ImageLimits = IMAGE_LIMITS): Promise<ImageManifest> {
  const manifest = await readJson('manifest.json');
  if (manifest !== undefined) {
    if (!Array.isArray(manifest) || manifest.length === 0 || !manifest.every(isRecord)) throw imageError(label, 'manifest.json is not a docker save manifest (an array of images)');
    if (manifest.length > 1) {
      const tags = shownReferences(manifest.flatMap((entry) => strings(entry['RepoTags'])));
      throw imageError(label, `the archive holds ${manifest.length} images${tags.length > 0 ? ` (${tags.join(', ')})` : ''}; vigil audits one image per archive`, 'save one image per archive: docker save IMAGE -o FILE');
    }
    const entry = manifest[0] ?? {};
    const layers = entry['Layers'];
    if (!Array.isArray(layers) || !layers.every((layer) => typeof layer === 'string')) throw imageError(label, 'manifest.json has no Layers list');
    const config = typeof entry['Config'] === 'string' ? await readJson(entry['Config']) : undefined;
    const rootfs = isRecord(config) && isRecord(config['rootfs']) ? config['rootfs'] : {};
    const diffIds: readonly unknown[] = Array.isArray(rootfs['diff_ids']) && rootfs['diff_ids'].length === layers.length ? rootfs['diff_ids'] : [];
    const refs = checkCount(label, limits, layers.map((blob, index) => {
      const diffId = diffIds[index];
      const fromPath = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(blob);
      if (typeof diffId === 'string') return { blob, digest: diffId, of: 'uncompressed' as const };
      return { blob, digest: fromPath ? `${fromPath[1] ?? ''}:${fromPath[2] ?? ''}` : blob, of: 'stored' as const };
    }));
    const names = strings(entry['RepoTags']).map((text) => ({ text, tagAlone: false }));
    return { layers: refs, identity: identityOf('docker-save', names, imageId(entry['Config']), 'config') };
  }
  let index = await readJson('index.json');
  if (index === undefined) {
    throw imageError(label, 'not a container image: it has neither manifest.json (docker save) nor index.json (OCI image layout)', 'give an archive written by docker save or skopeo, or an OCI image layout folder; --target files reads it as an ordinary file');
  }
  // The names are those of the descriptor in the layout's own index.json (annotations,
  // https://github.com/opencontainers/image-spec/blob/main/annotations.md); the digest is that of
  // the image manifest finally read (one platform's, below a nested index).
  let names: { readonly text: string; readonly tagAlone: boolean }[] | undefined;
  for (let depth = 0; ; depth++) {
    if (depth > limits.indexNesting) {
      throw imageError(label, `index.json nests image indexes more than ${limits.indexNesting} deep, the limit`, 'a real image has one index, or an index of per-platform manifests');
    }
    // BuildKit lists each image's build attestations beside it (platform unknown/unknown): not images.
    const manifests = isRecord(index) && Array.isArray(index['manifests']) ? index['manifests'].filter(isRecord).filter((descriptor) => !isAttestation(descriptor)) : [];
    if (manifests.length !== 1) {
      const platforms = manifests.map((descriptor) => (isRecord(descriptor['platform']) ? `${String(descriptor['platform']['os'])}/${String(descriptor['platform']['architecture'])}` : String(descriptor['digest'])));
      throw imageError(label, manifests.length === 0 ? 'index.json lists no image' : `index.json lists ${manifests.length} images (${platforms.join(', ')}); vigil audits one image`, 'copy the one image to audit into its own layout, e.g. skopeo copy --override-arch');
    }
    const descriptor = manifests[0] ?? {};
    if (names === undefined) {
      const annotations = isRecord(descriptor['annotations']) ? descriptor['annotations'] : {};
      names = [
        ...strings([annotations['io.containerd.image.name']]).map((text) => ({ text, tagAlone: false })),
        ...strings([annotations['org.opencontainers.image.ref.name']]).map((text) => ({ text, tagAlone: true })),
      ];
    }
    const document = await readJson(blobPath(descriptor['digest'], label));
    if (document === undefined) throw imageError(label, `the image's manifest ${String(descriptor['digest'])} is missing`);
    if (INDEX_TYPES.has(String(descriptor['mediaType'])) || (isRecord(document) && Array.isArray(document['manifests']))) {
      index = document;
      continue;
    }
    const layers = isRecord(document) && Array.isArray(document['layers']) ? document['layers'].filter(isRecord) : undefined;
    if (layers === undefined) throw imageError(label, `the image's manifest ${String(descriptor['digest'])} has no layers list`);
    const refs = checkCount(label, limits, layers.map((layer) => ({ blob: blobPath(layer['digest'], label), digest: String(layer['digest']), of: 'stored' as const })));
    // blobPath has checked the digest's form.
    return { layers: refs, identity: identityOf('oci-layout', names, String(descriptor['digest']), 'manifest') };
  }
}

/**
 * A layer whose bytes do not have the digest the manifest gives is refused: the image was damaged
 * or changed after it was written, and the layer vigil would name is not the one it read
 * (https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests). Only sha256
 * digests are checked.
 */
function checkDigest(label: string, index: number, expected: string, actual: string): void {
  if (!expected.startsWith('sha256:') || expected === actual) return;
  throw tarError(layerPlace(label, index), `does not match its digest ${expected} (its bytes hash to ${actual})`, 'the image is damaged or was changed after it was written; export it again');
}

function isAttestation(descriptor: Record<string, unknown>): boolean {
  const annotations = isRecord(descriptor['annotations']) ? descriptor['annotations'] : {};
  const platform = isRecord(descriptor['platform']) ? descriptor['platform'] : {};
  return annotations['vnd.docker.reference.type'] === 'attestation-manifest' || (platform['os'] === 'unknown' && platform['architecture'] === 'unknown');
}

function checkCount(label: string, limits: ImageLimits, layers: LayerRef[]): LayerRef[] {
  if (layers.length > limits.layers) throw imageError(label, `the image has ${layers.length} layers, more than the limit of ${limits.layers}`);
  return layers;
}

function parseJson(label: string, name: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw imageError(label, `${name} in the image is not valid JSON`, 'the image is truncated or damaged; export it again');
  }
}

/** The merged layers of an image, and what identifies it. */
export type ImageTree = FileTree & { readonly image: AuditedImage };

function withImage(tree: FileTree, label: string, manifest: ImageManifest): ImageTree {
  const image: AuditedImage = { path: label, ...manifest.identity, layers: manifest.layers.map((layer) => layer.digest) };
  return Object.assign(tree, { image });
}

/** An OCI image layout folder: blobs are read from disk, one layer at a time, bottom first. */
export async function readOciLayout(folder: string, label: string, wanted: (relativePath: string) => boolean, limits: ImageLimits = IMAGE_LIMITS): Promise<ImageTree> {
  const readJson: JsonReader = async (relativePath) => {
    const file = path.join(folder, ...relativePath.split('/'));
    let bytes: Buffer | undefined;
    try {
      bytes = await readFileWithin(file, limits.jsonBytes);
    } catch {
      return undefined;
    }
    if (bytes === undefined) throw imageError(label, `${relativePath} is larger than the ${formatByteSize(limits.jsonBytes)} limit for an image manifest`);
    return parseJson(label, relativePath, bytes);
  };
  const manifest = await readImageManifest(label, readJson, limits);
  const refs = manifest.layers;
  const budget = newBudget(label, limits);
  const layers: ImageLayer[] = [];
  for (const [index, ref] of refs.entries()) {
    const file = path.join(folder, ...ref.blob.split('/'));
    const place = layerPlace(label, index, ref.digest);
    try {
      await stat(file);
    } catch {
      throw tarError(place, 'is missing from the layout', 'the layout is incomplete; copy the image again');
    }
    const changes = await readLayer(createReadStream(file), wanted, budget, place);
    if (ref.of === 'stored' || !changes.compressed) checkDigest(label, index, ref.digest, changes.storedDigest);
    layers.push({ digest: ref.digest, changes });
  }
  return withImage(mergeLayers(label, layers), label, manifest);
}

/**
 * An image archive (`docker save`, or an OCI layout in a tar, plain or gzipped), read in one pass:
 * layers are stored in any order, so each is read as it comes, keeping only its wanted files and
 * metadata, and the layers are applied in the manifest's order at the end.
 */
export async function readImageArchive(file: string, label: string, wanted: (relativePath: string) => boolean, limits: ImageLimits = IMAGE_LIMITS): Promise<ImageTree> {
  const budget = newBudget(label, limits);
  const documents = new Map<string, Buffer>();
  const layers = new Map<string, LayerChanges | TarError>();
  const oversized = new Set<string>();
  const archive: TarPlace = { image: label, part: 'the archive' };
  const source = createReadStream(file);
  await walkTar(isGzip(await head(file)) ? inflate(source, archive) : source, archive, async (entry) => {
    countEntry(budget, archive);
    const name = entry.header.name.replace(/^(\.\/)+/, '');
    if (entry.header.type !== 'file' || entry.header.size === 0) {
      entry.resume();
      return;
    }
    const iterator = entry[Symbol.asyncIterator]();
    const first = await iterator.next();
    const firstChunk: Buffer = first.done === true ? Buffer.alloc(0) : first.value;
    const rest = async function* (): AsyncGenerator<Buffer> {
      yield firstChunk;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    };
    const text = firstChunk.subarray(0, 16).toString('latin1').trimStart();
    const isJson = (text.startsWith('{') || text.startsWith('[')) && !looksLikeTar(firstChunk);
    if (isJson && entry.header.size > limits.jsonBytes) {
      // Refused only if it is asked for as the manifest, index or configuration.
      oversized.add(name);
      await drain(rest());
    } else if (isJson) {
      countKept(budget, archive, entry.header.size);
      const chunks: Buffer[] = [];
      for await (const chunk of rest()) chunks.push(chunk);
      documents.set(name, Buffer.concat(chunks));
    } else if (looksLikeTar(firstChunk) || isZstd(firstChunk)) {
      // Which layer the blob is, the manifest (often further on) says; until then it is named by its path.
      try {
        layers.set(name, await readLayer(rest(), wanted, budget, { image: label, part: `layer ${name}` }));
      } catch (error) {
        // A blob no manifest uses may be anything; its error counts only if it is a layer.
        if (budget.exceeded || !(error instanceof TarError)) throw error;
        layers.set(name, error);
        await drain(rest());
      }
    } else {
      await drain(rest());
    }
  });
  const readJson: JsonReader = (relativePath) => {
    const name = relativePath.replace(/^(\.\/)+/, '');
    if (oversized.has(name)) throw imageError(label, `${relativePath} is larger than the ${formatByteSize(limits.jsonBytes)} limit for an image manifest`);
    const bytes = documents.get(name);
    return Promise.resolve(bytes === undefined ? undefined : parseJson(label, relativePath, bytes));
  };
  const manifest = await readImageManifest(label, readJson, limits);
  const refs = manifest.layers;
  const ordered: ImageLayer[] = refs.map((ref, index) => {
    const changes = layers.get(ref.blob);
    if (changes === undefined) throw tarError(layerPlace(label, index, ref.digest), 'is missing from the archive', 'the archive is incomplete; export it again');
    if (changes instanceof TarError) throw changes.at(layerPlace(label, index, ref.digest));
    // A docker save layer is named by its diff id, the digest of the uncompressed tar; an OCI one
    // by the digest of its blob as stored.
    if (ref.of === 'stored' || !changes.compressed) checkDigest(label, index, ref.digest, changes.storedDigest);
    return { digest: ref.digest, changes };
  });
  return withImage(mergeLayers(label, ordered), label, manifest);
}

async function drain(chunks: AsyncIterable<Buffer>): Promise<void> {
  for await (const chunk of chunks) if (chunk.length < 0) break;
}
