import { ConfigError } from '../../core/errors.js';
import type { SecurityTxtFields } from '../config/desk-config.js';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** Where the desk is reachable, for the fields that default to its own pages. */
export interface SecurityTxtContext {
  /** The desk's public base URL (`https://desk.example.org`), when known. */
  readonly publicUrl?: string;
}

/**
 * `/.well-known/security.txt` per RFC 9116: one `Field: value` per line, CRLF-free UTF-8, Contact
 * first (the RFC's only required fields are Contact and Expires). `Policy` defaults to the desk's
 * own policy page and `Canonical` to this file's URL, when the public URL is known.
 */
export function renderSecurityTxt(fields: SecurityTxtFields, context: SecurityTxtContext = {}): string {
  const base = context.publicUrl?.replace(/\/+$/, '');
  const lines: string[] = [];
  for (const contact of fields.contact) lines.push(`Contact: ${contact}`);
  // RFC 9116 section 2.5.5: the Internet profile of ISO 8601 (RFC 3339).
  lines.push(`Expires: ${new Date(fields.expires).toISOString()}`);
  if (fields.encryption !== undefined) lines.push(`Encryption: ${fields.encryption}`);
  if (fields.acknowledgments !== undefined) lines.push(`Acknowledgments: ${fields.acknowledgments}`);
  const policy = fields.policy ?? (base === undefined ? undefined : `${base}/`);
  if (policy !== undefined) lines.push(`Policy: ${policy}`);
  if (fields.preferredLanguages !== undefined && fields.preferredLanguages.length > 0) {
    lines.push(`Preferred-Languages: ${fields.preferredLanguages.join(', ')}`);
  }
  const canonical = fields.canonical ?? (base?.startsWith('https://') ? `${base}/.well-known/security.txt` : undefined);
  if (canonical !== undefined) lines.push(`Canonical: ${canonical}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Checks the Expires field at start-up. An expiry in the past is an error: RFC 9116 section 2.5.5
 * says such a file must be considered stale, so serving it tells researchers the contact is not
 * maintained; the fix is a one-line change of `project.security_txt.expires`. More than a year
 * ahead is only a warning (the RFC's "SHOULD be less than a year"). Returns the warnings.
 * @throws ConfigError when the file has expired.
 */
export function checkSecurityTxtExpiry(fields: SecurityTxtFields, now: Date): string[] {
  const expires = new Date(fields.expires);
  if (expires.getTime() <= now.getTime()) {
    throw new ConfigError(`security.txt expired on ${expires.toISOString()}`, {
      hint: 'set project.security_txt.expires in desk.yaml to a date less than a year ahead (RFC 9116 section 2.5.5)',
    });
  }
  if (expires.getTime() - now.getTime() > YEAR_MS) {
    return [
      `security.txt expires on ${expires.toISOString()}, more than a year ahead; RFC 9116 recommends less, so that a stale file is noticed`,
    ];
  }
  return [];
}
