import type { LockfileParser } from '../types.js';
import { cycloneDxJsonParser } from './cyclonedx-json.js';
import { spdxJsonParser } from './spdx-json.js';

/**
 * The SBOM parsers. Their file names overlap (`sbom.json` may be either format), so the inventory
 * must call `sniff` before `parse`.
 */
export const sbomParsers: readonly LockfileParser[] = [cycloneDxJsonParser, spdxJsonParser];
