import type { EntityManager } from '@mikro-orm/core';
import { SqliteConnection, type AbstractSqlConnection } from '@mikro-orm/sqlite';
import { CompiledQuery, type Transaction } from 'kysely';

/**
 * Parameterized SQL for the paths every order takes, run on the ORM's own connection and inside
 * the caller's transaction when there is one. The ORM writes every value into the SQL text, so
 * SQLite compiles each of its statements anew and the ORM builds each one; a statement here keeps
 * one text (`?` placeholders), which SQLite compiles once (see `reusePreparedStatements`).
 * Errors are the ORM's own (a UniqueConstraintViolationException for a clash on a key).
 *
 * Values: a Date is stored as the ORM stores it (milliseconds on SQLite, timestamptz on
 * PostgreSQL), an object or array as JSON; read them back with `dateFrom` and `jsonFrom`.
 * Every `?` in `sql` is a placeholder (on PostgreSQL each becomes `$n`): no `?` in literals.
 */
export async function runSql<Row = Record<string, unknown>>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<{ rows: Row[]; affected: number }> {
  const postgres = !onSqlite(em);
  const text = postgres ? numberedPlaceholders(sql) : sql;
  if (!postgres) parameterizedTexts.add(text);
  const executor = em.getTransactionContext<Transaction<unknown>>() ?? (em.getConnection() as AbstractSqlConnection).getClient();
  try {
    const result = await executor.executeQuery<Row>(
      CompiledQuery.raw(
        text,
        params.map((value) => toSqlValue(value, postgres)),
      ),
    );
    return { rows: result.rows, affected: Number(result.numAffectedRows ?? 0n) };
  } catch (error) {
    throw error instanceof Error ? em.getDriver().convertException(error) : error;
  }
}

/** Whether the ORM runs on SQLite: one connection, one transaction at a time. */
export function onSqlite(em: EntityManager): boolean {
  return em.getConnection() instanceof SqliteConnection;
}

/** `(?, ?, …)` with `count` placeholders, for `IN` lists and multi-row inserts. */
export function placeholders(count: number): string {
  return `(${Array.from({ length: count }, () => '?').join(', ')})`;
}

/** SQLite gives milliseconds, PostgreSQL (as the ORM sets its driver up) an ISO-like text. */
export function dateFrom(value: unknown): Date {
  if (value instanceof Date) return value;
  return new Date(typeof value === 'string' && !/^\d+$/.test(value) ? value : Number(value));
}

export function jsonFrom<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

const parameterizedTexts = new Set<string>();

/**
 * Keeps SQLite's compiled form of the statements `runSql` runs: their texts are the program's own
 * constants (a few per IN-list length), so the cache stays small. The ORM's statements, which
 * carry their values in the text, are compiled each time as before.
 */
export function reusePreparedStatements(database: { prepare(source: string): unknown }): void {
  const prepare = database.prepare.bind(database);
  const compiled = new Map<string, unknown>();
  database.prepare = (source: string) => {
    if (!parameterizedTexts.has(source)) return prepare(source);
    let statement = compiled.get(source);
    if (!statement) {
      statement = prepare(source);
      compiled.set(source, statement);
    }
    return statement;
  };
}

const numbered = new Map<string, string>();

function numberedPlaceholders(sql: string): string {
  let text = numbered.get(sql);
  if (text === undefined) {
    let n = 0;
    text = sql.replace(/\?/g, () => `$${++n}`);
    numbered.set(sql, text);
  }
  return text;
}

function toSqlValue(value: unknown, postgres: boolean): unknown {
  if (value instanceof Date) return postgres ? value : value.getTime();
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  return JSON.stringify(value);
}
