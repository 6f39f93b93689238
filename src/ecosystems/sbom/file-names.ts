// How SBOM files are recognised, kept apart from the parsers so the registry can tell a file's
// format without loading them.

/**
 * Names used for SBOMs of either format (`sbom.json`, `sbom-prod.json`, `app.sbom.json`); the
 * format parsers' `sniff` tells CycloneDX from SPDX.
 */
export function isGenericSbomFileName(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return lower.endsWith('.json') && (lower.startsWith('sbom') || lower.endsWith('.sbom.json'));
}

/**
 * Whether a file name is one CycloneDX JSON BOMs are written under: the names the specification
 * recognises (`bom.json`, `*.cdx.json`, https://cyclonedx.org/specification/overview/#recognized-file-patterns),
 * the variants tools write (`bom.1.4.json`, `app.bom.json`), and the generic SBOM names
 * (`sbom*.json`, `*.sbom.json`) shared with SPDX. Content decides through `sniff`.
 */
export function matchesCycloneDxFileName(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  if (!lower.endsWith('.json')) return false;
  return (
    lower === 'bom.json' ||
    lower.endsWith('.cdx.json') ||
    lower.startsWith('bom.') ||
    lower.endsWith('.bom.json') ||
    isGenericSbomFileName(lower)
  );
}

/**
 * Whether a text is a CycloneDX JSON BOM, of any version: an unsupported version must reach
 * `parse` and fail loudly rather than be passed over as "not an SBOM".
 */
export function sniffCycloneDxJson(text: string): boolean {
  return /"bomFormat"\s*:\s*"CycloneDX"/.test(text);
}

/** Whether a file name is one SPDX JSON documents are written under (`*.spdx.json`, or a generic SBOM name). */
export function matchesSpdxFileName(fileName: string): boolean {
  return fileName.toLowerCase().endsWith('.spdx.json') || isGenericSbomFileName(fileName);
}

/**
 * Whether a text is an SPDX JSON document, of any 2.x version: an unsupported version must reach
 * `parse` and fail loudly rather than be passed over as "not an SBOM".
 */
export function sniffSpdxJson(text: string): boolean {
  return /"spdxVersion"\s*:\s*"SPDX-/.test(text);
}
