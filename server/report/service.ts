import { and, asc, desc, eq, gte, like, lte, sql, type SQL } from "drizzle-orm";
import { type Db, pgTextArray, preparedRows, queryRows } from "../../db/client";
import { alarmEvaluations, alarms, reportInstances, reports, tiles } from "../../db/schema";
import { invalidateTileCache } from "../dashboard/tile-cache";
import { badRequest, notFound, planLimitReached, rateLimitExceeded } from "../errors";
import { allows, limitInfo } from "../plan/limits";
import { type ApiRateLimit, PLAN_PER_MINUTE, RATE_RESET_SECONDS, RATE_WINDOW_EXPIRED } from "../plan/rate-limit";
import { parseInput } from "../parsing";
import { uuidv7 } from "../tokens";
import { parseId, publicId } from "./ids";
import {
  checkReportName,
  chooseFormat,
  commaList,
  emptyReportData,
  MAX_TAGS,
  parseAutotags,
  parseCreated,
  parseDatetime,
  parseDelimiter,
  parseHeader,
  parseLink,
  parseTags,
} from "./params";

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** The parameters of a push, as strings from the query (validated here, in the specified order). */
export type IngestParams = {
  format?: string;
  tags?: string;
  created?: string;
  delimiter?: string;
  header?: string;
  autotags?: string;
  link?: string;
};

export type InstanceView = {
  id: string;
  reportName: string;
  tags: string[];
  created: Date;
  rows?: unknown[][];
  header?: number[];
  input?: unknown;
  format: string;
  link: string | null;
  bytes: number;
};

/**
 * The alarm evaluation queue is fed by the statement that stores the instance: an instance of a
 * report with an enabled alarm is queued in the same transaction, so a committed instance is
 * never left unevaluated (docs/decisions/0015-alarm-jobs-and-outbox.md). `inserted` holds
 * (account_id, id, report_id); the name comes from `report`.
 */
const QUEUE_EVALUATIONS = `
    insert into alarm_evaluations (account_id, instance_id, report_id)
    select inserted.account_id, inserted.id, inserted.report_id
    from inserted join report on report.id = inserted.report_id
    where exists (
      select 1 from alarms
      where alarms.account_id = inserted.account_id and alarms.report = report.name and alarms.enabled
    )
    returning 1`;

/** The UTC month `account_usage` counts in, as server/plan/limits.ts's monthOf spells it. */
const USAGE_MONTH = `to_char(now() at time zone 'UTC', 'YYYY-MM') || '-01'`;

/**
 * One instance, in one statement with its plan's limits (ADR 25): the API key's request is
 * counted against the plan's requests per minute (`$13`, the hashed rate-limit key, null when
 * not counted here); a new report name is created only while the plan's report limit allows it
 * (no lock on an existing report row, so pushes to one report do not queue behind each other);
 * during a grace period a report beyond the limit (newest first) is read-only; and the month's
 * instance counter in `account_usage` is raised only below the plan's limit (its row lock makes
 * that exact across processes). The last row says what was stored or why not (`refused`).
 */
const INSERT_INSTANCE = `
  with plan as (
    select p.name as plan_name,
      coalesce(p.max_reports, 2147483647) as max_reports,
      coalesce(p.max_instances_per_month, 2147483647) as max_instances,
      ${PLAN_PER_MINUTE} as per_minute,
      a.plan_grace_until is not null as grace
    from accounts a left join plans p on p.code = a.plan
    where a.id = $2
  ), rate as (
    insert into rate_limits (key, count, window_start)
    select $13::text, 1, now() where $13::text is not null
    on conflict (key) do update set
      count = case when ${RATE_WINDOW_EXPIRED} then 1 else rate_limits.count + 1 end,
      window_start = case when ${RATE_WINDOW_EXPIRED} then now() else rate_limits.window_start end
    returning count, window_start
  ), admitted as (
    select 1 from plan where coalesce((select count from rate), 0) <= plan.per_minute
  ), found as (
    select id, name, created_at from reports where account_id = $2 and name = $3
  ), new_report as (
    select (select count(*) from reports where account_id = $2) < plan.max_reports as allowed
    from plan, admitted
    where not exists (select 1 from found)
  ), created_report as (
    insert into reports (id, account_id, name)
    select $1, $2, $3 from new_report where allowed
    on conflict (account_id, name) do nothing
    returning id
  ), report as (
    select id, $3::text as name from created_report
    union all
    select found.id, found.name from found, plan, admitted
    where not plan.grace
      or (select count(*) from reports r where r.account_id = $2 and (r.created_at, r.id) < (found.created_at, found.id)) < plan.max_reports
    limit 1
  ), usage as (
    insert into account_usage (account_id, month, instances)
    select $2, ${USAGE_MONTH}, 1 from report, plan where plan.max_instances > 0
    on conflict (account_id, month) do update set instances = account_usage.instances + 1
    where account_usage.instances < (select max_instances from plan)
    returning instances
  ), inserted as (
    insert into report_instances (account_id, id, report_id, created, tags, rows, header, input, format, link, bytes)
    select $2, $4, report.id, $5, $6::text[], $7::jsonb, $8::jsonb, $9, $10, $11, $12
    from report, usage
    returning account_id, id, report_id
  ), queued as (${QUEUE_EVALUATIONS}
  )
  select i.id,
    case
      when i.id is not null then null
      when r.count > p.per_minute then 'rate'
      when (select allowed from new_report) = false then 'reports'
      when exists (select 1 from found) and not exists (select 1 from report) then 'readonly'
      when exists (select 1 from report) then 'instances'
    end as refused,
    r.count as rate_count, p.per_minute as rate_limit, ${RATE_RESET_SECONDS("r.window_start")} as rate_reset,
    (select instances from usage) as instances, p.max_instances, p.max_reports, p.plan_name,
    exists (select 1 from created_report) as report_created
  from (select 1) one
  left join plan p on true
  left join rate r on true
  left join inserted i on true`;

