import type { Session } from 'fastify';
import type { SessionStore } from '@fastify/session';
import { systemClock, type Clock } from '../../core/clock.js';
import type { DeskStore } from '../store/desk-store.js';
import { hashSecret } from '../secret-hash.js';
import { webDatabase } from './web-tables.js';

/** The stored key of a session id: a leaked copy of the table then holds no usable session. */
const idHash = hashSecret;

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
 * @fastify/session's store on the desk database (its default memory store loses every session on
 * restart, grows without bound and is not shared between processes). A session is kept until its
 * cookie expires; an expired row is never handed back, and `purgeExpired` deletes them.
 */
export class DeskSessionStore implements SessionStore {
  readonly #store: DeskStore;
  readonly #clock: Clock;
  /** Used when a session has no expiry of its own (the server always sets one). */
  readonly #fallbackMaxAgeMs: number;

  constructor(store: DeskStore, options: { clock?: Clock; fallbackMaxAgeMs?: number } = {}) {
    this.#store = store;
    this.#clock = options.clock ?? systemClock;
    this.#fallbackMaxAgeMs = options.fallbackMaxAgeMs ?? 8 * 60 * 60 * 1000;
  }

  set(sessionId: string, session: Session, callback: (error?: unknown) => void): void {
    // The expiry is counted on the desk's clock, the one `get` and `purgeExpired` compare with
    // (the cookie's own `expires` comes from the real clock, which an injected clock may not follow).
    const maxAge = session.cookie.originalMaxAge;
    const lifetimeMs = typeof maxAge === 'number' && Number.isFinite(maxAge) && maxAge > 0 ? maxAge : this.#fallbackMaxAgeMs;
    const expiresAt = new Date(this.#clock.now().getTime() + lifetimeMs).toISOString();
    // The cookie serialises through its toJSON; symbol-keyed internals are left out.
    const data = JSON.stringify(session);
    const saved = webDatabase(this.#store)
      .insertInto('sessions')
      .values({ id_hash: idHash(sessionId), data, expires_at: expiresAt })
      .onConflict((conflict) => conflict.column('id_hash').doUpdateSet({ data, expires_at: expiresAt }))
      .execute();
    settle(saved, callback);
  }

  get(sessionId: string, callback: (error: unknown, result?: Session | null) => void): void {
    const found = webDatabase(this.#store)
      .selectFrom('sessions')
      .select('data')
      .where('id_hash', '=', idHash(sessionId))
      .where('expires_at', '>', this.#clock.now().toISOString())
      .executeTakeFirst()
      .then((row) => (row === undefined ? null : (JSON.parse(row.data) as Session)));
    settle(found, callback);
  }

  destroy(sessionId: string, callback: (error?: unknown) => void): void {
    settle(webDatabase(this.#store).deleteFrom('sessions').where('id_hash', '=', idHash(sessionId)).execute(), callback);
  }

  /** Deletes every expired session; how many there were. */
  async purgeExpired(): Promise<number> {
    const result = await webDatabase(this.#store)
      .deleteFrom('sessions')
      .where('expires_at', '<=', this.#clock.now().toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
