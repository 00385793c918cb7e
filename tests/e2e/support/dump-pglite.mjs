/**
 * Prints every row of every table of an embedded (PGlite) database as text, one JSON line per row
 * (`["table", "row as text"]`), from a COPY of its data folder: the running app holds the folder,
 * and a copy opens as after a crash (PostgreSQL replays its write-ahead log). Used by
 * tests/e2e/billing.spec.ts to look for card numbers in the database.
 *
 *   node tests/e2e/support/dump-pglite.mjs <data folder>
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";

const source = process.argv[2];
if (!source) throw new Error("usage: dump-pglite.mjs <data folder>");
const copy = fs.mkdtempSync(path.join(os.tmpdir(), "tw-e2e-dump-"));
try {
  // Regular files only (the app's control socket is skipped), and not the app's own lock.
  fs.cpSync(source, copy, { recursive: true, filter: (from) => !from.endsWith("tablewatch.pid") && (fs.statSync(from).isFile() || fs.statSync(from).isDirectory()) });
  const db = await PGlite.create(copy);
  try {
    const tables = await db.query("select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1");
    for (const { table_name: table } of tables.rows) {
      const rows = await db.query(`select t::text as row from "${table.replace(/"/g, '""')}" t`);
      for (const { row } of rows.rows) process.stdout.write(`${JSON.stringify([table, row])}\n`);
    }
  } finally {
    await db.close();
  }
} finally {
  fs.rmSync(copy, { recursive: true, force: true });
}
