/**
 * Team members: invitations by email with a role, role changes, removal and leaving, the user's
 * accounts and switching between them. Every change is recorded in the account's audit log in
 * the same transaction. Changes to an account's members are serialised by locking its row, so
 * that two owners demoting each other at once cannot leave it without an owner.
 *
 * Who may do what (the router checks that the caller is an admin or owner; this checks the rest):
 * only owners may give or take away the owner role (invite, re-role or remove an owner); the
 * last owner can be neither demoted, removed nor leave.
 */
import { and, asc, count, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, invitations, memberships, type Role, sessions, users } from "../../db/schema";
import { type AuditActor, recordAudit } from "../audit/service";
import { hashPassword } from "../auth/password";
import { normalizeEmail, type NewSession } from "../auth/service";
import { startSession } from "../auth/session";
import type { Deps } from "../deps";
import { conflict, forbidden, notFound, tooManyRequests } from "../errors";
import { checkPlanLimit } from "../plan/service";
import { sendInvitation } from "../mail/messages";
import { hitRateLimit } from "../rate-limit/service";
import { randomToken, sha256, uuidv7 } from "../tokens";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Invitation links are `/invite/twi_<256 random bits>`; only the SHA-256 is stored. */
export const INVITATION_PREFIX = "twi_";
/** Invitations (and resends) an account may send per hour: each is an email to any address. */
export const INVITATION_LIMIT = { limit: 50, windowMs: 60 * 60 * 1000 };

const roleRank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/** The member acting: who they are (for the audit log) and their role in the account. */
export type TeamActor = AuditActor & { userId: string; role: Role; name: string };

export type TeamMember = { userId: string; name: string; email: string; role: Role; joinedAt: Date };
export type PendingInvitation = {
  id: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  lastSentAt: Date;
  expiresAt: Date;
  createdAt: Date;
  expired: boolean;
};

type Tx = Db;
const asDb = (tx: unknown) => tx as Db;

/** Serialises changes to the account's members (the transaction holds the account row). */
async function lockAccount(tx: Tx, accountId: string): Promise<{ id: string; name: string }> {
  const [row] = await tx.select({ id: accounts.id, name: accounts.name }).from(accounts).where(eq(accounts.id, accountId)).for("update");
  if (!row) throw notFound("Account not found");
  return row;
}

async function memberOf(tx: Tx, accountId: string, userId: string): Promise<TeamMember | null> {
  const [row] = await tx
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.accountId, accountId), eq(memberships.userId, userId)));
  return row ?? null;
}

async function ownerCount(tx: Tx, accountId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.accountId, accountId), eq(memberships.role, "owner")));
  return Number(row?.n ?? 0);
}

function requireManager(actor: TeamActor) {
  if (roleRank[actor.role] < roleRank.admin) throw forbidden("Only admins and owners can manage the team.");
}

const pending = () => and(isNull(invitations.acceptedAt), isNull(invitations.cancelledAt));

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

const newToken = () => INVITATION_PREFIX + randomToken(32);

/** `2026-12-08 14:00 UTC` */
const utcMinute = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

// ---------------------------------------------------------------- listing

/** The account's members (owners first, then by name) and, for managers, its pending invitations. */
export async function listTeam(db: Db, accountId: string, now = new Date()): Promise<{ members: TeamMember[]; invitations: PendingInvitation[] }> {
  const members = await db
    .select({ userId: users.id, name: users.name, email: users.email, role: memberships.role, joinedAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.accountId, accountId))
    .orderBy(asc(memberships.createdAt));
  members.sort((a, b) => roleRank[b.role] - roleRank[a.role] || a.name.localeCompare(b.name, "en") || a.email.localeCompare(b.email, "en"));
  const rows = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      invitedBy: users.name,
      lastSentAt: invitations.lastSentAt,
      expiresAt: invitations.expiresAt,
      createdAt: invitations.createdAt,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.accountId, accountId), pending()))
    .orderBy(sql`${invitations.lastSentAt} desc`);
  return { members, invitations: rows.map((r) => ({ ...r, expired: r.expiresAt <= now })) };
}

// ---------------------------------------------------------------- invitations

type MailDeps = Pick<Deps, "db" | "mailer">;

async function mailInvitation(
  deps: MailDeps,
  input: { token: string; email: string; role: Role; accountName: string; inviter: TeamActor; expiresAt: Date; baseUrl: string },
): Promise<boolean> {
  try {
    await sendInvitation(deps.mailer, input.email, {
      inviterName: input.inviter.name,
      inviterEmail: input.inviter.label,
      accountName: input.accountName,
      role: input.role,
      acceptUrl: `${input.baseUrl}/invite/${input.token}`,
      expiresAt: utcMinute(input.expiresAt),
    });
    return true;
  } catch (error) {
    console.error("invitation email failed", error);
    return false;
  }
}