/**
 * A batch of instances (a JSON array, one object per instance: postgres.js cannot bind untyped
 * arrays) in one statement, kept lean because it is the hot path under load (ADR 25): the
 * requests are counted per API key (`rate_n` of them, each push knowing its `rate_rank`) and only
 * those within the key's limit go on; the missing reports are created (one per name, `do
 * nothing` on a conflict) when all of an account's new names fit under its report limit; then
 * every admitted instance whose report is visible and writable is inserted when its rank among
 * the account's pushes (`acct_rank`) fits in the month's instances. Only the stored ids, the
 * keys' counts and the accounts' counters come back. A push neither stored nor over its key's
 * rate limit is run again alone by the single statement, which says exactly why it is refused
 * (a limit) or stores it (a report a concurrent transaction created after this statement's
 * snapshot, a rank pushed past the limit by a refused neighbour).
 */
const INSERT_INSTANCES = `
  with item as (
    select * from json_to_recordset($1::json) as i(
      report_id uuid, account_id uuid, name text, id uuid, created timestamptz, tags text[],
      rows jsonb, header jsonb, input text, format text, link text, bytes int,
      rate_key text, rate_rank int, rate_n int, acct_rank int)
  ), plan as (
    select a.id as account_id,
      coalesce(p.max_reports, 2147483647) as max_reports,
      coalesce(p.max_instances_per_month, 2147483647) as max_instances,
      ${PLAN_PER_MINUTE} as per_minute,
      a.plan_grace_until is not null as grace
    from accounts a left join plans p on p.code = a.plan
    where a.id in (select account_id from item)
  ), rate as (
    insert into rate_limits (key, count, window_start)
    select rate_key, max(rate_n), now() from item where rate_key is not null group by rate_key
    on conflict (key) do update set
      count = case when ${RATE_WINDOW_EXPIRED} then excluded.count else rate_limits.count + excluded.count end,
      window_start = case when ${RATE_WINDOW_EXPIRED} then now() else rate_limits.window_start end
    returning key, count, window_start
  ), admitted as (
    select item.* from item
    join plan on plan.account_id = item.account_id
    left join rate on rate.key = item.rate_key
    where rate.key is null or rate.count - item.rate_n + item.rate_rank <= plan.per_minute
  ), found as (
    select r.id, r.account_id, r.name, r.created_at from reports r
    where (r.account_id, r.name) in (select account_id, name from admitted)
  ), new_name as (
    select a.account_id, a.name, (array_agg(a.report_id))[1] as report_id from admitted a
    where not exists (select 1 from found f where f.account_id = a.account_id and f.name = a.name)
    group by a.account_id, a.name
  ), created_report as (
    insert into reports (id, account_id, name)
    select n.report_id, n.account_id, n.name from new_name n
    where n.account_id in (
      select c.account_id from new_name c join plan on plan.account_id = c.account_id
      group by c.account_id, plan.max_reports
      having count(*) + (select count(*) from reports r where r.account_id = c.account_id) <= plan.max_reports)
    on conflict (account_id, name) do nothing
    returning id, account_id, name
  ), report as (
    select id, account_id, name from created_report
    union all
    select f.id, f.account_id, f.name from found f
    join plan on plan.account_id = f.account_id
    where not plan.grace
      or (select count(*) from reports r where r.account_id = f.account_id and (r.created_at, r.id) < (f.created_at, f.id)) < plan.max_reports
  ), allowed as (
    select a.*, report.id as rid from admitted a
    join report on report.account_id = a.account_id and report.name = a.name
    join plan on plan.account_id = a.account_id
    left join account_usage u on u.account_id = a.account_id and u.month = ${USAGE_MONTH}
    where a.acct_rank + coalesce(u.instances, 0) <= plan.max_instances
  ), usage as (
    insert into account_usage (account_id, month, instances)
    select account_id, ${USAGE_MONTH}, count(*) from allowed group by account_id
    on conflict (account_id, month) do update set instances = account_usage.instances + excluded.instances
    where account_usage.instances + excluded.instances <= (select plan.max_instances from plan where plan.account_id = account_usage.account_id)
    returning account_id, instances
  ), inserted as (
    insert into report_instances (account_id, id, report_id, created, tags, rows, header, input, format, link, bytes)
    select a.account_id, a.id, a.rid, a.created, a.tags, a.rows, a.header, a.input, a.format, a.link, a.bytes
    from allowed a where a.account_id in (select account_id from usage)
    returning account_id, id, report_id
  ), queued as (${QUEUE_EVALUATIONS}
  )
  select
    (select coalesce(json_agg(inserted.id), '[]'::json) from inserted) as ids,
    (select coalesce(json_agg(json_build_array(rate.key, rate.count, ${RATE_RESET_SECONDS("rate.window_start")})), '[]'::json) from rate) as rates,
    (select coalesce(json_agg(json_build_array(plan.account_id, plan.per_minute, usage.instances, plan.max_instances)), '[]'::json)
      from plan left join usage on usage.account_id = plan.account_id) as accounts,
    (select coalesce(json_agg(json_build_array(created_report.account_id, created_report.name)), '[]'::json) from created_report) as created`;

