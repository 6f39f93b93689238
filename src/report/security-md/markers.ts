/** Start of the section vigil owns in SECURITY.md; everything outside the markers is left alone. */
export const SECURITY_MD_START = '<!-- vigil:dependency-security:start -->';
/** End of the section vigil owns in SECURITY.md. */
export const SECURITY_MD_END = '<!-- vigil:dependency-security:end -->';
/** Heading written above the section when the file has no markers yet. */
export const SECURITY_MD_HEADING = '## Dependency security';
