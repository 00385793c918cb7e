/**
 * Settings → Profile: change the login email (confirmed by a link to the new address), change
 * the password (ending the other sessions), and the user's sessions (list, end one, end others).
 */
import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emailConfirmations, passwordResetTokens, sessions, users } from "../../db/schema";
import { hashPassword } from "../auth/password";
import type { Deps } from "../deps";
import { badRequest, conflict, notFound } from "../errors";
import { sendEmailChange } from "../mail/messages";
import { randomToken, sha256, uuidv7 } from "../tokens";
import { checkPassword } from "../two-factor/service";
import { describeDevice } from "./device";

export const EMAIL_CHANGE_TTL_MS = 24 * 60 * 60 * 1000;

const normalizeEmail = (email: string) => email.trim().toLowerCase();

/**
 * Email-change links live in email_confirmations (its `email` is the new address) but are hashed
 * with a prefix, so an email-change token never confirms an address and an address-confirmation
 * token never changes one.
 */
const changeTokenHash = (token: string) => sha256(`email-change:${token}`);

async function loadUser(db: Db, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw notFound("User not found.");
  return user;
}

async function emailTaken(db: Db, email: string, exceptUserId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(sql`lower(${users.email}) = ${normalizeEmail(email)}`, ne(users.id, exceptUserId)));
  return Boolean(row);
}

/** Pending email-change requests of a user: unused links for an address that is not the user's. */
const pendingChanges = (userId: string, currentEmail: string, now: Date) =>
  and(
    eq(emailConfirmations.userId, userId),
    isNull(emailConfirmations.usedAt),
    gt(emailConfirmations.expiresAt, now),
    sql`lower(${emailConfirmations.email}) <> ${normalizeEmail(currentEmail)}`,
  );

/**
 * Asks to change the login email: with the current password, a link valid 24 hours goes to the
 * new address. Until it is opened the old address stays; a newer request replaces older links.
 */
export async function requestEmailChange(
  deps: Pick<Deps, "db" | "mailer">,
  input: { userId: string; newEmail: string; password: string; baseUrl: string },
): Promise<{ pendingEmail: string; expiresAt: Date }> {
  const { db } = deps;
  const user = await loadUser(db, input.userId);
  const newEmail = input.newEmail.trim();
  await checkPassword(db, user, input.password);
  if (normalizeEmail(newEmail) === normalizeEmail(user.email)) throw badRequest("That is already your email address.");
  if (await emailTaken(db, newEmail, user.id)) throw conflict("Another Tablewatch login already uses this address.");
  const now = new Date();
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + EMAIL_CHANGE_TTL_MS);
  await db.transaction(async (tx) => {
    await tx.update(emailConfirmations).set({ usedAt: now }).where(pendingChanges(user.id, user.email, now));
    await tx.insert(emailConfirmations).values({ id: uuidv7(), userId: user.id, email: newEmail, tokenHash: changeTokenHash(token), expiresAt });
  });
  await sendEmailChange(deps.mailer, { email: newEmail, name: user.name }, { oldEmail: user.email, confirmUrl: `${input.baseUrl}/confirm-new-email?token=${token}` });
  return { pendingEmail: newEmail, expiresAt };
}

/** The address a change was asked for and not yet confirmed, if any. */
export async function pendingEmailChange(db: Db, userId: string): Promise<{ email: string; expiresAt: Date } | null> {
  const user = await loadUser(db, userId);
  const [row] = await db
    .select({ email: emailConfirmations.email, expiresAt: emailConfirmations.expiresAt })
    .from(emailConfirmations)
    .where(pendingChanges(user.id, user.email, new Date()))
    .orderBy(desc(emailConfirmations.createdAt))
    .limit(1);
  return row ?? null;
}

/** Withdraws a pending email change (its link stops working). */
export async function cancelEmailChange(db: Db, userId: string): Promise<void> {
  const user = await loadUser(db, userId);
  const now = new Date();
  await db.update(emailConfirmations).set({ usedAt: now }).where(pendingChanges(user.id, user.email, now));
}

const CHANGE_LINK_GONE = "This link is invalid, was already used, or has expired (links work for 24 hours). Ask for the change again in Settings → Profile.";

/**
 * Opening the link: the user's login email becomes the new address (confirmed), if no other login
 * has taken it meanwhile. Outstanding password-reset links (sent to the old address) die.
 */
