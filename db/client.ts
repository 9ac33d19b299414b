/**
 * createDatabase(): one drizzle database over either driver.
 *  - embedded default: PGlite (PostgreSQL in WASM) in a data folder; one connection, so access is
 *    serialised by PGlite itself;
 *  - production: PostgreSQL through postgres.js with a pool.
 * The same schema, migrations and queries run on both; `sql()` is the raw escape hatch, and
 * `executeSql` is the adapter pg-boss needs on PGlite (see STACK.md).
 */
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** What a transaction callback receives; same query surface as Db. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export type DatabaseTarget = { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string; poolSize: number };

export type Database = {
  kind: DatabaseTarget["kind"];
  db: Db;
  /** Parameterised raw SQL returning rows. */
  sql<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** pg-boss's `db` adapter (PGlite only; on PostgreSQL pg-boss takes the connection string). */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  /** The PGlite instance, for tests that dump or clone it. */
  pglite?: PGlite;
  connectionString?: string;
  close(): Promise<void>;
};

/**
 * db/migrations, found from this module: next to it when run from source (db/client.ts), or up from
 * the compiled bundle that contains it (dist/server.js, dist/workers/main.js: dist/db/migrations).
 */
function findMigrationsFolder(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    for (const candidate of [path.join(dir, "migrations"), path.join(dir, "db", "migrations")]) {
      if (fs.existsSync(path.join(candidate, "meta", "_journal.json"))) return candidate;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`db/migrations not found from ${fileURLToPath(import.meta.url)}`);
}

export const MIGRATIONS_FOLDER = findMigrationsFolder();
/** Arbitrary constant: every process that migrates takes this advisory lock first. */
const MIGRATION_LOCK_ID = 7_402_118_011;

export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob | File } = {}): Promise<PGlite> {
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  return PGlite.create({ dataDir: options.dataDir, loadDataDir: options.loadDataDir });
}

export function wrapPglite(client: PGlite, closeClient = true): Database {
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    pglite: client,
    async sql(text, params = []) {
      return (await client.query(text, params)).rows as never[];
    },
    async executeSql(text, values) {
      try {
        if (values && values.length > 0) return { rows: (await client.query(text, values)).rows };
        // Without parameters pg-boss sends multi-statement scripts ("BEGIN; …; COMMIT;").
        const results = await client.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      } catch (error) {
        // One connection: a failed script would leave every later call "in an aborted transaction".
        if (client.isInTransaction()) await client.exec("ROLLBACK");
        throw error;
      }
    },
    async close() {
      if (closeClient && !client.closed) await client.close();
    },
  };
}

export function wrapPostgres(
  url: string,
  poolSize: number,
  options: { debug?: (connection: number, query: string, parameters: unknown[]) => void } = {},
): Database {
  const client = postgres(url, {
    max: poolSize,
    debug: options.debug,
    onnotice: () => {},
    // Dates as JS Dates, bigint ids as numbers where drizzle asks for "number" mode.
    connection: { application_name: "kokusai-fuatsukai" },
  });
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    connectionString: url,
    async sql(text, params = []) {
      return (await client.unsafe(text, params as never[])) as never[];
    },
    async executeSql(text, values = []) {
      if (values.length > 0) return { rows: await client.unsafe(text, values as never[]) };
      // A multi-statement script runs on one reserved connection, which is rolled back on failure
      // so it never returns to the pool inside an aborted transaction.
      const connection = await client.reserve();
      try {
        const result = await connection.unsafe(text).simple();
        const last = Array.isArray(result) && Array.isArray(result.at(-1)) ? result.at(-1) : result;
        return { rows: Array.from(last as unknown as unknown[]) };
      } catch (error) {
        await connection.unsafe("ROLLBACK").catch(() => {});
        throw error;
      } finally {
        connection.release();
      }
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

export async function createDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "pglite") return wrapPglite(await openPglite({ dataDir: target.dataDir }));
  return wrapPostgres(target.url, target.poolSize);
}

/**
 * Runs `work` while holding the schema advisory lock. On PostgreSQL several web and worker processes
 * may start at once on an empty database: everything that creates schema (the drizzle migrations, the
 * reference seed, pg-boss's own schema and its queues) runs inside this, so they take turns. The lock
 * is session-level, on one dedicated connection that is closed afterwards (which releases it even if
 * the unlock is never reached). PGlite is one connection in one process: no lock is needed.
 */
export async function withSchemaLock<T>(database: Database, work: () => Promise<T>): Promise<T> {
  if (database.kind === "pglite") return work();
  const single = postgres(database.connectionString!, { max: 1, onnotice: () => {}, connection: { application_name: "kokusai-schema-lock" } });
  try {
    await single`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    try {
      return await work();
    } finally {
      await single`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    }
  } finally {
    await single.end({ timeout: 5 });
  }
}

/** Applies the committed migrations; the caller holds the schema lock (see withSchemaLock). */
export async function applyMigrations(database: Database): Promise<void> {
  if (database.kind === "pglite") {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  const single = postgres(database.connectionString!, { max: 1, onnotice: () => {} });
  try {
    await migratePostgres(drizzlePostgres({ client: single }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await single.end({ timeout: 5 });
  }
}

/** Applies the committed migrations under the schema lock. */
export async function migrateDatabase(database: Database): Promise<void> {
  await withSchemaLock(database, () => applyMigrations(database));
}
