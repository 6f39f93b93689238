import type { OsvRecord } from '../advisories/osv.js';

/** The id prefix of the OpenSSF malicious-packages records (https://github.com/ossf/malicious-packages). */
export const MALICIOUS_ID_PREFIX = 'MAL-';

/**
 * Whether an OSV record reports a malicious package rather than a flaw: its id or one of its
 * aliases starts with `MAL-`, or its `database_specific` carries `malicious-packages-origins`
 * (the origins list the OpenSSF malicious-packages repository writes into every record it
 * publishes, also under other ids). A GHSA malware advisory is malicious through its `MAL-` alias.
 */
export function isMaliciousRecord(record: Pick<OsvRecord, 'id' | 'aliases' | 'database_specific'>): boolean {
  if (record.id.startsWith(MALICIOUS_ID_PREFIX)) return true;
  if ((record.aliases ?? []).some((alias) => alias.startsWith(MALICIOUS_ID_PREFIX))) return true;
  const specific = record.database_specific;
  return specific !== null && specific !== undefined && Object.hasOwn(specific, 'malicious-packages-origins');
}
