import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery, Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUDIT_GENESIS_HASH, auditLineHash, verifyAuditChain, type AuditChainRow } from '../../../src/desk/store/audit-chain.js';
import type { AuditEventInput, DeskStore } from '../../../src/desk/store/desk-store.js';
import { DESK_MIGRATIONS, deskMigrationProvider, type DeskDialect } from '../../../src/desk/store/migrations.js';
import { DESK_APPLICATION_ID, openDeskStore, type OpenDeskStoreOptions } from '../../../src/desk/store/open-desk-store.js';
import type { Actor } from '../../../src/desk/types.js';
import { type DeskStoreDatabase, deskStoreBackends } from '../../helpers/desk-store-backends.js';

const alice: Actor = { kind: 'team', id: 'alice', role: 'responder' };
const reporter: Actor = { kind: 'reporter', id: 'reporter' };

function line(n: number, actor: Actor = alice): AuditEventInput {
  return { at: `2025-03-02T10:${String(n).padStart(2, '0')}:00.000Z`, actor, action: `step.${n}`, subject: `report:${n}`, detail: { n, note: `line ${n}` } };
}

describe('the audit line hash', () => {
  // Expected hashes from `printf '%s' '<canonical JSON>' | sha256sum`, the encoding written out by
  // hand from its documentation in audit-chain.ts: a change of encoding would orphan every chain.
  const first: AuditChainRow = {
    id: 1,
    at: '2025-03-02T10:00:00.000Z',
    actor_kind: 'team',
    actor_id: 'alice',
    actor_role: 'responder',
    action: 'report.create',
    subject: 'report:1',
    detail: '{}',
    hash: 'bc0724e0932fc4aec535ca204f2044b987ad671df41c576772fc33320f8b37c0',
  };
  const second: AuditChainRow = {
    id: 2,
    at: '2025-03-02T10:05:00.000Z',
    actor_kind: 'reporter',
    actor_id: 'reporter',
    actor_role: null,
    action: 'report.credit',
    subject: 'report:1',
    detail: '{"mode":"anonymous"}',
    hash: '3fb53df398b1ad83a9bcf2dac9ce61ed6d70629ca6b6980750cef5442c49c2c6',
  };

  it('is SHA-256 over the previous hash and the fields, chained from 64 zeros', () => {
    expect(AUDIT_GENESIS_HASH).toBe('0'.repeat(64));
    expect(auditLineHash(AUDIT_GENESIS_HASH, first)).toBe(first.hash);
    expect(auditLineHash(first.hash ?? '', second)).toBe(second.hash);
  });

  it('keeps fields apart: moving text from one field to the next changes the hash', () => {
    const moved = { ...first, action: 'report.create"', subject: ',"report:1' };
    expect(auditLineHash(AUDIT_GENESIS_HASH, moved)).not.toBe(first.hash);
  });

  const head = { lastId: 2, lastHash: second.hash ?? '' };
  interface Case {
    name: string;
    rows: AuditChainRow[];
    head: { lastId: number; lastHash: string } | undefined;
    want: { ok: true } | { ok: false; brokenId: number; reason: RegExp };
  }
  const cases: Case[] = [
    { name: 'an intact chain', rows: [first, second], head, want: { ok: true } },
    { name: 'an empty log', rows: [], head: { lastId: 0, lastHash: AUDIT_GENESIS_HASH }, want: { ok: true } },
    { name: 'a changed field', rows: [first, { ...second, detail: '{"mode":"named"}' }], head, want: { ok: false, brokenId: 2, reason: /changed/ } },
    { name: 'a changed first line', rows: [{ ...first, actor_id: 'mallory' }, second], head, want: { ok: false, brokenId: 1, reason: /changed/ } },
    { name: 'a deleted first line', rows: [second], head, want: { ok: false, brokenId: 2, reason: /line 1 before it missing/ } },
    { name: 'a deleted last line', rows: [first], head, want: { ok: false, brokenId: 2, reason: /is missing/ } },
    { name: 'a line without a hash', rows: [first, { ...second, hash: null }], head, want: { ok: false, brokenId: 2, reason: /no chain hash/ } },
    { name: 'a missing head', rows: [first, second], head: undefined, want: { ok: false, brokenId: 2, reason: /chain head .* is missing/ } },
    { name: 'a head that does not match', rows: [first, second], head: { lastId: 2, lastHash: first.hash ?? '' }, want: { ok: false, brokenId: 2, reason: /chain head/ } },
  ];
  it.each(cases)('verification: $name', ({ rows, head: chainHead, want }) => {
    const got = verifyAuditChain(rows, chainHead);
    expect(got.ok).toBe(want.ok);
    if (!want.ok && !got.ok) {
      expect(got.brokenId).toBe(want.brokenId);
      expect(got.reason).toMatch(want.reason);
    }
  });
});

