/**
 * Public dashboard links ("shares", ADR 17): a read-only link to one dashboard, with an
 * unguessable token of which only the SHA-256 is stored. Owners create, list, change, pause,
 * regenerate and revoke them (every call scoped by account and recorded in the audit log);
 * visitors reach a dashboard only through openShare(), which rate limits, resolves the token and
 * counts the view (a number and a time, nothing about the visitor).
 */
import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { apiKeys, dashboardShares, dashboards } from "../../db/schema";
import { type AuditActor, recordAudit } from "../audit/service";
import { badRequest, notFound, ServiceError, tooManyRequests } from "../errors";
import { checkPlanLimit } from "../plan/service";
import { hitRateLimit, isRateLimited } from "../rate-limit/service";
import { parseId } from "../report/ids";
import { randomToken, sha256, uuidv7 } from "../tokens";

/** Tokens look like `tws_` + 32 URL-safe characters: 24 random bytes, 192 bits (≥ 128 required). */
export const SHARE_TOKEN_PREFIX = "tws_";
export const SHARE_TOKEN_BYTES = 24;
const TOKEN_SHAPE = /^tws_[A-Za-z0-9_-]{32}$/;

/** At most this many live (unrevoked) links per dashboard. */
export const MAX_SHARES_PER_DASHBOARD = 50;
/** Expiry dates may be set up to this far ahead. */
export const MAX_EXPIRY_MS = 5 * 365 * 24 * 3600 * 1000;

/**
 * Visitor budgets. Per IP and link: 120 requests a minute (the page polls once every 5 s, so
 * ten open tabs behind one address still fit). Per IP, links that are not available: 60 a
 * minute, then even those answer 429 — guessing tokens is hopeless anyway (2^192), this keeps
 * the attempts from filling the counters table.
 */
export const SHARE_RATE_LIMIT = { limit: 120, windowMs: 60_000 };
export const SHARE_MISS_LIMIT = { limit: 60, windowMs: 60_000 };

/** The one answer for a revoked, paused, expired or unknown link: no hint which. */
export const NOT_AVAILABLE = "This link is not available";
export const notAvailable = () => notFound(NOT_AVAILABLE);

export type ShareStatus = "active" | "paused" | "expired";

export type ShareSummary = {
  id: string;
  dashboardId: string;
  dashboardName: string;
  status: ShareStatus;
  expiresAt: Date | null;
  allowTimeRange: boolean;
  paused: boolean;
  createdAt: Date;
  createdBy: string | null;
  viewCount: number;
  lastViewedAt: Date | null;
};

type ShareRow = typeof dashboardShares.$inferSelect;

export function newShareToken(): string {
  return SHARE_TOKEN_PREFIX + randomToken(SHARE_TOKEN_BYTES);
}

