import { and, asc, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { reportInstances, reports } from "../../db/schema";
import { badRequest, notFound } from "../errors";
import { cellNumber } from "../parsing";
import { parseId } from "./ids";
import { hasAllTags } from "./service";

/** What the web app shows about the account's reports: counts and bytes are aggregated from the instances. */
export type ReportSummary = { name: string; lastInstanceAt: Date | null; instanceCount: number; bytes: number; createdAt: Date };

/** Reports with their instance counts, stored bytes and newest instance; one report when `reportId` is given. */
export async function reportSummaries(db: Db, accountId: string, reportId?: string): Promise<ReportSummary[]> {
  const rows = await queryRows<{ name: string; created_at: string | Date; last: string | Date | null; count: number; bytes: string | number }>(
    db,
    sql`select r.name, r.created_at, s.last, coalesce(s.count, 0)::int as count, coalesce(s.bytes, 0)::bigint as bytes
        from reports r
        left join (
          select report_id, max(created) as last, count(*) as count, sum(bytes) as bytes
          from report_instances
          where account_id = ${accountId} ${reportId ? sql`and report_id = ${reportId}` : sql``}
          group by report_id
        ) s on s.report_id = r.id
        where r.account_id = ${accountId} ${reportId ? sql`and r.id = ${reportId}` : sql``}
        order by coalesce(s.last, r.created_at) desc`,
  );
  return rows.map((r) => ({
    name: r.name,
    createdAt: new Date(r.created_at),
    lastInstanceAt: r.last ? new Date(r.last) : null,
    instanceCount: Number(r.count),
    bytes: Number(r.bytes),
  }));
}

async function reportByName(db: Db, accountId: string, name: string) {
  const [report] = await db
    .select()
    .from(reports)
    .where(and(eq(reports.accountId, accountId), eq(reports.name, name)));
  if (!report) throw notFound(`Report ${name.slice(0, 200)} not found`);
  return report;
}

export type ViewerFilter = { tags: string[]; day?: string };

/** A UTC day `YYYY-MM-DD` as [start, end). */
function dayRange(day: string): [Date, Date] {
  const start = new Date(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== day) {
    throw badRequest(`Invalid day ${day.slice(0, 20)}: use YYYY-MM-DD`);
  }
  return [start, new Date(start.getTime() + 86_400_000)];
}

function viewerConditions(accountId: string, reportId: string, f: ViewerFilter): SQL[] {
  const where: SQL[] = [eq(reportInstances.accountId, accountId), eq(reportInstances.reportId, reportId)];
  if (f.tags.length) where.push(hasAllTags(f.tags));
  if (f.day) {
    const [start, end] = dayRange(f.day);
    where.push(gte(reportInstances.created, start), lt(reportInstances.created, end));
  }
  return where;
}

/**
 * One instance of a report for the viewer — the given one, else the newest matching the filter
 * (the last of the day, when a day is chosen) — with the ids of its neighbours in time.
 */
export async function viewInstance(db: Db, input: { accountId: string; name: string; id?: string; filter: ViewerFilter }) {
  const report = await reportByName(db, input.accountId, input.name);
  const summary = (await reportSummaries(db, input.accountId, report.id))[0]!;
  const where = viewerConditions(input.accountId, report.id, input.filter);
  const [instance] = input.id
    ? await db
        .select()
        .from(reportInstances)
        .where(and(eq(reportInstances.accountId, input.accountId), eq(reportInstances.reportId, report.id), eq(reportInstances.id, parseId(input.id))))
    : await db
        .select()
        .from(reportInstances)
        .where(and(...where))
        .orderBy(desc(reportInstances.created), desc(reportInstances.id))
        .limit(1);
  if (!instance) {
    if (input.id) throw notFound("This instance no longer exists");
    return { report: summary, instance: null, previousId: null, nextId: null };
  }
  const position = sql`(${reportInstances.created}, ${reportInstances.id})`;
  const at = sql`(${instance.created.toISOString()}::timestamptz, ${instance.id}::uuid)`;
  const [previous] = await db
    .select({ id: reportInstances.id })
    .from(reportInstances)
    .where(and(...where, sql`${position} < ${at}`))
    .orderBy(desc(reportInstances.created), desc(reportInstances.id))
    .limit(1);
  const [next] = await db
    .select({ id: reportInstances.id })
    .from(reportInstances)
    .where(and(...where, sql`${position} > ${at}`))
    .orderBy(asc(reportInstances.created), asc(reportInstances.id))
    .limit(1);
  return {
    report: summary,
    instance: {
      id: instance.id,
      created: instance.created,
      tags: instance.tags,
      rows: instance.rows,
      header: instance.header,
      input: instance.input,
      format: instance.format,
      link: instance.link,
      bytes: instance.bytes,
      numericColumns: numericColumns(instance.rows, instance.header),
    },
    previousId: previous?.id ?? null,
    nextId: next?.id ?? null,
  };
}

/** Columns whose body cells all read as numbers ("64%", "12.5ms", 42), to right-align them. */
export function numericColumns(rows: unknown[][], header: number[]): boolean[] {
  const headerRows = new Set(header);
  const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
  return Array.from({ length: width }, (_, column) => {
    let seen = false;
    for (let r = 0; r < rows.length; r++) {
      if (headerRows.has(r)) continue;
      const value = rows[r]![column];
      if (value === null || value === undefined || value === "") continue;
      if (cellNumber(value) === null) return false;
      seen = true;
    }
    return seen;
  });
}

/** The UTC days of a month (`YYYY-MM`) that have instances matching the tags. */
export async function daysWithData(db: Db, input: { accountId: string; name: string; month: string; tags: string[] }): Promise<string[]> {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(input.month)) throw badRequest(`Invalid month ${input.month.slice(0, 20)}: use YYYY-MM`);
  const report = await reportByName(db, input.accountId, input.name);
  const start = new Date(`${input.month}-01T00:00:00Z`);
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const where = viewerConditions(input.accountId, report.id, { tags: input.tags });
  const rows = await queryRows<{ day: string }>(
    db,
    sql`select distinct to_char(created at time zone 'UTC', 'YYYY-MM-DD') as day
        from report_instances where ${and(...where, gte(reportInstances.created, start), lt(reportInstances.created, end))}
        order by day`,
  );
  return rows.map((r) => r.day);
}

/** The distinct tags seen on the report's newest 500 instances, for the filter's suggestions. */
export async function recentTags(db: Db, input: { accountId: string; name: string }): Promise<string[]> {
  const report = await reportByName(db, input.accountId, input.name);
  const rows = await queryRows<{ tag: string }>(
    db,
    sql`select distinct unnest(tags) as tag from (
          select tags from report_instances where account_id = ${input.accountId} and report_id = ${report.id}
          order by created desc limit 500) recent
        order by tag limit 200`,
  );
  return rows.map((r) => r.tag);
}

