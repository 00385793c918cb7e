/**
 * The daily purge: accounts whose deletion date has passed are deleted completely — every row of
 * every table with an `account_id`, then the memberships, the logins that belonged to no other
 * account, and the account itself (docs/decisions/0019-account-export-and-deletion.md).
 *
 * - In batches: each batch is its own short transaction deleting at most `batchSize` rows of one
 *   table (report instances first, the table that grows without bound), so no transaction holds
 *   millions of rows and the database keeps serving everyone else.
 * - Resumable: nothing but the rows themselves records the progress, so a run that stops half-way
 *   (crash, deploy) is finished by the next run.
 * - Safe with several workers: each batch first locks the account's row (FOR NO KEY UPDATE SKIP
 *   LOCKED, which does not block the account's own inserts); a worker that finds it locked leaves
 *   that account to the one holding it.
 */
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import type { DailyTask } from "../maintenance/daily";

export const PURGE_BATCH_SIZE = 5000;

/**
 * Tables are emptied in this order (children before their parents; unknown tables, added after
 * this was written, after the known children). `sessions` are not the account's (they are the
 * users'): they move to another account of their user. `memberships` go last, with the users.
 */
const ORDER: Record<string, number> = {
  report_instances: 0,
  alarm_evaluations: 1,
  alarm_history: 1,
  alarm_states: 1,
  notifications: 1,
  tiles: 2,
  dashboard_shares: 2,
  api_key_usage: 2,
  audit_log: 2,
  invitations: 2,
  alarms: 4,
  dashboards: 4,
  reports: 5,
  api_keys: 5,
};
const UNKNOWN_TABLE_ORDER = 3;
const NOT_BATCHED = new Set(["accounts", "sessions", "memberships"]);

/** Every table of the schema with an `account_id` column (read from the database itself). */
export async function tenantTables(db: Db): Promise<string[]> {
  const rows = await queryRows<{ table_name: string }>(
    db,
    sql`select c.table_name from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.column_name = 'account_id' and c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
        order by c.table_name`,
  );
  return rows.map((r) => r.table_name);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export type PurgeResult = {
  /** Accounts deleted completely by this run. */
  purged: string[];
  /** Due accounts this run left unfinished (batch budget spent, or another worker holds them). */
  unfinished: string[];
  rowsDeleted: number;
  batches: number;
};

/**
 * Deletes every due account (deletion_scheduled_at ≤ now). `maxBatches` stops the run early
 * (tests use it to simulate a crash half-way; the next run finishes the job).
 */
export async function purgeDueAccounts(
  db: Db,
  opts: { now?: Date; batchSize?: number; maxBatches?: number; log?: (message: string) => void } = {},
): Promise<PurgeResult> {
  const now = opts.now ?? new Date();
  const batchSize = opts.batchSize ?? PURGE_BATCH_SIZE;
  let budget = opts.maxBatches ?? Number.POSITIVE_INFINITY;
  const result: PurgeResult = { purged: [], unfinished: [], rowsDeleted: 0, batches: 0 };
  const due = await queryRows<{ id: string }>(
    db,
    sql`select id from accounts where deletion_scheduled_at <= ${now.toISOString()}::timestamptz order by deletion_scheduled_at, id`,
  );
  if (due.length === 0) return result;
  const tables = (await tenantTables(db))
    .filter((t) => !NOT_BATCHED.has(t))
    .sort((a, b) => (ORDER[a] ?? UNKNOWN_TABLE_ORDER) - (ORDER[b] ?? UNKNOWN_TABLE_ORDER) || a.localeCompare(b));

  for (const { id } of due) {
    let finished = false;
    let held = true;
    accountLoop: for (const table of tables) {
      for (;;) {
        if (budget <= 0) break accountLoop;
        const deleted = await deleteBatch(db, { accountId: id, table, batchSize, now });
        if (deleted === null) {
          held = false;
          break accountLoop;
        }
        budget--;
        result.batches++;
        result.rowsDeleted += deleted;
        if (deleted < batchSize) break;
      }
    }
    if (held && budget > 0) {
      const final = await deleteAccount(db, { accountId: id, tables, now });
      if (final !== null) {
        budget--;
        result.batches++;
        result.rowsDeleted += final;
        finished = true;
        opts.log?.(`account ${id} purged`);
      }
    }
    (finished ? result.purged : result.unfinished).push(id);
  }
  return result;
}

/**
 * Locks the due account for this transaction, or answers null when it is not due any more
 * (cancelled, already gone) or another worker holds it.
 */
async function claim(tx: Db, accountId: string, now: Date, lock: "no key update" | "update"): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(
    tx,
    sql`select id from accounts where id = ${accountId}::uuid and deletion_scheduled_at <= ${now.toISOString()}::timestamptz
        for ${sql.raw(lock)} skip locked`,
  );
  return rows.length > 0;
}