/**
 * The batch statement when every report of the batch is known to exist (this process stored a
 * push to it before, see InstanceWriter): the same checks with far fewer plan nodes, the hot
 * path under load. Measured (ADR 25): the statement that may create reports cost PostgreSQL about
 * twice the CPU of the statement of ADR 7 for a batch of four pushes, most of it executor
 * start-up and hash joins of its generic plan (one plan node per CTE, union, aggregate and
 * subplan, all initialised on every run whether used or not); this one costs about a fifth less.
 * - Each account's plan and each key's window come from the first push of that account and key
 *   (`first_of_account`, `first_of_key`, set in batchJson: no aggregate for them).
 * - A push is stored when its key's rank fits the rate limit (as INSERT_INSTANCES), its report is
 *   found and writable (grace period, as INSERT_INSTANCES), and ALL of its account's pushes so
 *   admitted fit in the month's instances (`account_usage` is raised by their count in one upsert,
 *   only while it stays within the limit: the row lock makes it exact across processes). Near the
 *   monthly limit a batch that does not fit as a whole stores none of that account's pushes, and
 *   the single statement then stores or refuses them one by one in push order, as it does every
 *   push this statement leaves: a report that is gone after all (deleted) is created again there.
 */
const INSERT_KNOWN_INSTANCES = `
  with item as (
    select * from json_to_recordset($1::json) as i(
      account_id uuid, name text, id uuid, created timestamptz, tags text[],
      rows jsonb, header jsonb, input text, format text, link text, bytes int,
      rate_key text, rate_rank int, rate_n int, first_of_key boolean, first_of_account boolean)
  ), plan as (
    select a.id as account_id,
      coalesce(p.max_instances_per_month, 2147483647) as max_instances,
      coalesce(p.max_reports, 2147483647) as max_reports,
      ${PLAN_PER_MINUTE} as per_minute,
      a.plan_grace_until is not null as grace
    from item join accounts a on a.id = item.account_id left join plans p on p.code = a.plan
    where item.first_of_account
  ), rate as (
    insert into rate_limits (key, count, window_start)
    select rate_key, rate_n, now() from item where first_of_key
    on conflict (key) do update set
      count = case when ${RATE_WINDOW_EXPIRED} then excluded.count else rate_limits.count + excluded.count end,
      window_start = case when ${RATE_WINDOW_EXPIRED} then now() else rate_limits.window_start end
    returning key, count, window_start
  ), allowed as (
    select item.*, r.id as rid from item
    join plan on plan.account_id = item.account_id
    left join rate on rate.key = item.rate_key
    join reports r on r.account_id = item.account_id and r.name = item.name
    where (rate.key is null or rate.count - item.rate_n + item.rate_rank <= plan.per_minute)
      and (not plan.grace
        or (select count(*) from reports g where g.account_id = r.account_id and (g.created_at, g.id) < (r.created_at, r.id)) < plan.max_reports)
  ), usage as (
    insert into account_usage as u (account_id, month, instances)
    select plan.account_id, ${USAGE_MONTH}, n.n
    from plan, lateral (select count(*)::int as n from allowed where allowed.account_id = plan.account_id) n
    where n.n > 0 and n.n <= plan.max_instances
    on conflict (account_id, month) do update set instances = u.instances + excluded.instances
    where u.instances + excluded.instances <= (select plan.max_instances from plan where plan.account_id = u.account_id)
    returning account_id, instances
  ), inserted as (
    insert into report_instances (account_id, id, report_id, created, tags, rows, header, input, format, link, bytes)
    select a.account_id, a.id, a.rid, a.created, a.tags, a.rows, a.header, a.input, a.format, a.link, a.bytes
    from allowed a where a.account_id in (select account_id from usage)
    returning account_id, id, report_id
  ), queued as (
    insert into alarm_evaluations (account_id, instance_id, report_id)
    select inserted.account_id, inserted.id, inserted.report_id
    from inserted join allowed on allowed.id = inserted.id
    where exists (
      select 1 from alarms
      where alarms.account_id = inserted.account_id and alarms.report = allowed.name and alarms.enabled
    )
    returning 1
  )
  select
    (select coalesce(json_agg(inserted.id), '[]'::json) from inserted) as ids,
    (select coalesce(json_agg(json_build_array(rate.key, rate.count, ${RATE_RESET_SECONDS("rate.window_start")})), '[]'::json) from rate) as rates,
    (select coalesce(json_agg(json_build_array(plan.account_id, plan.per_minute, usage.instances, plan.max_instances)), '[]'::json)
      from plan left join usage on usage.account_id = plan.account_id) as accounts`;

