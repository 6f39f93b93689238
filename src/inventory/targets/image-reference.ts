// The names an image records for itself (docker save's RepoTags, an OCI layout's ref.name and
// containerd's image name) are input: shown bounded and visible, and parsed only when they are
// valid references in the grammar of https://github.com/distribution/reference (reference.go).
import { visibleText } from '../../core/visible-text.js';

/** Longest reference kept as written; a longer one is cut (and never parsed). Docker's own limit on a name is 255. */
export const MAX_REFERENCE_LENGTH = 256;
/** Most names kept for one image; more are counted in the last one shown. */
export const MAX_REFERENCES = 16;

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const TAG_ONLY = new RegExp(`^${TAG}$`);

/** A reference as shown: control characters written visibly, cut to the length limit. */
export function shownReference(text: string): string {
  const cut = text.length > MAX_REFERENCE_LENGTH ? `${text.slice(0, MAX_REFERENCE_LENGTH)}... (${text.length} characters)` : text;
  return visibleText(cut);
}

/** The names an image records, bounded in count and length: the list reports show. */
export function shownReferences(texts: readonly string[]): string[] {
  const shown = texts.slice(0, MAX_REFERENCES).map(shownReference);
  if (texts.length > MAX_REFERENCES) shown.push(`... and ${texts.length - MAX_REFERENCES} more`);
  return shown;
}

/**
 * The repository and tag of a reference (`registry.example/team/app:1.2`), or of an OCI
 * `ref.name` that is a tag alone (`1`, as containerd and skopeo write it when the name is kept
 * elsewhere); `undefined` for anything that is no valid reference.
 */
export function parseReference(text: string, tagAlone: boolean): { readonly repository?: string; readonly tag?: string } | undefined {
  if (text.length > MAX_REFERENCE_LENGTH) return undefined;
  if (tagAlone && TAG_ONLY.test(text)) return { tag: text };
  const match = REFERENCE.exec(text);
  const repository = match?.[1];
  if (repository === undefined || repository.length > 255) return undefined;
  const tag = match?.[2];
  return tag === undefined ? { repository } : { repository, tag };
}