async function countInvitationMail(db: Db, accountId: string) {
  const hit = await hitRateLimit(db, `invite:account:${accountId}`, INVITATION_LIMIT);
  if (!hit.allowed) {
    const seconds = Math.max(1, Math.ceil((hit.resetAt.getTime() - Date.now()) / 1000));
    throw tooManyRequests(`This account sent ${INVITATION_LIMIT.limit} invitations in the last hour. Please wait ${Math.ceil(seconds / 60)} minutes.`, seconds);
  }
}

export type InviteResult = { invitation: PendingInvitation; resent: boolean; emailSent: boolean };

/**
 * Invites `email` with `role` and emails the link. A pending invitation to the same address is
 * replaced (new role, new link; the old link dies): that is how a resend with another role works.
 */
export async function inviteMember(
  deps: MailDeps,
  input: { accountId: string; actor: TeamActor; email: string; role: Role; baseUrl: string },
): Promise<InviteResult> {
  requireManager(input.actor);
  if (input.role === "owner" && input.actor.role !== "owner") throw forbidden("Only owners can invite owners.");
  const email = normalizeEmail(input.email);
  await countInvitationMail(deps.db, input.accountId);
  const token = newToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);

  const attempt = () =>
    deps.db.transaction(async (t) => {
      const tx = asDb(t);
      const account = await lockAccount(tx, input.accountId);
      const [member] = await tx
        .select({ userId: memberships.userId })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.accountId, input.accountId), sql`lower(${users.email}) = ${email}`));
      if (member) throw conflict(`${email} is already a member of ${account.name}.`);
      const values = { role: input.role, tokenHash: sha256(token), invitedBy: input.actor.userId, expiresAt, lastSentAt: now };
      const [replaced] = await tx
        .update(invitations)
        .set(values)
        .where(and(eq(invitations.accountId, input.accountId), sql`lower(${invitations.email}) = ${email}`, pending()))
        .returning();
      // A new invitation counts against the plan's members (members + pending invitations; ADR 25),
      // checked under the account's lock so two at once cannot both take the last seat.
      if (!replaced) await checkPlanLimit(tx, input.accountId, "members");
      const row = replaced ?? (await tx.insert(invitations).values({ accountId: input.accountId, id: uuidv7(), email, ...values, createdAt: now }).returning())[0]!;
      await recordAudit(tx, {
        accountId: input.accountId,
        actor: input.actor,
        action: replaced ? "invitation.resent" : "member.invited",
        target: email,
        details: { email, role: input.role },
      });
      return { account, row, resent: Boolean(replaced) };
    });

  let result;
  try {
    result = await attempt();
  } catch (error) {
    // Two invitations to the same address at once: the second one replaces the first.
    if (!isUniqueViolation(error)) throw error;
    result = await attempt();
  }
  const emailSent = await mailInvitation(deps, { token, email, role: input.role, accountName: result.account.name, inviter: input.actor, expiresAt, baseUrl: input.baseUrl });
  const { row } = result;
  return {
    invitation: { id: row.id, email: row.email, role: row.role, invitedBy: input.actor.name, lastSentAt: row.lastSentAt, expiresAt: row.expiresAt, createdAt: row.createdAt, expired: false },
    resent: result.resent,
    emailSent,
  };
}

/** Sends a pending invitation again with a new link, valid 7 days from now; the old link dies. */
export async function resendInvitation(
  deps: MailDeps,
  input: { accountId: string; id: string; actor: TeamActor; baseUrl: string },
): Promise<{ emailSent: boolean; email: string }> {
  requireManager(input.actor);
  await countInvitationMail(deps.db, input.accountId);
  const token = newToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  const { account, row } = await deps.db.transaction(async (t) => {
    const tx = asDb(t);
    const account = await lockAccount(tx, input.accountId);
    const [found] = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.accountId, input.accountId), eq(invitations.id, input.id), pending()));
    if (!found) throw notFound("Invitation not found. It may have been accepted or cancelled already.");
    if (found.role === "owner" && input.actor.role !== "owner") throw forbidden("Only owners can resend an invitation to join as owner.");
    const [row] = await tx
      .update(invitations)
      .set({ tokenHash: sha256(token), expiresAt, lastSentAt: now, invitedBy: input.actor.userId })
      .where(and(eq(invitations.accountId, input.accountId), eq(invitations.id, input.id)))
      .returning();
    await recordAudit(tx, { accountId: input.accountId, actor: input.actor, action: "invitation.resent", target: found.email, details: { email: found.email, role: found.role } });
    return { account, row: row! };
  });
  const emailSent = await mailInvitation(deps, { token, email: row.email, role: row.role, accountName: account.name, inviter: input.actor, expiresAt, baseUrl: input.baseUrl });
  return { emailSent, email: row.email };
}