/** An instance ready to store: `rowsJson` and `headerJson` are JSON texts; `rateKey` counts the push against its API key's rate limit. */
type InstanceRow = {
  reportId: string;
  accountId: string;
  name: string;
  id: string;
  created: string;
  tags: string[];
  rowsJson: string;
  headerJson: string;
  input: string;
  format: string;
  link: string | null;
  bytes: number;
  rateKey: string | null;
};

/** Why a push was not stored: over the key's rate limit, the plan's report limit, a read-only report (grace period), the month's instances. */
export type Refusal = "rate" | "reports" | "readonly" | "instances";

/** What became of a push, from the statement's last row. */
export type StoreOutcome = {
  stored: boolean;
  refused: Refusal | null;
  /** The key's rate-limit window after this push, when it was counted. */
  rate: ApiRateLimit | null;
  /** The month's instances with this one (when stored) and the plan's limits. */
  instances: number | null;
  maxInstances: number;
  maxReports: number;
  planName: string;
  /** This push created its report. */
  reportCreated: boolean;
};

type OutcomeRow = {
  id?: string | null;
  stored?: boolean;
  refused: Refusal | null;
  rate_count: number | string | null;
  rate_limit: number | string | null;
  rate_reset: number | string | null;
  instances: number | string | null;
  max_instances: number | string | null;
  max_reports: number | string | null;
  plan_name: string | null;
  report_created: boolean;
};

function outcomeOf(row: OutcomeRow, stored: boolean, rate: ApiRateLimit | null): StoreOutcome {
  return {
    stored,
    refused: row.refused,
    rate:
      rate ??
      (row.rate_count === null ? null : { count: Number(row.rate_count), limit: Number(row.rate_limit), reset: Number(row.rate_reset) }),
    instances: row.instances === null ? null : Number(row.instances),
    maxInstances: Number(row.max_instances ?? 0),
    maxReports: Number(row.max_reports ?? 0),
    planName: row.plan_name ?? "current",
    reportCreated: Boolean(row.report_created),
  };
}

/**
 * Stores one instance with the single statement. Nothing stored and nothing refused means a
 * report created by a concurrent first push was not yet visible to the statement's snapshot: a
 * second run (new snapshot, the request not counted again) finds it.
 */
async function storeOne(db: Db, r: InstanceRow): Promise<StoreOutcome> {
  const run = async (rateKey: string | null) => {
    const params = [r.reportId, r.accountId, r.name, r.id, r.created, pgTextArray(r.tags), r.rowsJson, r.headerJson, r.input, r.format, r.link, r.bytes, rateKey];
    const [row] = await preparedRows<OutcomeRow>(db, INSERT_INSTANCE, params);
    return row!;
  };
  const first = await run(r.rateKey);
  if (first.id || first.refused) return outcomeOf(first, Boolean(first.id), null);
  const rate = outcomeOf(first, false, null).rate;
  const second = await run(null);
  if (second.id || second.refused) return outcomeOf(second, Boolean(second.id), rate);
  throw new Error(`report ${r.name} could not be created or found`);
}

/**
 * The batch as JSON for json_to_recordset; the rows and header are already JSON, so they are
 * spliced in. Each push carries its rank among the batch's pushes of its API key and of its
 * account, how many its key has, and whether it is the first of its key and of its account, in
 * push order.
 */
function batchJson(rows: InstanceRow[]): string {
  const perKey = new Map<string, number>();
  const perAccount = new Map<string, number>();
  const rateRank: number[] = [];
  const acctRank: number[] = [];
  for (const r of rows) {
    if (r.rateKey !== null) perKey.set(r.rateKey, (perKey.get(r.rateKey) ?? 0) + 1);
    rateRank.push(r.rateKey === null ? 0 : perKey.get(r.rateKey)!);
    perAccount.set(r.accountId, (perAccount.get(r.accountId) ?? 0) + 1);
    acctRank.push(perAccount.get(r.accountId)!);
  }
  // The first push of each key and account carries the key's count (rate_n) and the account's plan (INSERT_KNOWN_INSTANCES).
  let json = "[";
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (i) json += ",";
    json +=
      `{"report_id":"${r.reportId}","account_id":"${r.accountId}","name":${JSON.stringify(r.name)},"id":"${r.id}",` +
      `"created":"${r.created}","tags":${JSON.stringify(r.tags)},"rows":${r.rowsJson},"header":${r.headerJson},` +
      `"input":${JSON.stringify(r.input)},"format":${JSON.stringify(r.format)},"link":${JSON.stringify(r.link)},"bytes":${r.bytes},` +
      (r.rateKey === null
        ? `"rate_key":null,"rate_rank":0,"rate_n":0,"first_of_key":false,`
        : `"rate_key":"${r.rateKey}","rate_rank":${rateRank[i]},"rate_n":${perKey.get(r.rateKey)},"first_of_key":${rateRank[i] === 1},`) +
      `"acct_rank":${acctRank[i]},"first_of_account":${acctRank[i] === 1}}`;
  }
  return json + "]";
}

