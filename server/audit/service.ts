import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Db } from "../../db/client";
import { auditLog } from "../../db/schema";
import { uuidv7 } from "../tokens";

/** Who did it: a user (label = their email) or an API key (label = "API key <prefix>"), and from where. */
export type AuditActor = { userId: string | null; label: string; ip: string | null };

/**
 * The account's activity log (Settings → Activity). Actions are dotted nouns and verbs, one per
 * kind of change: `api_key.created`, `api_key.revoked`, `member.invited`, `member.removed`,
 * `member.role_changed`, `invitation.cancelled`, `dashboard.shared`, `share.revoked`,
 * `alarm.created`, `alarm.changed`, `alarm.deleted`, `account.deletion_scheduled`, …
 */
export async function recordAudit(
  db: Db,
  entry: { accountId: string; actor: AuditActor; action: string; target?: string | null; details?: Record<string, unknown> },
): Promise<void> {
  await db.insert(auditLog).values({
    accountId: entry.accountId,
    id: uuidv7(),
    actorUserId: entry.actor.userId,
    actor: entry.actor.label,
    action: entry.action,
    target: entry.target ?? null,
    details: entry.details ?? {},
    ip: entry.actor.ip,
  });
}

export type AuditEntry = { id: string; at: Date; actor: string; action: string; target: string | null; details: Record<string, unknown>; ip: string | null };

/** The account's activity, newest first; `before` (an entry id) pages back. */
export async function listAudit(db: Db, input: { accountId: string; limit?: number; before?: { at: Date; id: string } }): Promise<AuditEntry[]> {
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.accountId, input.accountId),
        input.before ? or(lt(auditLog.at, input.before.at), and(eq(auditLog.at, input.before.at), lt(auditLog.id, input.before.id))) : undefined,
      ),
    )
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit);
  return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, details: r.details, ip: r.ip }));
}