/** Statements that lift the append-only triggers, as someone with the database's credentials could. */
function dropTriggers(dialect: DeskDialect): string[] {
  return dialect === 'sqlite'
    ? ['DROP TRIGGER audit_log_refuse_update', 'DROP TRIGGER audit_log_refuse_delete']
    : ['ALTER TABLE audit_log DISABLE TRIGGER audit_log_refuse_change'];
}

describe.each(deskStoreBackends())('the audit chain on $name', (backend) => {
  let database: DeskStoreDatabase;
  let store: DeskStore;

  beforeEach(async () => {
    database = await backend.create();
    store = database.store;
  });
  afterEach(async () => {
    await database.dispose();
  });

  async function appendLines(count: number): Promise<void> {
    for (let n = 1; n <= count; n++) await store.appendAudit(line(n, n % 2 === 0 ? reporter : alice));
  }

  it('chains every line to the one before, numbered from 1 without gaps', async () => {
    await appendLines(5);
    const { events, verification } = await store.readVerifiedAudit();
    expect(verification).toEqual({ ok: true, entries: 5, headHash: events[4]?.hash });
    expect(events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(events.map((event) => event.hash)).size).toBe(5);
    // The lines read back are the lines written.
    expect(events.map((event) => ({ ...event, hash: undefined }))).toEqual(await store.readAudit());
  });

  it('catches one line edited directly in the database, and names it', async () => {
    await appendLines(5);
    for (const statement of dropTriggers(backend.name)) await database.queryRaw(statement);
    await database.queryRaw(`UPDATE audit_log SET detail = '{"n":3,"note":"nothing to see"}' WHERE id = 3`);
    const { verification } = await store.readVerifiedAudit();
    expect(verification.ok).toBe(false);
    if (!verification.ok) {
      expect(verification.brokenId).toBe(3);
      expect(verification.reason).toMatch(/does not match the chain/);
    }
  });

  it('catches a line deleted from the middle: the next line is named', async () => {
    await appendLines(5);
    for (const statement of dropTriggers(backend.name)) await database.queryRaw(statement);
    await database.queryRaw('DELETE FROM audit_log WHERE id = 2');
    const { verification } = await store.readVerifiedAudit();
    expect(verification).toMatchObject({ ok: false, brokenId: 3, entries: 4 });
    if (!verification.ok) expect(verification.reason).toMatch(/line 2 before it missing/);
  });

  it('catches the newest lines deleted, through the chain head', async () => {
    await appendLines(5);
    for (const statement of dropTriggers(backend.name)) await database.queryRaw(statement);
    await database.queryRaw('DELETE FROM audit_log WHERE id >= 4');
    expect((await store.readVerifiedAudit()).verification).toMatchObject({ ok: false, brokenId: 5, entries: 3 });
  });

  it('refuses to delete the chain head', async () => {
    await appendLines(1);
    await expect(database.queryRaw('DELETE FROM audit_chain_head')).rejects.toThrow(/audit_chain_head/);
  });

  // On PostgreSQL several pools stand for several processes. Two SQLite connections in one
  // process cannot wait for each other (better-sqlite3 blocks the event loop while it waits for
  // the lock), so there the concurrent writers share one store, and the e2e tests run processes.
  it('keeps one chain when many writers append at once', async () => {
    const writers = backend.name === 'postgres' ? [store, await database.reopen(), await database.reopen()] : [store, store, store];
    await Promise.all(
      writers.flatMap((writer, w) =>
        Array.from({ length: 15 }, (_, n) =>
          writer.transaction(async (tx) => {
            await tx.appendAudit(line(n, w === 1 ? reporter : alice));
            await tx.appendAudit(line(n + 30, alice));
          }),
        ),
      ),
    );
    const { events, verification } = await store.readVerifiedAudit();
    expect(verification).toMatchObject({ ok: true, entries: 90 });
    expect(events.map((event) => event.id)).toEqual(Array.from({ length: 90 }, (_, index) => index + 1));
  });

  it('chains nothing of a transaction that rolls back', async () => {
    await appendLines(2);
    await expect(
      store.transaction(async (tx) => {
        await tx.appendAudit(line(3));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await store.appendAudit(line(4));
    const { events, verification } = await store.readVerifiedAudit();
    expect(verification).toMatchObject({ ok: true, entries: 3 });
    expect(events.map((event) => event.action)).toEqual(['step.1', 'step.2', 'step.4']);
  });
});

/** A database at the schema before the chain (steps up to 0004), with audit lines written then. */
interface OldDatabase {
  readonly options: OpenDeskStoreOptions;
  /** Runs one statement outside vigil's code. */
  run(statement: string): Promise<void>;
  dispose(): Promise<void>;
}

const OLD_STEPS = DESK_MIGRATIONS.filter((migration) => migration.name < '0005');

async function migrateOld(db: Kysely<unknown>, dialect: DeskDialect, schema?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: deskMigrationProvider(dialect, OLD_STEPS),
    migrationTableName: 'desk_migration',
    migrationLockTableName: 'desk_migration_lock',
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error } = await migrator.migrateToLatest();
  if (error !== undefined) throw error instanceof Error ? error : new Error('migration failed');
  // Four lines, with a gap where a rolled-back insert took an id, as PostgreSQL's identity leaves.
  for (const id of [1, 2, 4, 5]) {
    await sql`INSERT INTO audit_log (id, at, actor_kind, actor_id, actor_role, action, subject, detail)
      VALUES (${id}, ${`2025-01-0${id}T09:00:00.000Z`}, 'team', 'alice', 'admin', ${`old.${id}`}, 'report:1', '{"old":true}')`.execute(db);
  }
}

async function oldSqlite(): Promise<OldDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-desk-old-'));
  const file = path.join(dir, 'desk.db');
  const raw = new Database(file);
  raw.pragma(`application_id = ${DESK_APPLICATION_ID}`);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
  await migrateOld(db, 'sqlite');
  await db.destroy();
  return {
    options: { sqlitePath: file },
    run: (statement) =>
      new Promise((resolve) => {
        const other = new Database(file);
        try {
          other.prepare(statement).run();
          resolve();
        } finally {
          other.close();
        }
      }),
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

async function oldPostgres(url: string): Promise<OldDatabase> {
  const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: url });
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({
      pool,
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw(`SET search_path TO "${schema}"`));
      },
    }),
  });
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(db);
  await migrateOld(db, 'postgres', schema);
  await db.destroy();
  const withClient = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`SET search_path TO "${schema}"`);
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  return {
    options: { url, schema },
    run: withClient,
    dispose: () => withClient(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  };
}