type Queued = { row: InstanceRow; done: (outcome: StoreOutcome | null, error?: unknown) => void; rate?: ApiRateLimit | null };

/** A batch holds at most this many instances, or this many bytes of input (one large push goes alone). */
const MAX_BATCH_ITEMS = 200;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Group commit: the instances pushed while a batch is being written wait in a queue, and the
 * next batch writes them all with one statement (one transaction, one commit). One batch per
 * process and database is in flight at a time, so the batch size follows the load by itself:
 * a lone push is written at once, alone, with the single statement. Each push's promise settles
 * only once its batch is committed. A failed batch is retried one instance at a time, so only
 * the instance at fault fails.
 */
class InstanceWriter {
  private queue: Queued[] = [];
  private busy = false;
  /**
   * Reports (account and name) this process stored a push to: a batch of only these runs the lean
   * statement (INSERT_KNOWN_INSTANCES). A hint, never trusted: a report deleted since is simply not
   * found there, and its pushes go to the single statement, which creates it again.
   */
  private readonly known = new Set<string>();
  /** What was written so far: batches, instances, the largest batch, instances run twice (report created concurrently), batches that fell back to one by one, batches of known reports (the lean statement). */
  readonly stats = { batches: 0, instances: 0, largest: 0, reruns: 0, fallbacks: 0, lean: 0 };

  constructor(private readonly db: Db) {}

  write(row: InstanceRow): Promise<StoreOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, done: (outcome, error) => (outcome ? resolve(outcome) : reject(error)) });
      if (!this.busy) {
        this.busy = true;
        // Pushes whose requests were read in the same turn of the event loop join this batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) {
        let n = 0;
        let bytes = 0;
        while (n < this.queue.length && n < MAX_BATCH_ITEMS && (n === 0 || bytes + this.queue[n]!.row.bytes <= MAX_BATCH_BYTES)) {
          bytes += this.queue[n]!.row.bytes;
          n++;
        }
        await this.writeBatch(this.queue.splice(0, n));
      }
    } finally {
      this.busy = false;
      if (this.queue.length) {
        this.busy = true;
        setImmediate(() => void this.drain());
      }
    }
  }

  private async writeBatch(batch: Queued[]): Promise<void> {
    this.stats.batches++;
    this.stats.instances += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    if (batch.length === 1) return this.settle(batch[0]!, storeOne(this.db, batch[0]!.row));
    const lean = batch.every((q) => this.known.has(reportKey(q.row)));
    if (lean) this.stats.lean++;
    let result: BatchResult;
    try {
      [result] = (await preparedRows<BatchResult>(this.db, lean ? INSERT_KNOWN_INSTANCES : INSERT_INSTANCES, [
        batchJson(batch.map((q) => q.row)),
      ])) as [BatchResult];
    } catch {
      // The statement failed as a whole, so nothing of it was stored (nor counted): one by one, only the bad one fails.
      this.stats.fallbacks++;
      for (const q of batch) await this.settle(q, storeOne(this.db, q.row));
      return;
    }
    const ids = new Set(parseJson<string[]>(result.ids));
    const rates = new Map(parseJson<[string, number, number][]>(result.rates).map(([key, count, reset]) => [key, { count: Number(count), reset: Number(reset) }]));
    const accounts = new Map(
      parseJson<[string, number, number | null, number][]>(result.accounts).map(([id, perMinute, instances, maxInstances]) => [
        id,
        { perMinute: Number(perMinute), instances: instances === null ? null : Number(instances), maxInstances: Number(maxInstances) },
      ]),
    );
    const created = new Set(parseJson<[string, string][]>(result.created ?? "[]").map(([account, name]) => `${account}/${name}`));
    // Each push's place in its key's count and in its account's stored instances, in push order.
    const keySeen = new Map<string, number>();
    const keyTotal = new Map<string, number>();
    const storedTotal = new Map<string, number>();
    for (const q of batch) {
      if (q.row.rateKey !== null) keyTotal.set(q.row.rateKey, (keyTotal.get(q.row.rateKey) ?? 0) + 1);
      if (ids.has(q.row.id)) storedTotal.set(q.row.accountId, (storedTotal.get(q.row.accountId) ?? 0) + 1);
    }
    const storedSeen = new Map<string, number>();
    const again: Queued[] = [];
    for (const q of batch) {
      const account = accounts.get(q.row.accountId);
      const key = q.row.rateKey;
      let rate: ApiRateLimit | null = null;
      if (key !== null && account) {
        const r = rates.get(key);
        const seen = (keySeen.get(key) ?? 0) + 1;
        keySeen.set(key, seen);
        if (r) rate = { count: r.count - keyTotal.get(key)! + seen, limit: account.perMinute, reset: r.reset };
      }
      if (ids.has(q.row.id)) {
        this.remember(q.row);
        const seen = (storedSeen.get(q.row.accountId) ?? 0) + 1;
        storedSeen.set(q.row.accountId, seen);
        const instances = account?.instances == null ? null : account.instances - storedTotal.get(q.row.accountId)! + seen;
        q.done({
          stored: true,
          refused: null,
          rate,
          instances,
          maxInstances: account?.maxInstances ?? 0,
          maxReports: 0,
          planName: "",
          reportCreated: created.has(`${q.row.accountId}/${q.row.name}`),
        });
      } else if (rate && rate.count > rate.limit) {
        q.done({ stored: false, refused: "rate", rate, instances: null, maxInstances: 0, maxReports: 0, planName: "", reportCreated: false });
      } else {
        // Counted already: alone again, the single statement stores it or says which limit refuses it.
        again.push({ ...q, row: { ...q.row, rateKey: null }, rate });
      }
    }
    this.stats.reruns += again.length;
    for (const q of again) await this.settle(q, storeOne(this.db, q.row));
  }

  private remember(row: InstanceRow): void {
    if (this.known.size >= MAX_KNOWN_REPORTS) this.known.clear();
    this.known.add(reportKey(row));
  }

  /** Settles a push written by the single statement, remembering its report when it was stored. */
  private async settle(q: Queued, work: Promise<StoreOutcome>): Promise<void> {
    return settle(
      q,
      work.then((outcome) => {
        if (outcome.stored) this.remember(q.row);
        return outcome;
      }),
    );
  }
}

