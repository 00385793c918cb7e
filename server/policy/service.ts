/**
 * Policies: the Privacy Policy and the Terms of Service as versioned Markdown documents (the
 * database is the source; version 1 is seeded by migration 0005 from server/policy/v1-*.md).
 * Publishing a version queues one policy-change email per user in `policy_deliveries`, which
 * server/policy/broadcast.ts sends (ADR 21); users who registered before it see a one-time
 * banner until they close it or open the policy.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { type PolicyDocument, policyDocuments, policyDrafts, policyVersions } from "../../db/schema";
import { badRequest, notFound } from "../errors";
import { uuidv7 } from "../tokens";

export const policyInfo: Record<PolicyDocument, { title: string; path: string }> = {
  privacy: { title: "Privacy Policy", path: "/privacy" },
  terms: { title: "Terms of Service", path: "/terms" },
};

export { policyDocuments };

export const MAX_POLICY_BYTES = 200_000;
export const MAX_SUMMARY_CHARS = 2000;

/** "29 November 2026": the "Last modified" date as pages and emails show it (UTC). */
export function formatPolicyDate(date: Date): string {
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

export type CurrentPolicy = { document: PolicyDocument; title: string; version: number; body: string; publishedAt: Date };

/** The newest published version of a document (what /privacy and /terms serve). */
export async function currentPolicy(db: Db, document: PolicyDocument): Promise<CurrentPolicy> {
  const [row] = await db
    .select()
    .from(policyVersions)
    .where(eq(policyVersions.document, document))
    .orderBy(desc(policyVersions.version))
    .limit(1);
  if (!row) throw notFound(`No ${policyInfo[document].title} has been published.`);
  return { document, title: policyInfo[document].title, version: row.version, body: row.body, publishedAt: row.publishedAt };
}

export type Progress = { total: number; sent: number; failed: number; remaining: number };

export type VersionSummary = {
  id: string;
  document: PolicyDocument;
  version: number;
  summary: string;
  publishedAt: Date;
  publishedBy: string | null;
  progress: Progress;
};

/** Counts of a broadcast by status (from policy_deliveries_version_status_idx). */
export async function broadcastProgress(db: Db, versionIds: string[]): Promise<Map<string, Progress>> {
  const result = new Map<string, Progress>(versionIds.map((id) => [id, { total: 0, sent: 0, failed: 0, remaining: 0 }]));
  if (versionIds.length === 0) return result;
  const rows = await queryRows<{ version_id: string; status: string; n: number }>(
    db,
    sql`select version_id, status, count(*)::int as n from policy_deliveries
        where version_id in (${sql.join(
          versionIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})
        group by version_id, status`,
  );
  for (const r of rows) {
    const p = result.get(r.version_id)!;
    const n = Number(r.n);
    p.total += n;
    if (r.status === "sent") p.sent += n;
    else if (r.status === "failed") p.failed += n;
    else p.remaining += n;
  }
  return result;
}

/** Every published version of every document, newest first, with its broadcast's progress. */
export async function listVersions(db: Db): Promise<VersionSummary[]> {
  const rows = await db
    .select({
      id: policyVersions.id,
      document: policyVersions.document,
      version: policyVersions.version,
      summary: policyVersions.summary,
      publishedAt: policyVersions.publishedAt,
      publishedBy: policyVersions.publishedBy,
    })
    .from(policyVersions)
    .orderBy(policyVersions.document, desc(policyVersions.version));
  const progress = await broadcastProgress(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, progress: progress.get(r.id)! }));
}

/** One published version with its text (the admin page's "view" of an older version). */
export async function getVersion(db: Db, document: PolicyDocument, version: number) {
  const [row] = await db
    .select()
    .from(policyVersions)
    .where(and(eq(policyVersions.document, document), eq(policyVersions.version, version)));
  if (!row) throw notFound(`${policyInfo[document].title} version ${version} does not exist.`);
  return row;
}

export type Draft = { document: PolicyDocument; body: string; summary: string; updatedAt: Date; updatedBy: string | null };

/** The saved draft of the next version, if any. */
export async function getDraft(db: Db, document: PolicyDocument): Promise<Draft | null> {
  const [row] = await db.select().from(policyDrafts).where(eq(policyDrafts.document, document));
  return row ?? null;
}

function checkText(body: string, summary: string, opts: { publishing: boolean }) {
  if (Buffer.byteLength(body) > MAX_POLICY_BYTES) throw badRequest(`The document is too long (at most ${MAX_POLICY_BYTES / 1000} kB).`);
  if (summary.length > MAX_SUMMARY_CHARS) throw badRequest(`The summary is too long (at most ${MAX_SUMMARY_CHARS} characters).`);
  if (opts.publishing) {
    if (!body.trim()) throw badRequest("The document is empty.");
    if (!summary.trim()) throw badRequest("Write a short summary of what changed: it is the heart of the email to every user.");
  }
}

export async function saveDraft(db: Db, input: { document: PolicyDocument; body: string; summary: string; by: string }): Promise<Draft> {
  checkText(input.body, input.summary, { publishing: false });
  const values = { document: input.document, body: input.body, summary: input.summary, updatedBy: input.by, updatedAt: new Date() };
  const [row] = await db
    .insert(policyDrafts)
    .values(values)
    .onConflictDoUpdate({ target: policyDrafts.document, set: { body: values.body, summary: values.summary, updatedBy: values.updatedBy, updatedAt: values.updatedAt } })
    .returning();
  return row!;
}

