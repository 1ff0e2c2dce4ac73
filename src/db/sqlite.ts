// Kysely over Node's built-in SQLite (node:sqlite): no native addon to build.
// Kysely's SqliteDialect expects a better-sqlite3-shaped database; this adapts
// node:sqlite's DatabaseSync to that shape. SQLite has one connection here, so
// connections are handed out one at a time: a transaction of the API and one of
// the worker never interleave their statements.
import { dirname } from 'node:path';
import { privateFile, tightenExisting } from '../secrets/private-files.ts';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteStatement,
  type TransactionSettings,
} from 'kysely';

class Statement implements SqliteStatement {
  readonly reader: boolean;
  readonly #stmt: StatementSync;
  constructor(stmt: StatementSync) {
    this.#stmt = stmt;
    this.reader = stmt.columns().length > 0;
  }
  all(parameters: ReadonlyArray<unknown>): unknown[] {
    return this.#stmt.all(...(parameters as SQLInputValue[]));
  }
  run(parameters: ReadonlyArray<unknown>): { changes: number | bigint; lastInsertRowid: number | bigint } {
    return this.#stmt.run(...(parameters as SQLInputValue[]));
  }
  iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    return this.#stmt.iterate(...(parameters as SQLInputValue[]));
  }
}

/** Prepared statements kept per SQL text: Kysely prepares every query it runs, and preparing costs as much as a small query. */
const STATEMENT_CACHE = 500;

class Database implements SqliteDatabase {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, Statement>();
  constructor(db: DatabaseSync) {
    this.#db = db;
  }
  prepare(sql: string): SqliteStatement {
    const hit = this.#statements.get(sql);
    if (hit) {
      // Most recently used last, so the first key is the one to evict.
      this.#statements.delete(sql);
      this.#statements.set(sql, hit);
      return hit;
    }
    const stmt = new Statement(this.#db.prepare(sql));
    this.#statements.set(sql, stmt);
    if (this.#statements.size > STATEMENT_CACHE) {
      const oldest = this.#statements.keys().next().value;
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    return stmt;
  }
  close(): void {
    this.#db.close();
  }
}

/** Serialises use of the single connection: acquire waits until the previous holder released it. */
class OneAtATimeDriver implements Driver {
  readonly #inner: Driver;
  #tail: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;
  constructor(inner: Driver) {
    this.#inner = inner;
  }
  init(): Promise<void> {
    return this.#inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((r) => {
      release = r;
    });
    await previous;
    this.#release = release;
    return this.#inner.acquireConnection();
  }
  beginTransaction(c: DatabaseConnection, s: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(c, s);
  }
  commitTransaction(c: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(c);
  }
  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(c);
  }
  async releaseConnection(c: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection(c);
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

class NodeSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    return new OneAtATimeDriver(super.createDriver());
  }
}

/** Opens (creating if needed) the SQLite file at `path` with WAL and foreign keys on. */
export function sqliteDialect(path: string): SqliteDialect {
  const onDisk = path !== ':memory:';
  // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the same mode.
  if (onDisk) privateFile(path, dirname(path));
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  if (onDisk) tightenExisting([`${path}-wal`, `${path}-shm`]);
  return new NodeSqliteDialect({ database: new Database(db) });
}