/** The known reports a process remembers (then it starts over: the hint only saves CPU). */
const MAX_KNOWN_REPORTS = 10_000;

const reportKey = (row: InstanceRow) => `${row.accountId}/${row.name}`;

/** `created` only from INSERT_INSTANCES (the lean statement creates no report). */
type BatchResult = { ids: unknown; rates: unknown; accounts: unknown; created?: unknown };

/** A json column as the driver gives it: parsed by postgres.js, maybe text elsewhere. */
function parseJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

async function settle(q: Queued, work: Promise<StoreOutcome>): Promise<void> {
  try {
    const outcome = await work;
    q.done(q.rate && !outcome.rate ? { ...outcome, rate: q.rate } : outcome);
  } catch (error) {
    q.done(null, error);
  }
}

const writers = new WeakMap<Db, InstanceWriter>();

function instanceWriter(db: Db): InstanceWriter {
  let writer = writers.get(db);
  if (!writer) writers.set(db, (writer = new InstanceWriter(db)));
  return writer;
}

/** Batches written through this database handle in this process (for tests and diagnostics). */
export function ingestStats(db: Db): Readonly<InstanceWriter["stats"]> {
  return { ...instanceWriter(db).stats };
}

/**
 * Stores one push as an instance of report `name`, creating the report on first use. Checks run
 * in the order of the API contract; the instance is written with the pushes that arrive at the
 * same time (one statement per batch, see InstanceWriter), so a successful return means the
 * report and the instance are committed. The plan's limits are applied by that statement
 * (ADR 25): over the key's requests per minute, 429 ERROR_RATE_LIMIT; a new report beyond the
 * report limit, a read-only report (grace period) or the month's instances used up, 429
 * ERROR_PLAN_LIMIT.
 */
export async function ingest(
  db: Db,
  input: {
    accountId: string;
    name: string;
    body: string;
    contentType?: string;
    ip: string;
    params: IngestParams;
    /** The hashed rate-limit key of the pushing API key (server/plan/rate-limit.ts), counted by the statement; none: not counted. */
    rateKey?: string | null;
    /** Told the key's rate-limit window once the statement counted the push (also when it is refused). */
    onRate?: (rate: ApiRateLimit) => void;
  },
): Promise<InstanceView & { outcome: StoreOutcome }> {
  if (input.body.trim() === "") throw emptyReportData();
  const name = checkReportName(input.name);
  const p = input.params;
  const tags = parseTags(p.tags);
  const delimiter = parseDelimiter(p.delimiter);
  const link = parseLink(p.link);
  const header = parseHeader(p.header);
  const created = parseCreated(p.created);
  const autotags = parseAutotags(p.autotags, input.ip);
  const allTags = [...new Set([...tags, ...autotags])];
  // An automatic tag counts like any other: refused, never silently dropped.
  if (allTags.length > MAX_TAGS) {
    throw badRequest(`Too many tags: ${allTags.length} given with the automatic ones, at most ${MAX_TAGS} allowed`);
  }
  const { format, explicit } = chooseFormat(p.format, input.contentType);

  const parsed = parseInput(input.body, { format, delimiter, header: header ?? null });
  if (!parsed.ok) throw badRequest(explicit ? `Cannot parse input using format ${format}` : "Cannot parse input");

  const id = uuidv7();
  let rows = parsed.table.rows;
  let rowsJson = JSON.stringify(rows);
  // JSON.stringify escapes exactly what jsonb cannot hold (NUL, lone surrogates) as \u0000 and
  // \udXXX: only then is the table cleaned (a false alarm just costs the cleaning).
  if (MAY_BE_UNSTORABLE.test(rowsJson)) {
    rows = storable(rows) as unknown[][];
    rowsJson = JSON.stringify(rows);
  }
  const bytes = Buffer.byteLength(input.body) + Buffer.byteLength(rowsJson);
  const outcome = await instanceWriter(db).write({
    reportId: uuidv7(),
    accountId: input.accountId,
    name,
    id,
    created: created.toISOString(),
    tags: allTags,
    rowsJson,
    headerJson: JSON.stringify(parsed.table.header),
    input: input.body,
    format: parsed.format,
    link,
    bytes,
    rateKey: input.rateKey ?? null,
  });
  if (outcome.rate) input.onRate?.(outcome.rate);
  if (outcome.refused) throw refusal(outcome, name);
  return {
    outcome,
    id,
    reportName: name,
    tags: allTags,
    created,
    rows,
    header: parsed.table.header,
    format: parsed.format,
    link,
    bytes,
  };
}

