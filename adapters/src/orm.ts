import type { EntitySchema, MikroORM } from '@mikro-orm/core';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import { MikroORM as SqliteOrm, SqliteConnection } from '@mikro-orm/sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { reusePreparedStatements } from './sql-statements.js';

/** Either SQL driver, seen through the driver-neutral core API the repositories use. */
export type SqlOrm = MikroORM;

/**
 * Opens the SQL store named by `databaseUrl` — `sqlite:<file>` (the embedded default) or
 * `postgres://…` — creates the database if needed and brings the schema up to date.
 */
export async function openSqlOrm(
  databaseUrl: string,
  entities: EntitySchema[],
  timeouts: { busyMs: number; statementMs: number } = { busyMs: 1_000, statementMs: 2_000 },
): Promise<SqlOrm> {
  const common = { entities, debug: false, allowGlobalContext: false, discovery: { warnWhenNoEntities: false } };
  let orm: SqlOrm;
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.slice('sqlite:'.length);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    orm = await SqliteOrm.init({ ...common, dbName: file });
    // WAL lets readers proceed during a write; with synchronous=NORMAL a commit survives a
    // process crash (only a power loss may take the last ones) and costs no fsync per transaction.
    await orm.em.getConnection().execute('PRAGMA journal_mode = WAL');
    await orm.em.getConnection().execute('PRAGMA synchronous = NORMAL');
    // A write waits this long for another to finish, then fails (answered UNAVAILABLE, not hung).
    await orm.em.getConnection().execute(`PRAGMA busy_timeout = ${timeouts.busyMs}`);
    // better-sqlite3 ships no types; its Database has prepare(source) → Statement.
    const database: unknown = await (orm.em.getConnection() as SqliteConnection).getNativeClient();
    reusePreparedStatements(database as Parameters<typeof reusePreparedStatements>[0]);
  } else {
    orm = await PostgresOrm.init({
      ...common,
      clientUrl: databaseUrl,
      pool: { min: 0, max: 10 },
      // Every wait is bounded, so an outage answers UNAVAILABLE promptly instead of hanging. These
      // are pg's pool options: connectionTimeoutMillis bounds both the wait for a free connection
      // and connecting.
      driverOptions: {
        connectionTimeoutMillis: timeouts.busyMs,
        statement_timeout: timeouts.statementMs,
        query_timeout: timeouts.statementMs,
      },
    });
  }
  await orm.schema.ensureDatabase();
  await orm.schema.update({ safe: true });
  return orm;
}
