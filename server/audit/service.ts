import { and, desc, eq, lt, or } from "drizzle-orm";
import type { Db } from "../../db/client";
import { auditLog } from "../../db/schema";
import { uuidv7 } from "../tokens";

/** Who did it: a user (label = their email) or an API key (label = "API key <prefix>"), and from where. */
export type AuditActor = { userId: string | null; label: string; ip: string | null };

/** The actor of a web request: the logged-in user, named by their email, from the request's IP. */
export function userActor(ctx: { user: { id: string; email: string }; ip: string }): AuditActor {
  return { userId: ctx.user.id, label: ctx.user.email, ip: ctx.ip };
}

/** The actor of a public API request: its key, named by the key's shown prefix. */
export function apiKeyActor(ctx: { apiKey: { prefix: string }; ip: string }): AuditActor {
  return { userId: null, label: `API key ${ctx.apiKey.prefix}`, ip: ctx.ip };
}

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
    // Millisecond precision (not the column's default now()), so that a page cursor made from a
    // JavaScript Date names an entry's time exactly.
    at: new Date(),
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

/** A page cursor naming an entry: `<ISO time>_<id>` (the `before` of the next, older page). */
export function auditCursor(entry: { at: Date; id: string }): string {
  return `${entry.at.toISOString()}_${entry.id}`;
}

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f-]{36})$/;

/** The entry a cursor names, or null when it is malformed. */
export function parseAuditCursor(cursor: string): { at: Date; id: string } | null {
  const match = CURSOR.exec(cursor);
  if (!match) return null;
  const at = new Date(match[1]!);
  return Number.isNaN(at.getTime()) ? null : { at, id: match[2]! };
}

/** An alarm change (web app or public API): the alarm's name as target; id, report and what changed as details. */
export function auditAlarm(
  db: Db,
  input: {
    accountId: string;
    actor: AuditActor;
    action: "alarm.created" | "alarm.changed" | "alarm.deleted";
    alarm: { id: string; name: string; report: string };
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const { alarm } = input;
  return recordAudit(db, {
    accountId: input.accountId,
    actor: input.actor,
    action: input.action,
    target: alarm.name,
    details: { alarmId: alarm.id, name: alarm.name, report: alarm.report, ...input.details },
  });
}
