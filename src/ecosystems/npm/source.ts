// Where an npm dependency comes from, judged from the specifier or resolved URL a lockfile records.
// Only registry packages have a version advisories can be matched against; the rest are skipped
// with a reason (https://docs.npmjs.com/cli/v10/configuring-npm/package-json#dependencies).

/** Where a locked package was fetched from. */
export type NpmSourceKind = 'registry' | 'git' | 'file' | 'link' | 'url' | 'workspace' | 'other';

export interface NpmSource {
  readonly kind: NpmSourceKind;
  /** The protocol as written (`portal`, `exec`, ...) when kind is `other`. */
  readonly protocol?: string;
}

const GIT_PREFIXES = ['git+', 'git:', 'git@', 'github:', 'gitlab:', 'bitbucket:', 'gist:', 'ssh:', 'ssh+git:'];

/**
 * Classifies a specifier as package.json, yarn.lock keys or npm v1 `version` fields write it:
 * `^1.2.3`, `npm:real@1.2.3`, `file:../x`, `github:user/repo#sha`, `user/repo`, `https://...tgz`.
 */
export function classifySpecifier(specifier: string): NpmSource {
  const spec = specifier.trim();
  if (spec.startsWith('npm:')) return { kind: 'registry' };
  if (spec.startsWith('file:')) return { kind: 'file' };
  if (spec.startsWith('link:')) return { kind: 'link' };
  if (spec.startsWith('workspace:')) return { kind: 'workspace' };
  if (GIT_PREFIXES.some((prefix) => spec.startsWith(prefix))) return { kind: 'git' };
  if (/^https?:\/\//.test(spec)) return isGitUrl(spec) ? { kind: 'git' } : { kind: 'url' };
  const protocol = /^([a-z][a-z0-9+.-]*):/.exec(spec);
  if (protocol?.[1]) return { kind: 'other', protocol: protocol[1] };
  // `user/repo` and `user/repo#ref` are GitHub shorthands; a scope never appears in a range.
  if (/^[^@./\s][^/\s]*\/[^/\s]+$/.test(spec.replace(/#.*$/, ''))) return { kind: 'git' };
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('~/')) return { kind: 'file' };
  return { kind: 'registry' };
}

/**
 * Classifies a `resolved` URL: a registry tarball has the `/<name>/-/<file>.tgz` shape every npm
 * registry serves (public, mirrors, Artifactory, GitHub Packages); anything else is git, a local
 * file or a plain remote tarball.
 */
export function classifyResolved(resolved: string): NpmSource {
  if (/^https?:\/\//.test(resolved)) {
    // Checked first: registry URLs carry a `#<sha1>` integrity suffix in yarn.lock v1.
    if (/\/-\/(?:@[^/]+\/)?[^/]+\.tgz(?:[?#]|$)/.test(resolved)) return { kind: 'registry' };
    return isGitUrl(resolved) ? { kind: 'git' } : { kind: 'url' };
  }
  return classifySpecifier(resolved);
}

/** The reason shown for a skipped entry from a source that is not a registry. */
export function describeSource(source: NpmSource): string {
  switch (source.kind) {
    case 'git':
      return 'git dependency: no registry version to match';
    case 'file':
      return 'local file dependency (file:), not from a registry';
    case 'link':
      return 'linked local directory (link:), not a registry package';
    case 'url':
      return 'remote tarball URL, not from a registry';
    case 'workspace':
      return 'workspace package, part of the project';
    case 'other':
      return `${source.protocol ?? 'unknown'}: dependency, not from a registry`;
    case 'registry':
      return 'registry package';
  }
}

function isGitUrl(url: string): boolean {
  // `.git` URLs, git hosts (their archive URLs are commits too), and `#<commit>` pins.
  return (
    /\.git(?:#|$)/.test(url) ||
    /^https?:\/\/(?:[^/@]*@)?(?:codeload\.github\.com|github\.com|gitlab\.com|bitbucket\.org)\//.test(url) ||
    /#(?:commit[=:])?[0-9a-f]{7,40}$/.test(url)
  );
}

/** Splits `name@range` (the name may be scoped: `@scope/name@range`). */
export function splitDescriptor(descriptor: string): { name: string; range: string } {
  const at = descriptor.indexOf('@', 1);
  if (at < 0) return { name: descriptor, range: '' };
  return { name: descriptor.slice(0, at), range: descriptor.slice(at + 1) };
}

/** The real package behind an `npm:real@range` alias specifier, if it is one. */
export function parseNpmAlias(specifier: string): { name: string; range: string } | undefined {
  if (!specifier.startsWith('npm:')) return undefined;
  const target = specifier.slice('npm:'.length);
  // `npm:^1.2.3` and `npm:latest` (Berry's explicit protocol) name no other package.
  if (target.indexOf('@', 1) < 0) return undefined;
  return splitDescriptor(target);
}