/** One batch: up to `batchSize` rows of one table for the account, in one transaction. */
async function deleteBatch(db: Db, input: { accountId: string; table: string; batchSize: number; now: Date }): Promise<number | null> {
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    if (!(await claim(tx, input.accountId, input.now, "no key update"))) return null;
    const table = sql.raw(quoteIdent(input.table));
    const [row] = await queryRows<{ n: number | string }>(
      tx,
      sql`with gone as (
            delete from ${table} where ctid = any(array(
              select ctid from ${table} where account_id = ${input.accountId}::uuid limit ${input.batchSize}
            )) returning 1
          ) select count(*) as n from gone`,
    );
    return Number(row?.n ?? 0);
  });
}

/**
 * The last step, in one transaction: what is left of every table (rows added since their batch),
 * the sessions that pointed at the account move to another account of their user, the users who
 * belonged to no other account are deleted (operators of Tablewatch itself excepted), and the
 * account row goes, cascading to its memberships.
 */
async function deleteAccount(db: Db, input: { accountId: string; tables: string[]; now: Date }): Promise<number | null> {
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    if (!(await claim(tx, input.accountId, input.now, "update"))) return null;
    const id = sql`${input.accountId}::uuid`;
    let rows = 0;
    for (const name of input.tables) {
      const table = sql.raw(quoteIdent(name));
      const [row] = await queryRows<{ n: number | string }>(tx, sql`with gone as (delete from ${table} where account_id = ${id} returning 1) select count(*) as n from gone`);
      rows += Number(row?.n ?? 0);
    }
    await tx.execute(sql`
      update sessions s set account_id = (
        select m.account_id from memberships m where m.user_id = s.user_id and m.account_id <> ${id} order by m.created_at limit 1
      ) where s.account_id = ${id}`);
    const [users] = await queryRows<{ n: number | string }>(
      tx,
      sql`with gone as (
            delete from users u
            where exists (select 1 from memberships m where m.user_id = u.id and m.account_id = ${id})
              and not exists (select 1 from memberships m where m.user_id = u.id and m.account_id <> ${id})
              and not u.is_admin
            returning 1
          ) select count(*) as n from gone`,
    );
    const [account] = await queryRows<{ n: number | string }>(tx, sql`with gone as (delete from accounts where id = ${id} returning 1) select count(*) as n from gone`);
    return rows + Number(users?.n ?? 0) + Number(account?.n ?? 0);
  });
}

/**
 * The purge as one of the daily tasks (server/maintenance/daily.ts): soon after start-up and then
 * every 24 hours, in the process that runs the alarm worker; on PostgreSQL one process at a time
 * (an advisory lock), though the account locks above would keep several correct too.
 */
export function accountPurgeTask(opts: { batchSize?: number } = {}): DailyTask {
  return {
    name: "account purge",
    run: (db) => purgeDueAccounts(db, { batchSize: opts.batchSize, log: (message) => console.log(message) }),
  };
}
