// How reports name an audited container image: its purl and a one-line title. The names come from
// the image (Inventory.images); they are already bounded and visible, and renderers still escape
// them for their own format.
import { createRequire } from 'node:module';
import type { PackageURL } from 'packageurl-js';
import type { AuditedImage } from '../core/types.js';

// Loaded on the first image purl, not with every renderer: the library's load is part of every
// audit's start-up (#15, item 5). It is a CommonJS package, so it can be loaded synchronously.
let packageUrl: typeof PackageURL | undefined;

/**
 * The image's `pkg:oci` purl (https://github.com/package-url/purl-spec, types/oci-definition.json):
 * name the last segment of the repository lowercased, version the manifest digest, qualifiers
 * `repository_url` (the repository as the image names it, registry included when it names one)
 * and `tag`. `undefined` without a repository or without a manifest digest: docker save records
 * only the image id (its configuration's digest), which no registry pulls by, so a purl from it
 * would name an artifact that does not exist.
 */
export function imagePurl(image: AuditedImage): string | undefined {
  if (image.repository === undefined || image.digest === undefined || image.digestOf !== 'manifest') return undefined;
  const name = (image.repository.split('/').at(-1) ?? image.repository).toLowerCase();
  const qualifiers: Record<string, string> = { repository_url: image.repository, ...(image.tag === undefined ? {} : { tag: image.tag }) };
  packageUrl ??= (createRequire(import.meta.url)('packageurl-js') as typeof import('packageurl-js')).PackageURL;
  return new packageUrl('oci', undefined, name, image.digest, qualifiers, undefined).toString();
}

/** `repository:tag`, `(unnamed):tag` for a tag alone, or the first name as written; `undefined` when the image names none. */
export function imageName(image: AuditedImage): string | undefined {
  if (image.repository !== undefined) return image.tag === undefined ? image.repository : `${image.repository}:${image.tag}`;
  if (image.tag !== undefined) return `(unnamed):${image.tag}`;
  return image.references[0];
}
