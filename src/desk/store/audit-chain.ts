import { createHash } from 'node:crypto';

// The audit log is a hash chain: every line carries the SHA-256 of its own fields together with
// the hash of the line before it, and the first line chains from `AUDIT_GENESIS_HASH`. Changing,
// inserting or deleting a line (even with the append-only triggers dropped) breaks the hash of
// that line or of the next one; deleting the newest lines is caught by the chain head, a row
// that records the last line's id and hash and is updated in the same transaction as each append.
// Anyone who can rewrite the whole chain and its head can forge it, so keep the head hash that
// `vigil desk export` prints somewhere else: a later export must chain through it.

/** The `previous hash` of the first line: 64 zeros. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** The stored columns of one audit line that its hash covers, as text exactly as stored. */
export interface AuditChainFields {
  readonly id: number;
  readonly at: string;
  readonly actor_kind: string;
  readonly actor_id: string;
  readonly actor_role: string | null;
  readonly action: string;
  readonly subject: string;
  /** The detail object as the JSON text stored (not re-serialised: key order is part of it). */
  readonly detail: string;
}

/** An audit line as read for verification: its fields and its stored hash. */
export interface AuditChainRow extends AuditChainFields {
  /** Null for a line that was never chained (only possible if someone wrote the table directly). */
  readonly hash: string | null;
}

/** The chain head: the newest line the desk appended, and its hash. */
export interface AuditChainHead {
  /** Id of the newest line; 0 for an empty log. */
  readonly lastId: number;
  /** Hash of the newest line; `AUDIT_GENESIS_HASH` for an empty log. */
  readonly lastHash: string;
}

/**
 * The hash of one line: SHA-256, hex, over the previous line's hash and a canonical encoding of
 * the line's fields (a JSON array in a fixed order, so no field can bleed into another).
 */
export function auditLineHash(previousHash: string, fields: AuditChainFields): string {
  const canonical = JSON.stringify([
    'vigil-audit-v1',
    previousHash,
    fields.id,
    fields.at,
    fields.actor_kind,
    fields.actor_id,
    fields.actor_role,
    fields.action,
    fields.subject,
    fields.detail,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** What verifying the chain found. */
export type AuditChainVerification =
  | {
      readonly ok: true;
      /** How many lines were checked. */
      readonly entries: number;
      /** The hash of the newest line (the genesis hash for an empty log): keep it elsewhere. */
      readonly headHash: string;
    }
  | {
      readonly ok: false;
      /** How many lines were checked. */
      readonly entries: number;
      /** Id of the first line that does not verify (for a truncated log: the missing newest line). */
      readonly brokenId: number;
      /** Why, in a few words: `changed, or a line before it was deleted`, ... */
      readonly reason: string;
    };

/**
 * Checks every line (oldest first, by id) against the chain and the head. The first line whose
 * stored hash differs from the recomputed one is named: it was changed, or a line before it was
 * inserted or deleted. A log whose newest line is older than the head says was cut short.
 */
export function verifyAuditChain(rows: readonly AuditChainRow[], head: AuditChainHead | undefined): AuditChainVerification {
  if (head === undefined) return broken(rows, rows.at(-1)?.id ?? 0, 'cannot be checked: the chain head (audit_chain_head) is missing');
  let previous = AUDIT_GENESIS_HASH;
  let previousId = 0;
  for (const row of rows) {
    if (row.id <= previousId) return broken(rows, row.id, 'is out of order');
    if (row.hash === null) return broken(rows, row.id, 'has no chain hash: it was written outside vigil');
    if (row.hash !== auditLineHash(previous, row)) {
      // Lines are numbered without gaps since the chain began (ids are given under the head's
      // lock), so a gap before a line that does not verify means deleted lines.
      const gap = row.id > previousId + 1 ? ` (line${row.id - previousId > 2 ? `s ${previousId + 1}-${row.id - 1}` : ` ${previousId + 1}`} before it missing: deleted?)` : '';
      const reason = gap === '' ? 'does not match the chain: it was changed, or a line was inserted before it' : `does not match the chain${gap}`;
      return broken(rows, row.id, reason);
    }
    previous = row.hash;
    previousId = row.id;
  }
  if (head.lastId > previousId) {
    return broken(rows, head.lastId, `is missing: the chain head records line ${head.lastId} as the newest, the log ends at line ${previousId} (newest lines deleted)`);
  }
  if (head.lastId < previousId) {
    return broken(rows, head.lastId + 1, `was not appended by vigil: the chain head records line ${head.lastId} as the newest`);
  }
  if (head.lastHash !== previous) return broken(rows, previousId, 'does not match the chain head (the head or the line was changed)');
  return { ok: true, entries: rows.length, headHash: previous };
}

function broken(rows: readonly AuditChainRow[], brokenId: number, reason: string): AuditChainVerification {
  return { ok: false, entries: rows.length, brokenId, reason };
}