export async function discardDraft(db: Db, document: PolicyDocument): Promise<void> {
  await db.delete(policyDrafts).where(eq(policyDrafts.document, document));
}

/**
 * Publishes a new version: the version row and one queued delivery per user, in one transaction
 * (so either every user is queued or the version does not exist), and the draft is removed.
 * `expectedVersion` is the version the admin edited on top of: a concurrent publish makes this
 * one fail instead of silently skipping a version.
 */
export async function publishPolicy(
  db: Db,
  input: { document: PolicyDocument; body: string; summary: string; by: string; expectedVersion: number },
): Promise<{ id: string; version: number; queued: number }> {
  checkText(input.body, input.summary, { publishing: true });
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    // One publisher per document at a time.
    await queryRows(t, sql`select pg_advisory_xact_lock(hashtext(${`tablewatch:policy:${input.document}`}))`);
    const [latest] = await queryRows<{ version: number }>(
      t,
      sql`select coalesce(max(version), 0)::int as version from policy_versions where document = ${input.document}`,
    );
    const current = Number(latest?.version ?? 0);
    if (current !== input.expectedVersion) {
      throw badRequest(
        `Version ${current} of the ${policyInfo[input.document].title} was published while you were editing. Reload the page and start from it.`,
      );
    }
    const id = uuidv7();
    const version = current + 1;
    await t.insert(policyVersions).values({
      id,
      document: input.document,
      version,
      body: input.body,
      summary: input.summary.trim(),
      publishedAt: new Date(),
      publishedBy: input.by,
    });
    const [queued] = await queryRows<{ n: number }>(
      t,
      sql`with queued as (
            insert into policy_deliveries (version_id, user_id)
            select ${id}::uuid, id from users
            on conflict do nothing
            returning 1
          )
          select count(*)::int as n from queued`,
    );
    await t.delete(policyDrafts).where(eq(policyDrafts.document, input.document));
    return { id, version, queued: Number(queued?.n ?? 0) };
  });
}

export type Failure = { userId: string; email: string; attempts: number; lastError: string | null; attemptedAt: Date | null };

/** The failed deliveries of a version (most recent first). */
export async function listFailures(db: Db, versionId: string, limit = 100): Promise<Failure[]> {
  const rows = await queryRows<{ user_id: string; email: string; attempts: number; last_error: string | null; attempted_at: string | Date | null }>(
    db,
    sql`select d.user_id, u.email, d.attempts, d.last_error, d.attempted_at
        from policy_deliveries d join users u on u.id = d.user_id
        where d.version_id = ${versionId}::uuid and d.status = 'failed'
        order by d.attempted_at desc nulls last, d.user_id
        limit ${limit}::int`,
  );
  return rows.map((r) => ({
    userId: r.user_id,
    email: r.email,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    attemptedAt: r.attempted_at ? new Date(r.attempted_at) : null,
  }));
}

/** "Retry failed": the version's failed deliveries go back to the queue, due now. */
export async function retryFailed(db: Db, versionId: string): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    db,
    sql`with retried as (
          update policy_deliveries set status = 'pending', attempts = 0, next_attempt_at = now(), locked_until = null
          where version_id = ${versionId}::uuid and status = 'failed'
          returning 1
        )
        select count(*)::int as n from retried`,
  );
  return Number(rows[0]?.n ?? 0);
}

export type PolicyNotice = { document: PolicyDocument; title: string; path: string; version: number; publishedAt: Date };

/**
 * The policies changed since the user last saw them: for each document, its newest version if
 * it is a change (version 2 or later), published after the user registered (a new user agreed to
 * the version of the day), and newer than the last version the user was shown.
 */
export async function pendingNotices(db: Db, userId: string): Promise<PolicyNotice[]> {
  const rows = await queryRows<{ document: PolicyDocument; version: number; published_at: string | Date }>(
    db,
    sql`select v.document, v.version, v.published_at
        from (select distinct on (document) document, version, published_at from policy_versions order by document, version desc) v
        join users u on u.id = ${userId}
        left join policy_notices n on n.user_id = u.id and n.document = v.document
        where v.version > 1 and v.published_at > u.created_at and v.version > coalesce(n.version, 0)
        order by v.document`,
  );
  return rows.map((r) => ({
    document: r.document,
    ...policyInfo[r.document],
    version: Number(r.version),
    publishedAt: new Date(r.published_at),
  }));
}

/** Records that the user was shown the newest version of `document` (or of every document). */
export async function markNoticesSeen(db: Db, userId: string, document?: PolicyDocument): Promise<void> {
  await db.execute(
    sql`insert into policy_notices (user_id, document, version, seen_at)
        select ${userId}, document, max(version), now() from policy_versions
        ${document ? sql`where document = ${document}` : sql``}
        group by document
        on conflict (user_id, document) do update set version = greatest(policy_notices.version, excluded.version), seen_at = excluded.seen_at`,
  );
}


/** How many users a publish would email now (every user). */
export async function countUsers(db: Db): Promise<number> {
  const [row] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from users`);
  return Number(row?.n ?? 0);
}
