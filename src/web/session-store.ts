import type { Session } from 'fastify';
import type { SessionStore } from '@fastify/session';
import { systemClock, type Clock } from '../core/clock.js';
import { hashSecret } from './secret-hash.js';

// What a browser session holds for every service (declaration merging into @fastify/session's
// `Session`); each service adds its own keys the same way.
declare module 'fastify' {
  interface Session {
    /** The CSRF secret (@fastify/csrf-protection's session key). */
    _csrf?: string;
  }
}

/** How long a session lives without use by default (the cookie is renewed on every response). */
export const DEFAULT_SESSION_IDLE_MS = 8 * 60 * 60 * 1000;

/** Where sessions are kept: rows keyed by the SHA-256 of the session id, never the id itself. */
export interface SessionRecords {
  /** Writes (or replaces) the session under `idHash`. */
  save(idHash: string, data: string, expiresAt: string): Promise<void>;
  /** The session data under `idHash` if it expires after `now` (ISO 8601 UTC); undefined otherwise. */
  load(idHash: string, now: string): Promise<string | undefined>;
  /** Deletes the session under `idHash`, if any. */
  delete(idHash: string): Promise<void>;
  /** Deletes every session that expired at or before `now`; how many there were. */
  deleteExpired(now: string): Promise<number>;
}

/** A session store the server can purge of expired sessions. */
export interface PurgeableSessionStore extends SessionStore {
  /** Deletes every expired session; how many there were. */
  purgeExpired(): Promise<number>;
}

/** Hands the outcome of a query to @fastify/session's callback-style store interface. */
function settle<T>(work: Promise<T>, callback: (error: unknown, value?: T) => void): void {
  work.then(
    (value) => {
      callback(null, value);
    },
    (error: unknown) => {
      callback(error);
    },
  );
}

/**
 * @fastify/session's store over `SessionRecords` (its default memory store loses every session
 * on restart, grows without bound and is not shared between processes). A session is kept until
 * its cookie expires; an expired row is never handed back, and `purgeExpired` deletes them. The
 * stored key of a session is the hash of its id: a leaked copy of the table holds no usable session.
 */
export class RecordsSessionStore implements PurgeableSessionStore {
  readonly #records: SessionRecords;
  readonly #clock: Clock;
  /** Used when a session has no expiry of its own (the server always sets one). */
  readonly #fallbackMaxAgeMs: number;

  constructor(records: SessionRecords, options: { clock?: Clock; fallbackMaxAgeMs?: number } = {}) {
    this.#records = records;
    this.#clock = options.clock ?? systemClock;
    this.#fallbackMaxAgeMs = options.fallbackMaxAgeMs ?? DEFAULT_SESSION_IDLE_MS;
  }

  set(sessionId: string, session: Session, callback: (error?: unknown) => void): void {
    // The expiry is counted on the injected clock, the one `get` and `purgeExpired` compare with
    // (the cookie's own `expires` comes from the real clock, which an injected clock may not follow).
    const maxAge = session.cookie.originalMaxAge;
    const lifetimeMs = typeof maxAge === 'number' && Number.isFinite(maxAge) && maxAge > 0 ? maxAge : this.#fallbackMaxAgeMs;
    const expiresAt = new Date(this.#clock.now().getTime() + lifetimeMs).toISOString();
    // The cookie serialises through its toJSON; symbol-keyed internals are left out.
    settle(this.#records.save(hashSecret(sessionId), JSON.stringify(session), expiresAt), callback);
  }

  get(sessionId: string, callback: (error: unknown, result?: Session | null) => void): void {
    const found = this.#records
      .load(hashSecret(sessionId), this.#clock.now().toISOString())
      .then((data) => (data === undefined ? null : (JSON.parse(data) as Session)));
    settle(found, callback);
  }

  destroy(sessionId: string, callback: (error?: unknown) => void): void {
    settle(this.#records.delete(hashSecret(sessionId)), callback);
  }

  /** Deletes every expired session; how many there were. */
  purgeExpired(): Promise<number> {
    return this.#records.deleteExpired(this.#clock.now().toISOString());
  }
}
