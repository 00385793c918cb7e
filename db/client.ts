import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
/** The one database handle type: postgres.js and PGlite both give a PgDatabase. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

export type Database = {
  db: Db;
  kind: "postgres" | "pglite";
  /** Apply the committed drizzle-kit migrations (idempotent). */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** The PGlite instance, when embedded (for snapshots in tests). */
  pglite?: PGlite;
};

export type DatabaseOptions =
  | { databaseUrl: string; max?: number }
  | { dataDir: string }
  | { pglite: PGlite };

/** postgres.js for DATABASE_URL, PGlite (embedded PostgreSQL) otherwise. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if ("databaseUrl" in options) {
    const client = postgres(options.databaseUrl, {
      max: options.max ?? 10,
      onnotice: () => {},
      connection: { application_name: "tablewatch" },
    });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    preparedExecutors.set(db, async (text, params) => [...(await client.unsafe(text, params as never[], { prepare: true }))] as never);
    return {
      db,
      kind: "postgres",
      migrate: () => migratePostgres(drizzlePostgres(client), { migrationsFolder }),
      close: () => client.end({ timeout: 5 }),
    };
  }
  let pglite: PGlite;
  if ("pglite" in options) {
    pglite = options.pglite;
  } else {
    if (!options.dataDir.startsWith("memory://")) fs.mkdirSync(options.dataDir, { recursive: true });
    pglite = await PGlite.create(options.dataDir);
  }
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  preparedExecutors.set(db, async (text, params) => (await pglite.query(text, params)).rows as never);
  return {
    db,
    kind: "pglite",
    pglite,
    migrate: () => migratePglite(drizzlePglite(pglite), { migrationsFolder }),
    close: () => pglite.close(),
  };
}

/** Rows of a raw SQL query, whichever driver runs it (postgres.js returns an array, PGlite `{rows}`). */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

type PreparedExecutor = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;
const preparedExecutors = new WeakMap<Db, PreparedExecutor>();

/**
 * Rows of a constant SQL text with `$1…$n` parameters, run as a prepared (server-side cached)
 * statement, for the hot paths: re-planning on every call, and drizzle's query building, cost
 * more there than the work (drizzle prepares only named queries). On a handle without a
 * registered driver (a transaction) the text runs as an ordinary parameterised query.
 */
export async function preparedRows<T>(db: Db, text: string, params: unknown[]): Promise<T[]> {
  const executor = preparedExecutors.get(db);
  if (executor) return (await executor(text, params)) as T[];
  const chunks = text.split(/\$(\d+)/).map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`));
  return queryRows<T>(db, sql.join(chunks, sql.raw("")));
}

/**
 * A PostgreSQL array literal (`{"a","b"}`) with every element quoted, for binding a string list
 * as one parameter cast to text[] or uuid[] (postgres.js cannot bind untyped JS arrays).
 */
export function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}
