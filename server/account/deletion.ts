/**
 * Deleting an account (Settings → Account, owners only): the owner types the account's name, the
 * deletion is scheduled 14 days later and every member is emailed; an owner can cancel until
 * then; server/account/purge.ts deletes due accounts (docs/decisions/0019-account-export-and-deletion.md).
 */
import { and, eq, gt, isNotNull, isNull } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, memberships, type Role, users } from "../../db/schema";
import { type AuditActor, recordAudit } from "../audit/service";
import type { Deps } from "../deps";
import { badRequest, conflict, notFound } from "../errors";
import { sendAccountDeletionCancelled, sendAccountDeletionNotice } from "../mail/messages";

export const DELETION_DELAY_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

export type DeletionStatus = {
  /** When the account will be purged; null when no deletion is scheduled. */
  scheduledAt: Date | null;
  requestedBy: string | null;
  /** The date has passed: the daily job is deleting it (it can no longer be cancelled). */
  due: boolean;
};

export async function deletionStatus(db: Db, accountId: string, now = new Date()): Promise<DeletionStatus> {
  const [row] = await db
    .select({ scheduledAt: accounts.deletionScheduledAt, requestedBy: users.name })
    .from(accounts)
    .leftJoin(users, eq(users.id, accounts.deletionRequestedBy))
    .where(eq(accounts.id, accountId));
  if (!row) throw notFound("Account not found.");
  return {
    scheduledAt: row.scheduledAt,
    requestedBy: row.scheduledAt ? row.requestedBy : null,
    due: row.scheduledAt !== null && row.scheduledAt <= now,
  };
}

type Member = { email: string; name: string; role: Role; timeZone: string };

async function members(db: Db, accountId: string): Promise<Member[]> {
  return db
    .select({ email: users.email, name: users.name, role: memberships.role, timeZone: users.timeZone })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.accountId, accountId));
}

/** "Monday 8 December 2026 at 14:00 (Europe/Tallinn)" in the member's own time zone. */
export function formatDeletionDate(date: Date, timeZone: string): string {
  let zone = timeZone;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
  } catch {
    zone = "UTC";
  }
  const day = new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(date);
  const time = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false }).format(date);
  return `${day} at ${time} (${zone})`;
}

/** Sends one email per member; a failed send is logged and does not stop the others. */
async function emailMembers(list: Member[], send: (member: Member) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(list.map(send));
  for (const result of results) if (result.status === "rejected") console.error("account deletion email failed", result.reason);
}

/**
 * Schedules the deletion 14 days from now when `confirmName` is the account's name; emails every
 * member a notice (in their time zone). Owners only (the router checks the role).
 */
export async function scheduleDeletion(
  deps: Pick<Deps, "db" | "mailer">,
  input: { accountId: string; userId: string; confirmName: string; actor: AuditActor; baseUrl: string; now?: Date },
): Promise<{ scheduledAt: Date }> {
  const { db } = deps;
  const now = input.now ?? new Date();
  const [account] = await db.select().from(accounts).where(eq(accounts.id, input.accountId));
  if (!account) throw notFound("Account not found.");
  if (input.confirmName.trim() !== account.name.trim()) {
    throw badRequest(`Type the account's name exactly as shown (“${account.name}”) to confirm.`, "CONFIRMATION_MISMATCH");
  }
  const scheduledAt = new Date(now.getTime() + DELETION_DELAY_DAYS * DAY_MS);
  const [scheduled] = await db
    .update(accounts)
    .set({ deletionScheduledAt: scheduledAt, deletionRequestedBy: input.userId })
    .where(and(eq(accounts.id, account.id), isNull(accounts.deletionScheduledAt)))
    .returning({ id: accounts.id });
  if (!scheduled) throw conflict("The deletion of this account is already scheduled.");
  await recordAudit(db, {
    accountId: account.id,
    actor: input.actor,
    action: "account.deletion_scheduled",
    target: account.name,
    details: { scheduledAt: scheduledAt.toISOString() },
  });
  const [requester] = await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, input.userId));
  const requestedBy = requester ? `${requester.name} (${requester.email})` : "An owner";
  const settingsUrl = `${input.baseUrl}/settings/account`;
  await emailMembers(await members(db, account.id), (m) =>
    sendAccountDeletionNotice(deps.mailer, m.email, {
      name: m.name,
      accountName: account.name,
      requestedBy,
      deletionDate: formatDeletionDate(scheduledAt, m.timeZone),
      canCancel: m.role === "owner",
      settingsUrl,
    }),
  );
  return { scheduledAt };
}

/** Cancels a scheduled deletion that is not yet due, and tells every member. Owners only. */
export async function cancelDeletion(
  deps: Pick<Deps, "db" | "mailer">,
  input: { accountId: string; userId: string; actor: AuditActor; now?: Date },
): Promise<void> {
  const { db } = deps;
  const now = input.now ?? new Date();
  const [cancelled] = await db
    .update(accounts)
    .set({ deletionScheduledAt: null, deletionRequestedBy: null })
    .where(and(eq(accounts.id, input.accountId), isNotNull(accounts.deletionScheduledAt), gt(accounts.deletionScheduledAt, now)))
    .returning({ name: accounts.name });
  if (!cancelled) {
    const status = await deletionStatus(db, input.accountId, now);
    throw conflict(status.due ? "The deletion date has passed: the account is being deleted and can no longer be restored." : "No deletion of this account is scheduled.");
  }
  await recordAudit(db, { accountId: input.accountId, actor: input.actor, action: "account.deletion_cancelled", target: cancelled.name });
  const [canceller] = await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, input.userId));
  const cancelledBy = canceller ? `${canceller.name} (${canceller.email})` : "An owner";
  await emailMembers(await members(db, input.accountId), (m) =>
    sendAccountDeletionCancelled(deps.mailer, m.email, { name: m.name, accountName: cancelled.name, cancelledBy }),
  );
}