/** Cancels a pending invitation: its link stops working at once. */
export async function cancelInvitation(db: Db, input: { accountId: string; id: string; actor: TeamActor }): Promise<{ email: string }> {
  requireManager(input.actor);
  return db.transaction(async (t) => {
    const tx = asDb(t);
    const [row] = await tx
      .update(invitations)
      .set({ cancelledAt: new Date() })
      .where(and(eq(invitations.accountId, input.accountId), eq(invitations.id, input.id), pending()))
      .returning({ email: invitations.email, role: invitations.role });
    if (!row) throw notFound("Invitation not found. It may have been accepted or cancelled already.");
    await recordAudit(tx, { accountId: input.accountId, actor: input.actor, action: "invitation.cancelled", target: row.email, details: { email: row.email, role: row.role } });
    return { email: row.email };
  });
}

// ---------------------------------------------------------------- accepting

export type InvitationStatus = "pending" | "expired" | "cancelled" | "accepted" | "unknown";

export type InvitationInfo =
  | { status: "unknown" }
  | {
      status: Exclude<InvitationStatus, "unknown">;
      accountName: string;
      email: string;
      role: Role;
      inviterName: string | null;
      expiresAt: Date;
      /** Whether a login with the invited address exists (the page offers "log in" rather than "create"). */
      hasLogin: boolean;
    };

const tokenShape = (token: string) => token.startsWith(INVITATION_PREFIX) && token.length <= 200;

