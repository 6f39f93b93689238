import type { Directness, EcosystemId, Package, PackageScope, SourceLocation } from '../core/types.js';
import { ecosystems } from './ecosystems.js';

export interface PackageFields {
  readonly ecosystem: EcosystemId;
  readonly name: string;
  readonly version: string;
  readonly location: SourceLocation;
  readonly direct: Directness;
  /** Defaults to `name@version`. */
  readonly key?: string;
  readonly scopes?: readonly PackageScope[];
  readonly dependsOn?: readonly string[];
  /** Defaults to the ecosystem's purl of name and version. */
  readonly purl?: string;
}

/** Builds a Package with the defaults every parser would otherwise repeat. */
export function makePackage(fields: PackageFields): Package {
  return {
    key: fields.key ?? `${fields.name}@${fields.version}`,
    ecosystem: fields.ecosystem,
    name: fields.name,
    version: fields.version,
    purl: fields.purl ?? ecosystems[fields.ecosystem].purl(fields.name, fields.version),
    location: fields.location,
    direct: fields.direct,
    scopes: fields.scopes ?? [],
    dependsOn: fields.dependsOn ?? [],
  };
}

/** 1-based line of each line start, for turning offsets or matched headers into line numbers. */
export function lineOfOffset(text: string): (offset: number) => number {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
