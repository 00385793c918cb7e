import { and, asc, desc, eq, gte, like, lte, sql, type SQL } from "drizzle-orm";
import { type Db, preparedRows, queryRows } from "../../db/client";
import { reportInstances, reports } from "../../db/schema";
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
 * Creates the report on first use (no lock on an existing report row, so pushes to one report
 * do not queue behind each other) and inserts the instance, in one statement.
 */
const INSERT_INSTANCE = `
  with created_report as (
    insert into reports (id, account_id, name) values ($1, $2, $3)
    on conflict (account_id, name) do nothing
    returning id
  ), report as (
    select id from created_report
    union all
    select id from reports where account_id = $2 and name = $3
    limit 1
  )
  insert into report_instances (account_id, id, report_id, created, tags, rows, header, input, format, link, bytes)
  select $2, $4, report.id, $5, $6::text[], $7::jsonb, $8::jsonb, $9, $10, $11, $12
  from report
  returning id`;

/**
 * Stores one push as an instance of report `name`, creating the report on first use. Checks run
 * in the order of the API contract; the report creation and the instance insert are one
 * statement, so a successful return means both are committed.
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
  const rows = storable(parsed.table.rows) as unknown[][];
  const rowsJson = JSON.stringify(rows);
  const headerJson = JSON.stringify(parsed.table.header);
  const bytes = Buffer.byteLength(input.body) + Buffer.byteLength(rowsJson);
  const params = [uuidv7(), input.accountId, name, id, created.toISOString(), pgTextArray(allTags), rowsJson, headerJson, input.body, parsed.format, link, bytes];
  const store = () => preparedRows<{ id: string }>(db, INSERT_INSTANCE, params);
  // A report created by a concurrent first push is not yet visible to this statement's snapshot:
  // then nothing was inserted, and a second run (new snapshot) finds the report.
  if ((await store()).length === 0 && (await store()).length === 0) {
    throw new Error(`report ${name} could not be created or found`);
  }
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

/** A PostgreSQL text[] literal, quoting every element. */
function pgTextArray(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
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
  });
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
  return { deleted: Number(deleted?.count ?? 0) };
}

