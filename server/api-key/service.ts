import { and, desc, eq, gte, isNull, lt, or, sql } from "drizzle-orm";
import { type Db, queryRowsPrepared } from "../../db/client";
import { type ApiKeyScope, apiKeys, apiKeyUsage } from "../../db/schema";
import { notFound } from "../errors";
import { randomToken, sha256, uuidv7 } from "../tokens";

export const API_KEY_PREFIX = "tw_live_";
const SHOWN_PREFIX_LENGTH = API_KEY_PREFIX.length + 4;

export type ApiKeySummary = {
  id: string;
  name: string;
  scope: ApiKeyScope;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
};

export type ApiKeyWithUsage = ApiKeySummary & { requestsToday: number; requests30Days: number };

export type ResolvedApiKey = { id: string; accountId: string; scope: ApiKeyScope };

/** Creates a key and returns it in full, once; only its SHA-256 and a short prefix are stored. */
export async function createApiKey(
  db: Db,
  input: { accountId: string; name: string; scope: ApiKeyScope; createdBy: string | null },
): Promise<{ key: string; apiKey: ApiKeySummary }> {
  const key = API_KEY_PREFIX + randomToken(24);
  const [apiKey] = await db
    .insert(apiKeys)
    .values({
      id: uuidv7(),
      accountId: input.accountId,
      name: input.name,
      scope: input.scope,
      prefix: key.slice(0, SHOWN_PREFIX_LENGTH),
      keyHash: sha256(key),
      createdBy: input.createdBy,
    })
    .returning();
  return { key, apiKey: summary(apiKey!) };
}

/** Finds the live key for a presented secret and records its use (at most once a minute). */
export async function resolveApiKey(db: Db, key: string): Promise<ResolvedApiKey | null> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
  const [row] = await queryRowsPrepared<{ id: string; account_id: string; scope: ApiKeyScope; last_used_at: string | Date | null }>(
    db,
    sql`select id, account_id, scope, last_used_at from api_keys where key_hash = ${sha256(key)} and revoked_at is null`,
  );
  if (!row) return null;
  const now = new Date();
  const minuteAgo = new Date(now.getTime() - 60_000);
  if (!row.last_used_at || new Date(row.last_used_at) < minuteAgo) {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, minuteAgo))));
  }
  return { id: row.id, accountId: row.account_id, scope: row.scope };
}

/** The account's live keys with their request counts (today and the last 30 days, UTC). */
export async function listApiKeys(db: Db, accountId: string, now = new Date()): Promise<ApiKeyWithUsage[]> {
  const today = now.toISOString().slice(0, 10);
  const since = new Date(now.getTime() - 29 * 86_400_000).toISOString().slice(0, 10);
  const rows = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.accountId, accountId), isNull(apiKeys.revokedAt)))
    .orderBy(desc(apiKeys.createdAt));
  const usage = await db
    .select({ apiKeyId: apiKeyUsage.apiKeyId, day: apiKeyUsage.day, count: apiKeyUsage.count })
    .from(apiKeyUsage)
    .where(and(eq(apiKeyUsage.accountId, accountId), gte(apiKeyUsage.day, since)));
  return rows.map((row) => {
    const own = usage.filter((u) => u.apiKeyId === row.id);
    return {
      ...summary(row),
      requestsToday: own.filter((u) => u.day === today).reduce((n, u) => n + u.count, 0),
      requests30Days: own.reduce((n, u) => n + u.count, 0),
    };
  });
}

export async function revokeApiKey(db: Db, input: { accountId: string; id: string }): Promise<void> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.accountId, input.accountId), eq(apiKeys.id, input.id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  if (!row) throw notFound("API key not found");
}

/** Whether a key of `scope` may make a call that needs `needed` (deleting needs `full`). */
export function scopeAllows(scope: ApiKeyScope, needed: ApiKeyScope): boolean {
  return scope === "full" || scope === needed;
}

function summary(row: typeof apiKeys.$inferSelect): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    scope: row.scope,
    prefix: row.prefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
  };
}