/** The visitor's URL of a token. */
export function shareUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/s/${token}`;
}

function statusOf(row: Pick<ShareRow, "paused" | "expiresAt">, now: Date): ShareStatus {
  if (row.paused) return "paused";
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

function summary(row: ShareRow, dashboardName: string, now = new Date()): ShareSummary {
  return {
    id: row.id,
    dashboardId: row.dashboardId,
    dashboardName,
    status: statusOf(row, now),
    expiresAt: row.expiresAt,
    allowTimeRange: row.allowTimeRange,
    paused: row.paused,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    viewCount: row.viewCount,
    lastViewedAt: row.lastViewedAt,
  };
}

/** An expiry date must lie ahead (and not absurdly far); null is "never". */
function checkExpiry(expiresAt: Date | null | undefined, now: Date): void {
  if (!expiresAt) return;
  if (Number.isNaN(expiresAt.getTime())) throw badRequest("Invalid expiry date");
  if (expiresAt.getTime() <= now.getTime()) throw badRequest("Choose an expiry date in the future, or never");
  if (expiresAt.getTime() > now.getTime() + MAX_EXPIRY_MS) throw badRequest("Choose an expiry date within 5 years, or never");
}

async function dashboardOf(db: Db, accountId: string, dashboardId: string): Promise<{ id: string; name: string }> {
  const [row] = await db
    .select({ id: dashboards.id, name: dashboards.name })
    .from(dashboards)
    .where(and(eq(dashboards.accountId, accountId), eq(dashboards.id, parseId(dashboardId))));
  if (!row) throw notFound("Dashboard not found");
  return row;
}

/** A live (unrevoked) link of the account, with its dashboard's name; `dashboardId` narrows it to one dashboard. */
async function shareRow(db: Db, accountId: string, id: string, dashboardId?: string): Promise<{ row: ShareRow; dashboardName: string }> {
  const [found] = await db
    .select({ share: dashboardShares, dashboardName: dashboards.name })
    .from(dashboardShares)
    .innerJoin(dashboards, and(eq(dashboards.accountId, dashboardShares.accountId), eq(dashboards.id, dashboardShares.dashboardId)))
    .where(
      and(
        eq(dashboardShares.accountId, accountId),
        eq(dashboardShares.id, parseId(id)),
        isNull(dashboardShares.revokedAt),
        dashboardId ? eq(dashboardShares.dashboardId, parseId(dashboardId)) : undefined,
      ),
    );
  if (!found) throw notFound("Link not found");
  return { row: found.share, dashboardName: found.dashboardName };
}

const auditDetails = (row: ShareRow) => ({
  shareId: row.id,
  dashboardId: row.dashboardId,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  allowTimeRange: row.allowTimeRange,
});

/** The audit actor of a public API call: "API key <prefix>" (the key's shown prefix). */
export async function apiKeyActor(db: Db, input: { accountId: string; keyId: string; ip: string | null }): Promise<AuditActor> {
  const [key] = await db
    .select({ prefix: apiKeys.prefix })
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, input.accountId), eq(apiKeys.id, input.keyId)));
  return { userId: null, label: `API key ${key?.prefix ?? "?"}…`, ip: input.ip };
}

// ---------------------------------------------------------------- owners

/** Creates a link and returns its token in full, once: only its SHA-256 is kept. */
export async function createShare(
  db: Db,
  input: { accountId: string; dashboardId: string; expiresAt?: Date | null; allowTimeRange?: boolean; actor: AuditActor; now?: Date },
): Promise<{ share: ShareSummary; token: string }> {
  const now = input.now ?? new Date();
  const dashboard = await dashboardOf(db, input.accountId, input.dashboardId);
  checkExpiry(input.expiresAt, now);
  await checkPlanLimit(db, input.accountId, "shareLinks"); // 429 ERROR_PLAN_LIMIT beyond the plan's live links (ADR 25)
  const [{ live }] = (await db
    .select({ live: sql<number>`count(*)::int` })
    .from(dashboardShares)
    .where(and(eq(dashboardShares.accountId, input.accountId), eq(dashboardShares.dashboardId, dashboard.id), isNull(dashboardShares.revokedAt)))) as [{ live: number }];
  if (Number(live) >= MAX_SHARES_PER_DASHBOARD) throw badRequest(`A dashboard can have at most ${MAX_SHARES_PER_DASHBOARD} links; revoke one first`);
  const token = newShareToken();
  const row = await db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const [inserted] = await tx
      .insert(dashboardShares)
      .values({
        accountId: input.accountId,
        id: uuidv7(),
        dashboardId: dashboard.id,
        tokenHash: sha256(token),
        expiresAt: input.expiresAt ?? null,
        allowTimeRange: input.allowTimeRange ?? false,
        createdBy: input.actor.label,
      })
      .returning();
    await recordAudit(tx, { accountId: input.accountId, actor: input.actor, action: "dashboard.shared", target: dashboard.name, details: auditDetails(inserted!) });
    return inserted!;
  });
  return { share: summary(row, dashboard.name, now), token };
}

/** The live links of one dashboard, newest first (viewers may list; there is no token to see). */
export async function listShares(db: Db, input: { accountId: string; dashboardId: string; now?: Date }): Promise<ShareSummary[]> {
  const dashboard = await dashboardOf(db, input.accountId, input.dashboardId);
  const rows = await db
    .select()
    .from(dashboardShares)
    .where(and(eq(dashboardShares.accountId, input.accountId), eq(dashboardShares.dashboardId, dashboard.id), isNull(dashboardShares.revokedAt)))
    .orderBy(desc(dashboardShares.createdAt), desc(dashboardShares.id));
  return rows.map((r) => summary(r, dashboard.name, input.now));
}

/** Every live link of the account (Settings → Sharing), by dashboard tab order, newest first. */
export async function listAccountShares(db: Db, input: { accountId: string; now?: Date }): Promise<ShareSummary[]> {
  const rows = await db
    .select({ share: dashboardShares, dashboardName: dashboards.name })
    .from(dashboardShares)
    .innerJoin(dashboards, and(eq(dashboards.accountId, dashboardShares.accountId), eq(dashboards.id, dashboardShares.dashboardId)))
    .where(and(eq(dashboardShares.accountId, input.accountId), isNull(dashboardShares.revokedAt)))
    .orderBy(asc(dashboards.position), asc(dashboards.createdAt), desc(dashboardShares.createdAt), desc(dashboardShares.id));
  return rows.map((r) => summary(r.share, r.dashboardName, input.now));
}

/** Changes a link's options: expiry (null: never) and whether visitors may change the time range. */
export async function updateShare(
  db: Db,
  input: { accountId: string; id: string; expiresAt?: Date | null; allowTimeRange?: boolean; actor: AuditActor; now?: Date },
): Promise<ShareSummary> {
  const now = input.now ?? new Date();
  const { row, dashboardName } = await shareRow(db, input.accountId, input.id);
  checkExpiry(input.expiresAt, now);
  const changes: Partial<ShareRow> = {};
  if (input.expiresAt !== undefined) changes.expiresAt = input.expiresAt;
  if (input.allowTimeRange !== undefined) changes.allowTimeRange = input.allowTimeRange;
  if (!Object.keys(changes).length) return summary(row, dashboardName, now);
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const [updated] = await tx
      .update(dashboardShares)
      .set(changes)
      .where(and(eq(dashboardShares.accountId, input.accountId), eq(dashboardShares.id, row.id)))
      .returning();
    await recordAudit(tx, { accountId: input.accountId, actor: input.actor, action: "share.changed", target: dashboardName, details: auditDetails(updated!) });
    return summary(updated!, dashboardName, now);
  });
}

/** Pauses (visitors get "not available") or resumes a link; the token stays the same. */
export async function setSharePaused(db: Db, input: { accountId: string; id: string; paused: boolean; actor: AuditActor; now?: Date }): Promise<ShareSummary> {
  const { row, dashboardName } = await shareRow(db, input.accountId, input.id);
  if (row.paused === input.paused) return summary(row, dashboardName, input.now);
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const [updated] = await tx
      .update(dashboardShares)
      .set({ paused: input.paused })
      .where(and(eq(dashboardShares.accountId, input.accountId), eq(dashboardShares.id, row.id)))
      .returning();
    await recordAudit(tx, {
      accountId: input.accountId,
      actor: input.actor,
      action: input.paused ? "share.paused" : "share.resumed",
      target: dashboardName,
      details: auditDetails(updated!),
    });
    return summary(updated!, dashboardName, input.now);
  });
}

/** Revokes a link for good (the row stays, without a usable token). `dashboardId` (public API) must be the link's dashboard. */
export async function revokeShare(db: Db, input: { accountId: string; id: string; dashboardId?: string; actor: AuditActor }): Promise<void> {
  if (input.dashboardId) await dashboardOf(db, input.accountId, input.dashboardId);
  const { row, dashboardName } = await shareRow(db, input.accountId, input.id, input.dashboardId);
  await db.transaction(async (t) => {
    const tx = t as unknown as Db;
    // A new random hash: the old token can never match again, even if revocation were undone by hand.
    await tx
      .update(dashboardShares)
      .set({ revokedAt: new Date(), tokenHash: sha256(newShareToken()) })
      .where(and(eq(dashboardShares.accountId, input.accountId), eq(dashboardShares.id, row.id)));
    await recordAudit(tx, { accountId: input.accountId, actor: input.actor, action: "share.revoked", target: dashboardName, details: auditDetails(row) });
  });
}

/** A new token for the link (returned once); the old link dies at once. Options and counts stay. */
export async function regenerateShare(db: Db, input: { accountId: string; id: string; actor: AuditActor; now?: Date }): Promise<{ share: ShareSummary; token: string }> {
  const { row, dashboardName } = await shareRow(db, input.accountId, input.id);
  const token = newShareToken();
  return db.transaction(async (t) => {
    const tx = t as unknown as Db;
    const [updated] = await tx
      .update(dashboardShares)
      .set({ tokenHash: sha256(token) })
      .where(and(eq(dashboardShares.accountId, input.accountId), eq(dashboardShares.id, row.id)))
      .returning();
    await recordAudit(tx, { accountId: input.accountId, actor: input.actor, action: "share.regenerated", target: dashboardName, details: auditDetails(updated!) });
    return { share: summary(updated!, dashboardName, input.now), token };
  });
}

// ---------------------------------------------------------------- visitors

export type OpenedShare = { accountId: string; id: string; dashboardId: string; allowTimeRange: boolean };

/**
 * A visitor's request with a token: rate limited per IP and link (the counter's key holds the
 * token itself, which is never stored, so the hashed key cannot be traced back to an address),
 * then resolved: revoked, paused, expired and unknown links all answer NOT_FOUND with the same
 * message.
 */
export async function openShare(db: Db, input: { token: string; ip: string; now?: Date }): Promise<OpenedShare> {
  const now = input.now ?? new Date();
  const missKey = `share-miss:${input.ip}`;
  const missed = await isRateLimited(db, missKey, { ...SHARE_MISS_LIMIT, now });
  if (missed.limited) throw tooMany(missed.resetAt, now);
  const wellFormed = TOKEN_SHAPE.test(input.token);
  if (wellFormed) {
    const hit = await hitRateLimit(db, `share:${input.token}:${input.ip}`, { ...SHARE_RATE_LIMIT, now });
    if (!hit.allowed) throw tooMany(hit.resetAt, now);
  }
  const [row] = wellFormed
    ? await db
        .select()
        .from(dashboardShares)
        .where(and(eq(dashboardShares.tokenHash, sha256(input.token)), isNull(dashboardShares.revokedAt)))
    : [];
  if (!row || statusOf(row, now) !== "active") {
    await hitRateLimit(db, missKey, { ...SHARE_MISS_LIMIT, now });
    throw notAvailable();
  }
  return { accountId: row.accountId, id: row.id, dashboardId: row.dashboardId, allowTimeRange: row.allowTimeRange };
}

/** One page view of a link: the count and the time, nothing about the visitor. */
export async function countShareView(db: Db, share: Pick<OpenedShare, "accountId" | "id">, now = new Date()): Promise<void> {
  await db
    .update(dashboardShares)
    .set({ viewCount: sql`${dashboardShares.viewCount} + 1`, lastViewedAt: now })
    .where(and(eq(dashboardShares.accountId, share.accountId), eq(dashboardShares.id, share.id)));
}

function tooMany(resetAt: Date, now: Date): ServiceError {
  const seconds = Math.max(1, Math.ceil((resetAt.getTime() - now.getTime()) / 1000));
  return tooManyRequests(`Too many requests for this link. Please wait ${seconds} seconds and try again.`, seconds);
}