/** The error for a push the statement refused. */
function refusal(o: StoreOutcome, name: string) {
  switch (o.refused) {
    case "rate":
      return rateLimitExceeded(o.rate?.limit ?? 0, o.rate?.reset ?? 60);
    case "reports":
      return planLimitReached("reports", o.planName, allows("reports", o.maxReports), limitInfo.reports.action);
    case "readonly":
      return planLimitReached(
        "reports",
        o.planName,
        allows("reports", o.maxReports),
        `push to report ${name} again (after a plan change, reports beyond the limit are read-only)`,
      );
    default:
      return planLimitReached("instancesPerMonth", o.planName, allows("instancesPerMonth", o.maxInstances), limitInfo.instancesPerMonth.action);
  }
}

const MAY_BE_UNSTORABLE = /\\u(?:0000|d[89a-f])/;
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * PostgreSQL's jsonb holds no NUL character and no lone UTF-16 surrogate, which JSON input can
 * spell as escapes; such characters become U+FFFD in the table (the original input is kept).
 */
export function storable(value: unknown): unknown {
  if (typeof value === "string") return value.replace(UNSTORABLE, "\ufffd");
  if (Array.isArray(value)) return value.map(storable);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(UNSTORABLE, "\ufffd"), storable(v)]));
  }
  return value;
}

/** Instances having all of `tags` (served by the GIN index on tags). */
export function hasAllTags(tags: string[]): SQL {
  return sql`${reportInstances.tags} @> ${pgTextArray(tags)}::text[]`;
}

export function parseLimit(value: number | string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_LIMIT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw badRequest(`Invalid limit ${String(value).slice(0, 20)}: must be between 1 and ${MAX_LIMIT}`);
  }
  return n;
}

async function findReport(db: Db, accountId: string, name: string) {
  const [report] = await db
    .select({ id: reports.id, name: reports.name })
    .from(reports)
    .where(and(eq(reports.accountId, accountId), eq(reports.name, name)));
  if (!report) throw notFound(`Report ${name.slice(0, 200)} not found`);
  return report;
}

/** Reports of an account sorted by name, from after `lastName`, optionally by name prefix. */
export async function listReportNames(
  db: Db,
  input: { accountId: string; prefix?: string; lastName?: string; limit?: number | string },
): Promise<{ names: string[]; full: boolean }> {
  const limit = parseLimit(input.limit);
  const where: SQL[] = [eq(reports.accountId, input.accountId)];
  if (input.prefix) where.push(like(reports.name, `${input.prefix.replace(/[\\%_]/g, "\\$&")}%`));
  if (input.lastName) where.push(sql`${reports.name} collate "C" > ${input.lastName}`);
  const rows = await db
    .select({ name: reports.name })
    .from(reports)
    .where(and(...where))
    .orderBy(sql`${reports.name} collate "C"`)
    .limit(limit);
  return { names: rows.map((r) => r.name), full: rows.length === limit };
}

export type InstanceFilter = {
  from?: string;
  to?: string;
  tags?: string;
};

function filterConditions(reportId: string, accountId: string, f: InstanceFilter): SQL[] {
  const where: SQL[] = [eq(reportInstances.accountId, accountId), eq(reportInstances.reportId, reportId)];
  if (f.from) where.push(gte(reportInstances.created, parseDatetime("from", f.from)));
  if (f.to) where.push(lte(reportInstances.created, parseDatetime("to", f.to)));
  const tags = commaList(f.tags);
  if (tags.length) where.push(hasAllTags(tags));
  return where;
}

/** The (created, id) position of an instance of the report, for cursors. */
async function cursorOf(db: Db, accountId: string, reportId: string, id: string, param: string) {
  const [row] = await db
    .select({ created: reportInstances.created, id: reportInstances.id })
    .from(reportInstances)
    .where(and(eq(reportInstances.accountId, accountId), eq(reportInstances.reportId, reportId), eq(reportInstances.id, parseId(id))));
  if (!row) throw notFound(`Report instance with id ${id.slice(0, 100)} not found (${param})`);
  return row;
}