const pgUrl = process.env.VIGIL_TEST_PG_URL;
const oldBackends: { name: DeskDialect; create: () => Promise<OldDatabase> }[] = [
  { name: 'sqlite', create: oldSqlite },
  ...(pgUrl === undefined || pgUrl === '' ? [] : [{ name: 'postgres' as const, create: () => oldPostgres(pgUrl) }]),
];

describe.each(oldBackends)('the chain migration on $name', (backend) => {
  it('chains the lines an older desk wrote, and new lines chain on from them', async () => {
    const old = await backend.create();
    try {
      const store = await openDeskStore(old.options);
      try {
        const before = await store.readVerifiedAudit();
        expect(before.verification).toMatchObject({ ok: true, entries: 4 });
        expect(before.events.map((event) => event.action)).toEqual(['old.1', 'old.2', 'old.4', 'old.5']);
        await store.appendAudit(line(1));
        const after = await store.readVerifiedAudit();
        expect(after.verification).toMatchObject({ ok: true, entries: 5 });
        expect(after.events.at(-1)?.id).toBe(6);
        // Still append-only after the step lifted the triggers for its own updates.
        await expect(old.run("UPDATE audit_log SET action = 'forged' WHERE id = 1")).rejects.toThrow(/append-only/);
      } finally {
        await store.close();
      }
    } finally {
      await old.dispose();
    }
  });
});
