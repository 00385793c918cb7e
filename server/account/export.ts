/**
 * Export (Settings → Account): everything an account made, as one JSON document, written as a
 * stream so that memory stays flat however large the account is
 * (docs/decisions/0019-account-export-and-deletion.md).
 *
 *   { format, version, exportedAt,
 *     account: {id, name, plan, createdAt},
 *     reports: [{id, name, createdAt, instances: [{id, created, tags, format, link, bytes, header, rows, input}]}],
 *     dashboards: [{id, name, position, settings, createdAt, updatedAt, tiles: [{id, report, …config, layout}]}],
 *     alarms: [{id, name, report, kind, code, …}] }
 *
 * Instances are read a page of keys at a time by (report, created, id), and their bodies in
 * groups of at most a few megabytes. Secrets are left out: alarm webhook secrets and badge token
 * hashes, API keys (only their hashes exist) and share tokens.
 */
import { and, asc, count, eq, inArray, sql, sum } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, alarms, dashboards, reportInstances, reports, tiles } from "../../db/schema";
import { notFound } from "../errors";

export const EXPORT_FORMAT = "tablewatch-account-export";
export const EXPORT_VERSION = 1;

export type ExportSummary = { reports: number; instances: number; inputBytes: number; dashboards: number; tiles: number; alarms: number };

/** What an export will hold, shown before the download starts. */
export async function exportSummary(db: Db, accountId: string): Promise<ExportSummary> {
  const [[r], [i], [d], [t], [a]] = await Promise.all([
    db.select({ n: count() }).from(reports).where(eq(reports.accountId, accountId)),
    db.select({ n: count(), bytes: sum(reportInstances.bytes) }).from(reportInstances).where(eq(reportInstances.accountId, accountId)),
    db.select({ n: count() }).from(dashboards).where(eq(dashboards.accountId, accountId)),
    db.select({ n: count() }).from(tiles).where(eq(tiles.accountId, accountId)),
    db.select({ n: count() }).from(alarms).where(eq(alarms.accountId, accountId)),
  ]);
  return {
    reports: Number(r?.n ?? 0),
    instances: Number(i?.n ?? 0),
    inputBytes: Number(i?.bytes ?? 0),
    dashboards: Number(d?.n ?? 0),
    tiles: Number(t?.n ?? 0),
    alarms: Number(a?.n ?? 0),
  };
}

export type ExportOptions = {
  /** Keys of instances read per query. */
  pageSize?: number;
  /** Instance bodies (input bytes) read per query, at least one instance. */
  groupBytes?: number;
  /** Text handed on per chunk (roughly). */
  chunkChars?: number;
};

/** A file name for the download: `tablewatch-acme-ops-2026-03-01.json`. */
export function exportFileName(accountName: string, now = new Date()): string {
  const slug = accountName
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "-")
    .slice(0, 60);
  return `tablewatch-${slug || "account"}-${now.toISOString().slice(0, 10)}.json`;
}

/**
 * The account's archive as chunks of JSON text. Nothing is read before the first chunk is asked
 * for, and each query runs only when the reader wants more (the caller pipes it with
 * backpressure).
 */