/** What the invitation page shows for a link: the account, role and address, or why it does not work. */
export async function invitationInfo(db: Db, token: string, now = new Date()): Promise<InvitationInfo> {
  if (!tokenShape(token)) return { status: "unknown" };
  const [row] = await db
    .select({
      accountName: accounts.name,
      email: invitations.email,
      role: invitations.role,
      inviterName: users.name,
      expiresAt: invitations.expiresAt,
      acceptedAt: invitations.acceptedAt,
      cancelledAt: invitations.cancelledAt,
    })
    .from(invitations)
    .innerJoin(accounts, eq(accounts.id, invitations.accountId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, sha256(token)));
  if (!row) return { status: "unknown" };
  const status = row.acceptedAt ? "accepted" : row.cancelledAt ? "cancelled" : row.expiresAt <= now ? "expired" : "pending";
  const [login] = await db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${row.email}`);
  return { status, accountName: row.accountName, email: row.email, role: row.role, inviterName: row.inviterName, expiresAt: row.expiresAt, hasLogin: Boolean(login) };
}

const unusable: Record<Exclude<InvitationStatus, "pending">, string> = {
  unknown: "This invitation link is not valid. If you were sent a newer invitation, use the link in that email.",
  expired: "This invitation has expired. Ask the person who invited you to send a new one.",
  cancelled: "This invitation was cancelled. Ask the person who invited you to send a new one.",
  accepted: "This invitation was already accepted. Log in to open the account.",
};

/**
 * The pending, unexpired invitation of a link and its account, both locked for this transaction
 * (the account first, in the same order as every other team change); NOT_FOUND with the reason
 * otherwise.
 */
async function lockUsableInvitation(tx: Tx, token: string, now: Date) {
  if (!tokenShape(token)) throw notFound(unusable.unknown);
  const byToken = eq(invitations.tokenHash, sha256(token));
  const [found] = await tx.select({ accountId: invitations.accountId }).from(invitations).where(byToken);
  if (!found) throw notFound(unusable.unknown);
  const account = await lockAccount(tx, found.accountId);
  const [row] = await tx.select().from(invitations).where(byToken).for("update");
  if (!row) throw notFound(unusable.unknown);
  const status = row.acceptedAt ? "accepted" : row.cancelledAt ? "cancelled" : row.expiresAt <= now ? "expired" : "pending";
  if (status !== "pending") throw notFound(unusable[status]);
  return { invitation: row, account };
}

async function join(
  tx: Tx,
  invitation: typeof invitations.$inferSelect,
  user: { id: string; email: string; name: string },
  ip: string | null,
  now: Date,
) {
  await tx.insert(memberships).values({ accountId: invitation.accountId, userId: user.id, role: invitation.role }).onConflictDoNothing();
  await tx.update(invitations).set({ acceptedAt: now, acceptedBy: user.id }).where(and(eq(invitations.accountId, invitation.accountId), eq(invitations.id, invitation.id)));
  const [inviter] = invitation.invitedBy ? await tx.select({ email: users.email }).from(users).where(eq(users.id, invitation.invitedBy)) : [];
  await recordAudit(tx, {
    accountId: invitation.accountId,
    actor: { userId: user.id, label: user.email, ip },
    action: "member.joined",
    target: user.email,
    details: { email: user.email, name: user.name, role: invitation.role, ...(inviter ? { invitedBy: inviter.email } : {}) },
  });
}

/**
 * A logged-in user accepts: they must be the invited address (the safe choice: a link forwarded
 * to, or opened by, someone else is refused). They join with the invited role, their address
 * counts as confirmed (the link reached it), and the session switches to the account.
 */
export async function acceptInvitation(
  db: Db,
  input: { token: string; user: { id: string; email: string; name: string }; sessionId: string; ip: string | null },
): Promise<{ accountId: string; accountName: string; role: Role }> {
  const now = new Date();
  return db.transaction(async (t) => {
    const tx = asDb(t);
    const { invitation, account } = await lockUsableInvitation(tx, input.token, now);
    if (normalizeEmail(input.user.email) !== invitation.email) {
      throw forbidden(`This invitation is for ${invitation.email}; you are logged in as ${input.user.email} — log out and open the link again.`);
    }
    await join(tx, invitation, input.user, input.ip, now);
    await tx.update(users).set({ emailConfirmedAt: now }).where(and(eq(users.id, input.user.id), isNull(users.emailConfirmedAt)));
    await tx.update(sessions).set({ accountId: invitation.accountId }).where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.user.id)));
    const membership = await memberOf(tx, invitation.accountId, input.user.id);
    return { accountId: account.id, accountName: account.name, role: membership?.role ?? invitation.role };
  });
}

/**
 * Someone without a login accepts: a user with the invited address (confirmed by the act of
 * accepting), a membership with the invited role, and a session on that account. No account of
 * their own is created.
 */
export async function acceptInvitationAsNewUser(
  deps: Pick<Deps, "db" | "auth">,
  input: { token: string; name: string; password: string; ip: string | null; userAgent?: string | null },
): Promise<NewSession & { accountId: string }> {
  // Only a usable link is worth a password hash (argon2 is deliberately slow): check it first,
  // and again, locked, below.
  const info = await invitationInfo(deps.db, input.token);
  if (info.status !== "pending") throw notFound(unusable[info.status]);
  if (info.hasLogin) throw conflict(`You already have a Tablewatch login with ${info.email}. Log in to accept the invitation.`);
  const passwordHash = await hashPassword(input.password);
  const now = new Date();
  const userId = uuidv7();
  let accountId: string;
  try {
    accountId = await deps.db.transaction(async (t) => {
      const tx = asDb(t);
      const { invitation } = await lockUsableInvitation(tx, input.token, now);
      const [existing] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${invitation.email}`);
      if (existing) throw conflict(`You already have a Tablewatch login with ${invitation.email}. Log in to accept the invitation.`);
      const name = input.name.trim();
      await tx.insert(users).values({ id: userId, email: invitation.email, name, passwordHash, emailConfirmedAt: now });
      await join(tx, invitation, { id: userId, email: invitation.email, name }, input.ip, now);
      return invitation.accountId;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict("A login with this address was just created. Log in to accept the invitation.");
    throw error;
  }
  // Their only account is the one they joined, so it is the session's default account.
  const session = await startSession(deps, userId, { remember: false, userAgent: input.userAgent });
  return { ...session, accountId };
}

// ---------------------------------------------------------------- members

/** Gives a member another role. Only owners grant or take away "owner"; the last owner stays one. */
export async function changeRole(db: Db, input: { accountId: string; userId: string; role: Role; actor: TeamActor }): Promise<TeamMember> {
  requireManager(input.actor);
  return db.transaction(async (t) => {
    const tx = asDb(t);
    const account = await lockAccount(tx, input.accountId);
    const member = await memberOf(tx, input.accountId, input.userId);
    if (!member) throw notFound("Member not found");
    if (member.role === input.role) return member;
    if ((member.role === "owner" || input.role === "owner") && input.actor.role !== "owner") {
      throw forbidden(member.role === "owner" ? "Only owners can change an owner's role." : "Only owners can make someone an owner.");
    }
    if (member.role === "owner" && (await ownerCount(tx, input.accountId)) <= 1) {
      throw conflict(`${member.email} is the last owner of ${account.name}. Make another member an owner first.`);
    }
    await tx.update(memberships).set({ role: input.role }).where(and(eq(memberships.accountId, input.accountId), eq(memberships.userId, input.userId)));
    await recordAudit(tx, {
      accountId: input.accountId,
      actor: input.actor,
      action: "member.role_changed",
      target: member.email,
      details: { email: member.email, name: member.name, from: member.role, to: input.role },
    });
    return { ...member, role: input.role };
  });
}

