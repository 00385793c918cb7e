import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { emailConfirmations, passwordResetTokens, users } from "../../db/schema";
import { createAccountWithOwner } from "../account/service";
import type { Deps } from "../deps";
import { badRequest, conflict, tooManyRequests, unauthorized } from "../errors";
import { sendEmailConfirmation, sendPasswordReset } from "../mail/messages";
import { clearRateLimit, hitRateLimit, isRateLimited } from "../rate-limit/service";
import { randomToken, sha256, uuidv7 } from "../tokens";
import { startTwoFactorChallenge, type TwoFactorRequired } from "../two-factor/service";
import { dummyPasswordHash, hashPassword, verifyPassword } from "./password";
import { type NewSession, startSession } from "./session";

const HOUR = 60 * 60 * 1000;
const RESET_TTL_MS = HOUR;
const CONFIRM_TTL_MS = 7 * 24 * HOUR;
export const LOGIN_LIMIT = { limit: 10, windowMs: 15 * 60 * 1000 };

export type { NewSession } from "./session";
/** A login either makes a session or, for a user with two-factor login, asks for a code first. */
export type LoginResult = NewSession | TwoFactorRequired;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

async function findUserByEmail(db: Db, email: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${normalizeEmail(email)}`);
  return user;
}

export async function findUserIdByEmail(db: Db, email: string): Promise<string | null> {
  return (await findUserByEmail(db, email))?.id ?? null;
}

/** The row of a one-time link that is unused and unexpired. */
function usableToken(table: typeof passwordResetTokens | typeof emailConfirmations, token: string, now: Date) {
  return and(eq(table.tokenHash, sha256(token)), isNull(table.usedAt), gt(table.expiresAt, now));
}

/** Creates a user and an account named after them, owned by them. No email is sent. */
export async function createUser(
  db: Db,
  input: { name: string; email: string; password: string; isAdmin?: boolean },
): Promise<{ userId: string; accountId: string }> {
  if (await findUserByEmail(db, input.email)) {
    throw conflict("An account with this email already exists. Log in, or reset your password.");
  }
  const passwordHash = await hashPassword(input.password);
  const userId = uuidv7();
  return db.transaction(async (tx) => {
    await tx.insert(users).values({
      id: userId,
      email: input.email.trim(),
      name: input.name.trim(),
      passwordHash,
      isAdmin: input.isAdmin ?? false,
    });
    const account = await createAccountWithOwner(tx as unknown as Db, { name: input.name.trim(), ownerId: userId });
    return { userId, accountId: account.id };
  });
}

/** Registration: user + account, a confirmation email, and a logged-in session. */
export async function register(
  deps: Deps,
  input: { name: string; email: string; password: string; baseUrl: string; userAgent?: string },
): Promise<NewSession> {
  const { userId } = await createUser(deps.db, input);
  // The account works without confirmation; a failed send is logged and can be resent later.
  await requestEmailConfirmation(deps, { userId, baseUrl: input.baseUrl }).catch((error: unknown) =>
    console.error("confirmation email failed", error),
  );
  return startSession(deps, userId, { remember: false, userAgent: input.userAgent });
}

export async function requestEmailConfirmation(deps: Deps, input: { userId: string; baseUrl: string }): Promise<void> {
  const [user] = await deps.db.select().from(users).where(eq(users.id, input.userId));
  if (!user || user.emailConfirmedAt) return;
  const token = randomToken();
  await deps.db.insert(emailConfirmations).values({
    id: uuidv7(),
    userId: user.id,
    email: user.email,
    tokenHash: sha256(token),
    expiresAt: new Date(Date.now() + CONFIRM_TTL_MS),
  });
  await sendEmailConfirmation(deps.mailer, user, `${input.baseUrl}/confirm-email?token=${token}`);
}

/** Marks the address confirmed when the link is valid and the user still has that address. */
export async function confirmEmail(deps: Deps, input: { token: string }): Promise<{ email: string }> {
  const now = new Date();
  const [row] = await deps.db
    .update(emailConfirmations)
    .set({ usedAt: now })
    .where(
      usableToken(emailConfirmations, input.token, now),
    )
    .returning({ userId: emailConfirmations.userId, email: emailConfirmations.email });
  if (!row) throw badRequest("This confirmation link is invalid or has expired. Log in to get a new one.");
  const [user] = await deps.db
    .update(users)
    .set({ emailConfirmedAt: now })
    .where(and(eq(users.id, row.userId), sql`lower(${users.email}) = ${normalizeEmail(row.email)}`))
    .returning({ email: users.email });
  if (!user) throw badRequest("This confirmation link is for an address your login no longer uses.");
  return user;
}

/**
 * Checks email and password. After 10 failed attempts within 15 minutes for one email, or from
 * one IP, further attempts are refused until the window ends; the answer never tells whether
 * the email is registered. A user with two-factor login gets a challenge instead of a session
 * (server/two-factor/service.ts: the code completes the login).
 */
export async function login(
  deps: Deps,
  input: { email: string; password: string; remember: boolean; ip: string; userAgent?: string },
): Promise<LoginResult> {
  const email = normalizeEmail(input.email);
  const keys = [`login:email:${email}`, `login:ip:${input.ip}`];
  for (const key of keys) {
    const { limited, resetAt } = await isRateLimited(deps.db, key, LOGIN_LIMIT);
    if (limited) {
      const seconds = Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000));
      const minutes = Math.ceil(seconds / 60);
      throw tooManyRequests(
        `Too many failed login attempts. Please wait ${minutes} minute${minutes > 1 ? "s" : ""} and try again, or reset your password.`,
        seconds,
      );
    }
  }
  const user = await findUserByEmail(deps.db, email);
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !ok) {
    for (const key of keys) await hitRateLimit(deps.db, key, LOGIN_LIMIT);
    throw unauthorized("Wrong email or password.");
  }
  await clearRateLimit(deps.db, keys[0]!);
  if (user.totpEnabledAt) return startTwoFactorChallenge(deps.db, { userId: user.id, remember: input.remember });
  return startSession(deps, user.id, { remember: input.remember, userAgent: input.userAgent });
}

export async function logout(deps: Deps, sessionId: string): Promise<void> {
  await deps.auth.invalidateSession(sessionId);
}

/**
 * Sends a reset link when the email is registered. The caller's answer is the same either way,
 * and the mail is sent in the background so that timing does not tell either.
 */
export async function requestPasswordReset(deps: Deps, input: { email: string; baseUrl: string }): Promise<void> {
  const hit = await hitRateLimit(deps.db, `reset:email:${normalizeEmail(input.email)}`, { limit: 5, windowMs: HOUR });
  if (!hit.allowed) return;
  const user = await findUserByEmail(deps.db, input.email);
  if (!user) return;
  const token = randomToken();
  await deps.db.insert(passwordResetTokens).values({
    id: uuidv7(),
    userId: user.id,
    tokenHash: sha256(token),
    expiresAt: new Date(Date.now() + RESET_TTL_MS),
  });
  sendPasswordReset(deps.mailer, user, `${input.baseUrl}/reset-password?token=${token}`).catch((error) =>
    console.error("password reset email failed", error),
  );
}

/** Whether a reset link can still be used (for showing the form or an error up front). */
export async function isResetTokenUsable(deps: Deps, token: string): Promise<boolean> {
  const [row] = await deps.db
    .select({ id: passwordResetTokens.id })
    .from(passwordResetTokens)
    .where(
      usableToken(passwordResetTokens, token, new Date()),
    );
  return Boolean(row);
}

/**
 * Sets a new password from a single-use link, ends every session of the user, and logs in (a user
 * with two-factor login still has to give a code: the link proves only the email).
 */
export async function resetPassword(deps: Deps, input: { token: string; password: string; userAgent?: string }): Promise<LoginResult> {
  const now = new Date();
  const passwordHash = await hashPassword(input.password);
  const userId = await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(passwordResetTokens)
      .set({ usedAt: now })
      .where(
        usableToken(passwordResetTokens, input.token, now),
      )
      .returning({ userId: passwordResetTokens.userId });
    if (!row) return null;
    await tx.update(users).set({ passwordHash }).where(eq(users.id, row.userId));
    return row.userId;
  });
  if (!userId) throw badRequest("This reset link is invalid, was already used, or has expired. Ask for a new one.");
  await deps.auth.invalidateUserSessions(userId);
  const [user] = await deps.db.select({ totpEnabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, userId));
  if (user?.totpEnabledAt) return startTwoFactorChallenge(deps.db, { userId, remember: false });
  return startSession(deps, userId, { remember: false, userAgent: input.userAgent });
}
