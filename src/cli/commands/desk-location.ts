import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { OpenDeskStoreOptions } from '../../desk/store/open-desk-store.js';
import type { Actor } from '../../desk/types.js';
import type { CliIo } from '../io.js';

/** The SQLite file of the desk when neither --db nor $DATABASE_URL names a store. */
export const DEFAULT_DESK_DB = path.join('.vigil', 'desk.db');

/**
 * The store every `vigil desk` command opens: `--db`, else $DATABASE_URL, else `.vigil/desk.db`.
 * Any URL goes to openDeskStore, which refuses one that is not PostgreSQL's, rather than becoming
 * an SQLite file named like a URL.
 */
export async function deskStoreOptions(values: { readonly db?: string | undefined }, io: CliIo): Promise<OpenDeskStoreOptions> {
  const target = values.db ?? io.env['DATABASE_URL'] ?? DEFAULT_DESK_DB;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return { url: target };
  const file = path.resolve(target);
  await mkdir(path.dirname(file), { recursive: true });
  return { sqlitePath: file };
}

/** Who acts on the command line: --as, else $VIGIL_DESK_USER, else the login name; with the admin role. */
export function cliActor(values: { readonly as?: string | undefined }, io: CliIo): Actor {
  const id = values.as ?? io.env['VIGIL_DESK_USER'] ?? os.userInfo().username;
  return { kind: 'team', id, role: 'admin' };
}