export async function listInstances(
  db: Db,
  input: InstanceFilter & {
    accountId: string;
    name: string;
    order?: "asc" | "desc";
    fromId?: string;
    lastId?: string;
    limit?: number | string;
    expand: boolean;
    expandInput: boolean;
  },
): Promise<{ instances: InstanceView[]; full: boolean }> {
  const limit = parseLimit(input.limit);
  const report = await findReport(db, input.accountId, input.name);
  const where = filterConditions(report.id, input.accountId, input);
  const desc_ = input.order === "desc";
  const position = sql`(${reportInstances.created}, ${reportInstances.id})`;
  if (input.fromId) {
    const c = await cursorOf(db, input.accountId, report.id, input.fromId, "fromId");
    where.push(desc_ ? sql`${position} <= (${c.created.toISOString()}::timestamptz, ${c.id}::uuid)` : sql`${position} >= (${c.created.toISOString()}::timestamptz, ${c.id}::uuid)`);
  }
  if (input.lastId) {
    const c = await cursorOf(db, input.accountId, report.id, input.lastId, "lastId");
    where.push(desc_ ? sql`${position} < (${c.created.toISOString()}::timestamptz, ${c.id}::uuid)` : sql`${position} > (${c.created.toISOString()}::timestamptz, ${c.id}::uuid)`);
  }
  const rows = await db
    .select({
      id: reportInstances.id,
      tags: reportInstances.tags,
      created: reportInstances.created,
      format: reportInstances.format,
      link: reportInstances.link,
      bytes: reportInstances.bytes,
      rows: input.expand ? reportInstances.rows : sql<null>`null`,
      header: input.expand ? reportInstances.header : sql<null>`null`,
      input: input.expandInput ? reportInstances.input : sql<null>`null`,
    })
    .from(reportInstances)
    .where(and(...where))
    .orderBy(...(desc_ ? [desc(reportInstances.created), desc(reportInstances.id)] : [asc(reportInstances.created), asc(reportInstances.id)]))
    .limit(limit);
  return {
    instances: rows.map((r) => ({
      id: r.id,
      reportName: report.name,
      tags: r.tags,
      created: r.created,
      format: r.format,
      link: r.link,
      bytes: r.bytes,
      ...(input.expand ? { rows: r.rows ?? [], header: r.header ?? [] } : {}),
      ...(input.expandInput ? { input: originalInput(r.input ?? "", r.format) } : {}),
    })),
    full: rows.length === limit,
  };
}

/** The original input: parsed JSON when it was JSON, else the text. */
export function originalInput(text: string, format: string): unknown {
  if (format === "json" || format === "jsonraw") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export async function getInstance(db: Db, input: { accountId: string; name: string; id: string }): Promise<InstanceView> {
  const report = await findReport(db, input.accountId, input.name);
  const id = parseId(input.id);
  const [row] = await db
    .select()
    .from(reportInstances)
    .where(and(eq(reportInstances.accountId, input.accountId), eq(reportInstances.reportId, report.id), eq(reportInstances.id, id)));
  if (!row) throw notFound(`Report instance with id ${publicId(id)} not found`);
  return {
    id: row.id,
    reportName: report.name,
    tags: row.tags,
    created: row.created,
    rows: row.rows,
    header: row.header,
    input: originalInput(row.input, row.format),
    format: row.format,
    link: row.link,
    bytes: row.bytes,
  };
}

/** Deletes the report with all its instances (and, as they come, its alarms and tiles). */
export async function deleteReport(db: Db, input: { accountId: string; name: string }): Promise<void> {
  const report = await findReport(db, input.accountId, input.name);
  await db.transaction(async (tx) => {
    await tx.delete(reportInstances).where(and(eq(reportInstances.accountId, input.accountId), eq(reportInstances.reportId, report.id)));
    await tx.delete(reports).where(and(eq(reports.accountId, input.accountId), eq(reports.id, report.id)));
    // Every tile showing it goes too (dashboards keep no tile of a report that is gone).
    await tx.delete(tiles).where(and(eq(tiles.accountId, input.accountId), eq(tiles.report, report.name)));
    // And its alarms, with their states and history (a new report of the same name starts clean).
    await tx.delete(alarms).where(and(eq(alarms.accountId, input.accountId), eq(alarms.report, report.name)));
    await tx.delete(alarmEvaluations).where(and(eq(alarmEvaluations.accountId, input.accountId), eq(alarmEvaluations.reportId, report.id)));
  });
  invalidateTileCache(input.accountId);
}

/** Deletes the matching instances (all when no filter), without an upper bound. */
export async function deleteInstances(
  db: Db,
  input: InstanceFilter & { accountId: string; name: string; id?: string },
): Promise<{ deleted: number }> {
  const report = await findReport(db, input.accountId, input.name);
  const where = filterConditions(report.id, input.accountId, input);
  if (input.id !== undefined) where.push(eq(reportInstances.id, parseId(input.id)));
  const [deleted] = await queryRows<{ count: number }>(
    db,
    sql`with d as (delete from report_instances where ${and(...where)} returning 1) select count(*)::int as count from d`,
  );
  invalidateTileCache(input.accountId); // cached tiles must not draw deleted instances (ADR 10)
  return { deleted: Number(deleted?.count ?? 0) };
}