export async function confirmEmailChange(db: Db, input: { token: string }): Promise<{ email: string }> {
  const now = new Date();
  const [row] = await db
    .select()
    .from(emailConfirmations)
    .where(and(eq(emailConfirmations.tokenHash, changeTokenHash(input.token)), isNull(emailConfirmations.usedAt), gt(emailConfirmations.expiresAt, now)));
  if (!row) throw badRequest(CHANGE_LINK_GONE);
  if (await emailTaken(db, row.email, row.userId)) {
    throw conflict(`${row.email} is now used by another Tablewatch login, so your email was not changed. Choose another address in Settings → Profile.`);
  }
  try {
    return await db.transaction(async (tx) => {
      const [spent] = await tx
        .update(emailConfirmations)
        .set({ usedAt: now })
        .where(and(eq(emailConfirmations.id, row.id), isNull(emailConfirmations.usedAt)))
        .returning({ id: emailConfirmations.id });
      if (!spent) throw badRequest(CHANGE_LINK_GONE);
      await tx.update(users).set({ email: row.email, emailConfirmedAt: now }).where(eq(users.id, row.userId));
      // Every other link of the user (other changes, confirmations of the old address) dies.
      await tx.update(emailConfirmations).set({ usedAt: now }).where(and(eq(emailConfirmations.userId, row.userId), isNull(emailConfirmations.usedAt)));
      await tx.update(passwordResetTokens).set({ usedAt: now }).where(and(eq(passwordResetTokens.userId, row.userId), isNull(passwordResetTokens.usedAt)));
      return { email: row.email };
    });
  } catch (error) {
    // Taken between the check and the update: the unique index on lower(email) refused it.
    if (isUniqueViolation(error)) throw conflict(`${row.email} is now used by another Tablewatch login, so your email was not changed.`);
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

/** A new password, with the current one; every other session of the user ends, this one stays. */
export async function changePassword(
  db: Db,
  input: { userId: string; currentSessionId: string; currentPassword: string; newPassword: string },
): Promise<{ endedSessions: number }> {
  const user = await loadUser(db, input.userId);
  await checkPassword(db, user, input.currentPassword);
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    await tx.update(passwordResetTokens).set({ usedAt: new Date() }).where(and(eq(passwordResetTokens.userId, user.id), isNull(passwordResetTokens.usedAt)));
    const ended = await tx
      .delete(sessions)
      .where(and(eq(sessions.userId, user.id), ne(sessions.id, input.currentSessionId)))
      .returning({ id: sessions.id });
    return { endedSessions: ended.length };
  });
}

export type SessionInfo = {
  /** Not the session id (that is the cookie's secret): a fingerprint of it. */
  id: string;
  device: string;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date | null;
  current: boolean;
};

export const sessionPublicId = (sessionId: string) => sha256(`session:${sessionId}`).slice(0, 24);

/** The user's live sessions, most recently used first. */
export async function listSessions(db: Db, input: { userId: string; currentSessionId: string }): Promise<SessionInfo[]> {
  const rows = await db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, input.userId), gt(sessions.expiresAt, new Date())))
    .orderBy(sql`${sessions.lastSeenAt} desc nulls last`, desc(sessions.createdAt));
  const list = rows.map((s) => ({
    id: sessionPublicId(s.id),
    device: describeDevice(s.userAgent),
    userAgent: s.userAgent,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    current: s.id === input.currentSessionId,
  }));
  // This device first, then by last use.
  return [...list.filter((s) => s.current), ...list.filter((s) => !s.current)];
}

/** Ends one of the user's other sessions (by its listed id); another user's is NOT_FOUND. */
export async function endSession(db: Db, input: { userId: string; currentSessionId: string; id: string }): Promise<void> {
  const rows = await db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, input.userId));
  const match = rows.find((s) => sessionPublicId(s.id) === input.id);
  if (!match) throw notFound("There is no such session (it may have ended already).");
  if (match.id === input.currentSessionId) throw badRequest("This is the session you are using now. Use “Log out” to end it.");
  await db.delete(sessions).where(and(eq(sessions.id, match.id), eq(sessions.userId, input.userId)));
}

/** Ends every session of the user but this one. */
export async function endOtherSessions(db: Db, input: { userId: string; currentSessionId: string }): Promise<{ endedSessions: number }> {
  const ended = await db
    .delete(sessions)
    .where(and(eq(sessions.userId, input.userId), ne(sessions.id, input.currentSessionId)))
    .returning({ id: sessions.id });
  return { endedSessions: ended.length };
}
