import { lazyParser } from '../lazy-parser.js';
import type { LockfileParser } from '../types.js';
import { matchesCycloneDxFileName, matchesSpdxFileName, sniffCycloneDxJson, sniffSpdxJson } from './file-names.js';

/** CycloneDX JSON BOMs (1.2-1.6), yielding their npm and PyPI components. */
export const cycloneDxJsonParser: LockfileParser = lazyParser(
  { id: 'cyclonedx-json', ecosystems: ['npm', 'PyPI'], matchesFileName: matchesCycloneDxFileName, sniff: sniffCycloneDxJson },
  async () => {
    const { parseCycloneDxJson } = await import('./cyclonedx-json.js');
    return (file) => Promise.resolve(parseCycloneDxJson(file));
  },
);

/** SPDX 2.2/2.3 JSON documents, yielding their npm and PyPI packages. */
export const spdxJsonParser: LockfileParser = lazyParser(
  { id: 'spdx-json', ecosystems: ['npm', 'PyPI'], matchesFileName: matchesSpdxFileName, sniff: sniffSpdxJson },
  async () => {
    const { parseSpdxJson } = await import('./spdx-json.js');
    return (file) => Promise.resolve(parseSpdxJson(file));
  },
);

/**
 * The SBOM parsers. Their file names overlap (`sbom.json` may be either format), so the inventory
 * must call `sniff` before `parse`.
 */
export const sbomParsers: readonly LockfileParser[] = [cycloneDxJsonParser, spdxJsonParser];
