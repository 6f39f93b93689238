import { systemClock, type Clock } from '../../core/clock.js';
import { RecordsSessionStore, type SessionRecords } from '../../web/session-store.js';
import type { DeskStore } from '../store/desk-store.js';
import { webDatabase } from './web-tables.js';

/** The `sessions` table of the desk database (migration `0003-desk-web`) as the web layer's session records. */
export function deskSessionRecords(store: DeskStore): SessionRecords {
  const db = webDatabase(store);
  return {
    save: async (idHash, data, expiresAt) => {
      await db
        .insertInto('sessions')
        .values({ id_hash: idHash, data, expires_at: expiresAt })
        .onConflict((conflict) => conflict.column('id_hash').doUpdateSet({ data, expires_at: expiresAt }))
        .execute();
    },
    load: async (idHash, now) => {
      const row = await db.selectFrom('sessions').select('data').where('id_hash', '=', idHash).where('expires_at', '>', now).executeTakeFirst();
      return row?.data;
    },
    delete: async (idHash) => {
      await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    },
    deleteExpired: async (now) => {
      const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

/**
 * Browser sessions kept in the desk database, so that every server process shares them and a
 * restart keeps them (see `RecordsSessionStore`).
 */
export class DeskSessionStore extends RecordsSessionStore {
  constructor(store: DeskStore, options: { clock?: Clock; fallbackMaxAgeMs?: number } = {}) {
    super(deskSessionRecords(store), { clock: options.clock ?? systemClock, ...(options.fallbackMaxAgeMs === undefined ? {} : { fallbackMaxAgeMs: options.fallbackMaxAgeMs }) });
  }
}