export async function* exportAccount(db: Db, accountId: string, opts: ExportOptions = {}): AsyncGenerator<string> {
  const pageSize = opts.pageSize ?? 1000;
  const groupBytes = opts.groupBytes ?? 4 * 1024 * 1024;
  const chunkChars = opts.chunkChars ?? 64 * 1024;
  let buffer = "";
  // Strings are collected until a chunk is big enough to be worth a write.
  const out = function* (text: string): Generator<string> {
    buffer += text;
    if (buffer.length >= chunkChars) {
      yield buffer;
      buffer = "";
    }
  };
  const json = (value: unknown) => JSON.stringify(value);

  const [account] = await db
    .select({ id: accounts.id, name: accounts.name, plan: accounts.plan, createdAt: accounts.createdAt })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account) throw notFound("Account not found.");

  yield* out(`{"format":${json(EXPORT_FORMAT)},"version":${EXPORT_VERSION},"exportedAt":${json(new Date())},"account":${json(account)},"reports":[`);

  const reportRows = await db
    .select({ id: reports.id, name: reports.name, createdAt: reports.createdAt })
    .from(reports)
    .where(eq(reports.accountId, accountId))
    .orderBy(asc(reports.name), asc(reports.id));
  for (const [ri, report] of reportRows.entries()) {
    yield* out(`${ri ? "," : ""}${json(report).slice(0, -1)},"instances":[`);
    let first = true;
    let after: { created: string; id: string } | null = null;
    for (;;) {
      // A page of keys (small rows), in (created, id) order after the cursor.
      const keys: { id: string; created: string; bytes: number }[] = await db
        .select({ id: reportInstances.id, created: sql<string>`${reportInstances.created}::text`, bytes: reportInstances.bytes })
        .from(reportInstances)
        .where(
          and(
            eq(reportInstances.reportId, report.id),
            after ? sql`(${reportInstances.created}, ${reportInstances.id}) > (${after.created}::timestamptz, ${after.id}::uuid)` : undefined,
          ),
        )
        .orderBy(asc(reportInstances.created), asc(reportInstances.id))
        .limit(pageSize);
      if (keys.length === 0) break;
      // Then the bodies, a few megabytes at a time.
      for (let start = 0; start < keys.length; ) {
        let end = start + 1;
        let bytes = keys[start]!.bytes;
        while (end < keys.length && bytes + keys[end]!.bytes <= groupBytes) bytes += keys[end++]!.bytes;
        const ids = keys.slice(start, end).map((k) => k.id);
        const bodies = await db
          .select({
            id: reportInstances.id,
            created: reportInstances.created,
            tags: reportInstances.tags,
            format: reportInstances.format,
            link: reportInstances.link,
            bytes: reportInstances.bytes,
            header: reportInstances.header,
            rows: reportInstances.rows,
            input: reportInstances.input,
          })
          .from(reportInstances)
          .where(and(eq(reportInstances.accountId, accountId), inArray(reportInstances.id, ids)))
          .orderBy(asc(reportInstances.created), asc(reportInstances.id));
        for (const instance of bodies) {
          yield* out(`${first ? "" : ","}${json(instance)}`);
          first = false;
        }
        start = end;
      }
      const last = keys[keys.length - 1]!;
      after = { created: last.created, id: last.id };
      if (keys.length < pageSize) break;
    }
    yield* out("]}");
  }

  yield* out(`],"dashboards":[`);
  const dashboardRows = await db
    .select({
      id: dashboards.id,
      name: dashboards.name,
      position: dashboards.position,
      settings: dashboards.settings,
      createdAt: dashboards.createdAt,
      updatedAt: dashboards.updatedAt,
    })
    .from(dashboards)
    .where(eq(dashboards.accountId, accountId))
    .orderBy(asc(dashboards.position), asc(dashboards.id));
  for (const [di, dashboard] of dashboardRows.entries()) {
    const tileRows = await db
      .select()
      .from(tiles)
      .where(and(eq(tiles.accountId, accountId), eq(tiles.dashboardId, dashboard.id)))
      .orderBy(asc(tiles.y), asc(tiles.x), asc(tiles.id));
    // Each tile in the shape of the dashboards-as-code model (dashboards.md), plus its own facts.
    const tileModels = tileRows.map((t) => ({
      id: t.id,
      report: t.report,
      ...t.config,
      layout: { x: t.x, y: t.y, w: t.w, h: t.h },
      masterId: t.masterId,
      tagValue: t.tagValue,
      lastDataAt: t.lastDataAt,
      createdAt: t.createdAt,
    }));
    yield* out(`${di ? "," : ""}${json({ ...dashboard, tiles: tileModels })}`);
  }

  yield* out(`],"alarms":[`);
  const alarmRows = await db
    .select()
    .from(alarms)
    .where(eq(alarms.accountId, accountId))
    .orderBy(asc(alarms.name), asc(alarms.id));
  for (const [ai, alarm] of alarmRows.entries()) {
    const { accountId: _account, webhookSecret: _secret, badgeTokenHash: _badge, ...rest } = alarm;
    yield* out(`${ai ? "," : ""}${json(rest)}`);
  }
  yield* out("]}\n");
  if (buffer) yield buffer;
}