/**
 * Removes a member. Their sessions stay, but every call they make on this account is refused from
 * the next one on (the membership is checked on every call). Removing oneself is leaving.
 */
export async function removeMember(db: Db, input: { accountId: string; userId: string; actor: TeamActor }): Promise<TeamMember> {
  if (input.userId === input.actor.userId) return leaveAccount(db, { accountId: input.accountId, actor: input.actor });
  requireManager(input.actor);
  return db.transaction(async (t) => {
    const tx = asDb(t);
    const account = await lockAccount(tx, input.accountId);
    const member = await memberOf(tx, input.accountId, input.userId);
    if (!member) throw notFound("Member not found");
    if (member.role === "owner" && input.actor.role !== "owner") throw forbidden("Only owners can remove an owner.");
    if (member.role === "owner" && (await ownerCount(tx, input.accountId)) <= 1) {
      throw conflict(`${member.email} is the last owner of ${account.name} and cannot be removed.`);
    }
    await tx.delete(memberships).where(and(eq(memberships.accountId, input.accountId), eq(memberships.userId, input.userId)));
    await recordAudit(tx, { accountId: input.accountId, actor: input.actor, action: "member.removed", target: member.email, details: { email: member.email, name: member.name, role: member.role } });
    return member;
  });
}

/** The actor leaves the account (unless they are its last owner). */
export async function leaveAccount(db: Db, input: { accountId: string; actor: TeamActor }): Promise<TeamMember> {
  return db.transaction(async (t) => {
    const tx = asDb(t);
    const account = await lockAccount(tx, input.accountId);
    const member = await memberOf(tx, input.accountId, input.actor.userId);
    if (!member) throw notFound("Member not found");
    if (member.role === "owner" && (await ownerCount(tx, input.accountId)) <= 1) {
      throw conflict(`You are the last owner of ${account.name}. Make another member an owner before you leave.`);
    }
    await tx.delete(memberships).where(and(eq(memberships.accountId, input.accountId), eq(memberships.userId, input.actor.userId)));
    await recordAudit(tx, { accountId: input.accountId, actor: input.actor, action: "member.left", target: member.email, details: { email: member.email, name: member.name, role: member.role } });
    return member;
  });
}

// ---------------------------------------------------------------- the user's accounts

export type UserAccount = { id: string; name: string; role: Role };

/** The accounts the user belongs to, by name. */
export async function listUserAccounts(db: Db, userId: string): Promise<UserAccount[]> {
  const rows = await db
    .select({ id: accounts.id, name: accounts.name, role: memberships.role })
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.accountId))
    .where(eq(memberships.userId, userId));
  return rows.sort((a, b) => a.name.localeCompare(b.name, "en") || a.id.localeCompare(b.id));
}

/** Points the session at another account of the user's; NOT_FOUND when they are not a member of it. */
export async function switchAccount(db: Db, input: { userId: string; sessionId: string; accountId: string }): Promise<UserAccount> {
  const [row] = await db
    .select({ id: accounts.id, name: accounts.name, role: memberships.role })
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.accountId))
    .where(and(eq(memberships.userId, input.userId), eq(memberships.accountId, input.accountId)));
  if (!row) throw notFound("Account not found, or you are not a member of it.");
  await db.update(sessions).set({ accountId: row.id }).where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId)));
  return row;
}

/**
 * After leaving: every session of the user that acted on the account moves to another of their
 * accounts (the oldest membership), or to none. Returns that account's id, or null.
 */
export async function moveSessionsAfterLeaving(db: Db, input: { userId: string; accountId: string }): Promise<string | null> {
  const [next] = await db
    .select({ accountId: memberships.accountId })
    .from(memberships)
    .where(eq(memberships.userId, input.userId))
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  const accountId = next?.accountId ?? null;
  await db.update(sessions).set({ accountId }).where(and(eq(sessions.userId, input.userId), eq(sessions.accountId, input.accountId)));
  return accountId;
}
