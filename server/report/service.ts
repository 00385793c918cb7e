import { and, asc, desc, eq, gte, like, lte, sql, type SQL } from "drizzle-orm";
import { type Db, pgTextArray, preparedRows, queryRows } from "../../db/client";
import { alarmEvaluations, alarms, reportInstances, reports, tiles } from "../../db/schema";
import { invalidateTileCache } from "../dashboard/tile-cache";
import { badRequest, notFound } from "../errors";
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

/**
 * One instance: creates the report on first use (no lock on an existing report row, so pushes
 * to one report do not queue behind each other) and inserts the instance, in one statement.
 */
const INSERT_INSTANCE = `
  with created_report as (
    insert into reports (id, account_id, name) values ($1, $2, $3)
    on conflict (account_id, name) do nothing
    returning id
  ), report as (
    select id, $3::text as name from created_report
    union all
    select id, name from reports where account_id = $2 and name = $3
    limit 1
  ), inserted as (
    insert into report_instances (account_id, id, report_id, created, tags, rows, header, input, format, link, bytes)
    select $2, $4, report.id, $5, $6::text[], $7::jsonb, $8::jsonb, $9, $10, $11, $12
    from report
    returning account_id, id, report_id
  ), queued as (${QUEUE_EVALUATIONS}
  )
  select id from inserted`;

/**
 * A batch of instances (a JSON array, one object per instance: postgres.js cannot bind untyped
 * arrays) in one statement: the missing reports are created (one per name, `do nothing` on a
 * conflict), then every instance whose report is visible is inserted. A report that a concurrent
 * transaction created after this statement's snapshot is not visible: its instances are not in
 * `returning`, and the caller runs them again.
 */
const INSERT_INSTANCES = `
  with item as (
    select * from json_to_recordset($1::json) as i(
      report_id uuid, account_id uuid, name text, id uuid, created timestamptz, tags text[],
      rows jsonb, header jsonb, input text, format text, link text, bytes int)
  ), created_report as (
    insert into reports (id, account_id, name)
    select distinct on (account_id, name) report_id, account_id, name from item
    on conflict (account_id, name) do nothing
    returning id, account_id, name
  ), report as (
    select id, account_id, name from created_report
    union all
    select id, account_id, name from reports where (account_id, name) in (select account_id, name from item)
  ), inserted as (
    insert into report_instances (account_id, id, report_id, created, tags, rows, header, input, format, link, bytes)
    select item.account_id, item.id, report.id, item.created, item.tags, item.rows, item.header, item.input, item.format, item.link, item.bytes
    from item join report on report.account_id = item.account_id and report.name = item.name
    returning account_id, id, report_id
  ), queued as (${QUEUE_EVALUATIONS}
  )
  select id from inserted`;

/** An instance ready to store: `rowsJson` and `headerJson` are JSON texts. */
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
};

/** Stores one instance with the single statement; a report created concurrently is found on a second run. */
async function storeOne(db: Db, r: InstanceRow): Promise<void> {
  const params = [r.reportId, r.accountId, r.name, r.id, r.created, pgTextArray(r.tags), r.rowsJson, r.headerJson, r.input, r.format, r.link, r.bytes];
  const store = () => preparedRows<{ id: string }>(db, INSERT_INSTANCE, params);
  // A report created by a concurrent first push is not yet visible to this statement's snapshot:
  // then nothing was inserted, and a second run (new snapshot) finds the report.
  if ((await store()).length === 0 && (await store()).length === 0) {
    throw new Error(`report ${r.name} could not be created or found`);
  }
}

/** The batch as JSON for json_to_recordset; the rows and header are already JSON, so they are spliced in. */
function batchJson(rows: InstanceRow[]): string {
  let json = "[";
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    if (i) json += ",";
    json +=
      `{"report_id":"${r.reportId}","account_id":"${r.accountId}","name":${JSON.stringify(r.name)},"id":"${r.id}",` +
      `"created":"${r.created}","tags":${JSON.stringify(r.tags)},"rows":${r.rowsJson},"header":${r.headerJson},` +
      `"input":${JSON.stringify(r.input)},"format":${JSON.stringify(r.format)},"link":${JSON.stringify(r.link)},"bytes":${r.bytes}}`;
  }
  return json + "]";
}

type Queued = { row: InstanceRow; done: (error?: unknown) => void };

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
  /** What was written so far: batches, instances, the largest batch, instances run twice (report created concurrently), batches that fell back to one by one. */
  readonly stats = { batches: 0, instances: 0, largest: 0, reruns: 0, fallbacks: 0 };

  constructor(private readonly db: Db) {}

  write(row: InstanceRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, done: (error) => (error === undefined ? resolve() : reject(error)) });
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
    if (batch.length === 1) return settle(batch[0]!, storeOne(this.db, batch[0]!.row));
    let pending = batch;
    try {
      // Instances left out of `returning` belong to a report created concurrently after the
      // statement's snapshot: a second run (new snapshot) finds it.
      for (let run = 0; run < 2 && pending.length; run++) {
        const stored = await preparedRows<{ id: string }>(this.db, INSERT_INSTANCES, [batchJson(pending.map((q) => q.row))]);
        const ids = new Set(stored.map((r) => r.id));
        for (const q of pending) if (ids.has(q.row.id)) q.done();
        pending = pending.filter((q) => !ids.has(q.row.id));
        if (run === 0) this.stats.reruns += pending.length;
      }
    } catch {
      // The statement failed as a whole, so nothing of it was stored: one by one, only the bad one fails.
      this.stats.fallbacks++;
      for (const q of pending) await settle(q, storeOne(this.db, q.row));
      return;
    }
    for (const q of pending) q.done(new Error(`report ${q.row.name} could not be created or found`));
  }
}

async function settle(q: Queued, work: Promise<void>): Promise<void> {
  try {
    await work;
    q.done();
  } catch (error) {
    q.done(error);
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
 * report and the instance are committed.
 */
export async function ingest(
  db: Db,
  input: { accountId: string; name: string; body: string; contentType?: string; ip: string; params: IngestParams },
): Promise<InstanceView> {
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
  await instanceWriter(db).write({
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
  });
  return {
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

