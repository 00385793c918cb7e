import { and, desc, eq, gte, isNull, lt, or } from "drizzle-orm";
import { type Db, preparedRows } from "../../db/client";
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

/** A live key as the public API sees it; `prefix` (the shown start) names it in the audit log. */
export type ResolvedApiKey = { id: string; accountId: string; scope: ApiKeyScope; prefix: string };

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

/**
 * Keys resolved in the last few seconds, by hash: the public API's hottest lookup. Revoking
 * through this process drops the entry at once; other web processes forget it within the TTL.
 */
const KEY_CACHE_TTL_MS = 5_000;
const KEY_CACHE_MAX = 10_000;
const keyCache = new Map<string, { key: ResolvedApiKey; until: number; lastUsedAt: number }>();

/** Finds the live key for a presented secret and records its use (at most once a minute). */
export async function resolveApiKey(db: Db, key: string): Promise<ResolvedApiKey | null> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
  const hash = sha256(key);
  const now = Date.now();
  const cached = keyCache.get(hash);
  if (cached && cached.until > now && cached.lastUsedAt > now - 60_000) return cached.key;
  const [row] = await preparedRows<{ id: string; account_id: string; scope: ApiKeyScope; prefix: string; last_used_at: string | Date | null }>(
    db,
    "select id, account_id, scope, prefix, last_used_at from api_keys where key_hash = $1 and revoked_at is null",
    [hash],
  );
  if (!row) {
    keyCache.delete(hash);
    return null;
  }
  const minuteAgo = new Date(now - 60_000);
  let lastUsedAt = row.last_used_at ? new Date(row.last_used_at).getTime() : 0;
  if (lastUsedAt < minuteAgo.getTime()) {
    await db
      .update(apiKeys)
      .set({ lastUsedAt: new Date(now) })
      .where(and(eq(apiKeys.id, row.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, minuteAgo))));
    lastUsedAt = now;
  }
  const resolved = { id: row.id, accountId: row.account_id, scope: row.scope, prefix: row.prefix };
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(hash, { key: resolved, until: now + KEY_CACHE_TTL_MS, lastUsedAt });
  return resolved;
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

/** Revokes a live key of the account; its name and shown prefix (for the audit log). */
export async function revokeApiKey(db: Db, input: { accountId: string; id: string }): Promise<{ name: string; prefix: string }> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.accountId, input.accountId), eq(apiKeys.id, input.id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, keyHash: apiKeys.keyHash, name: apiKeys.name, prefix: apiKeys.prefix });
  if (!row) throw notFound("API key not found");
  keyCache.delete(row.keyHash);
  return { name: row.name, prefix: row.prefix };
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
