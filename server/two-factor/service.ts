/**
 * Two-factor login with TOTP (RFC 6238: authenticator apps) and one-time recovery codes
 * (docs/decisions/0018-two-factor-login.md).
 *
 * Turning it on: `setup` keeps a fresh secret on the user (totp_secret, not yet enabled) and shows
 * it as a QR code; `enable` checks a code from the app against it, then marks it enabled and hands
 * out 10 recovery codes, once (only their SHA-256 is kept).
 *
 * Logging in: after a correct password, `startTwoFactorChallenge` makes a short-lived single-use
 * challenge (hash only) instead of a session; `verifyLogin` takes the challenge and a code (TOTP
 * ±1 step, or an unused recovery code) and only then makes the session. Each challenge allows 5
 * codes; wrong codes also count against per-user and per-IP limits (like wrong passwords).
 */
import { randomBytes } from "node:crypto";
import { and, count, eq, gt, isNotNull, isNull, lt, lte, or, sql } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import type { Db } from "../../db/client";
import { recoveryCodes, twoFactorChallenges, users } from "../../db/schema";
import { verifyPassword } from "../auth/password";
import { type NewSession, startSession } from "../auth/session";
import type { Deps } from "../deps";
import { badRequest, conflict, notFound, tooManyRequests, unauthorized } from "../errors";
import { clearRateLimit, hitRateLimit, isRateLimited } from "../rate-limit/service";
import { randomToken, sha256, uuidv7 } from "../tokens";

export const ISSUER = "Tablewatch";
export const RECOVERY_CODE_COUNT = 10;
export const CHALLENGE_TTL_MS = 10 * 60 * 1000;
export const CHALLENGE_ATTEMPTS = 5;
/** Wrong codes per user (any challenge) and per IP, like wrong passwords (server/auth/service.ts). */
export const CODE_LIMIT = { limit: 10, windowMs: 15 * 60 * 1000 };
/** Password checks for sensitive changes by a logged-in user (2FA off, new codes, email, password). */
export const PASSWORD_CHECK_LIMIT = { limit: 10, windowMs: 15 * 60 * 1000 };

export type TwoFactorRequired = { twoFactorChallenge: string; remember: boolean };

function totpFor(secret: string, label = ""): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: "SHA1", digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

/** The 30-second step a valid code was made for, or null. ±1 step allows for clock drift. */
export function totpStep(secret: string, code: string, now = Date.now()): number | null {
  const delta = totpFor(secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / 30) + delta;
}

/** "123 456" and "123456" are the same code; recovery codes ignore case, spaces and dashes. */
const normalizeCode = (code: string) => code.replace(/[\s-]/g, "").toLowerCase();
const isTotpShaped = (code: string) => /^\d{6}$/.test(normalizeCode(code));
const hashRecoveryCode = (code: string) => sha256(`recovery:${normalizeCode(code)}`);

/** Ten codes like `k3fq9-x2mzt` (50 bits each) from an alphabet without look-alikes. */
function newRecoveryCodes(): string[] {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10);
    let code = "";
    for (let i = 0; i < 10; i++) code += alphabet[bytes[i]! % alphabet.length];
    return `${code.slice(0, 5)}-${code.slice(5)}`;
  });
}

async function loadUser(db: Db, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) throw notFound("User not found.");
  return user;
}

/** Checks the user's password for a sensitive change, with a per-user limit on wrong guesses. */
export async function checkPassword(db: Db, user: { id: string; passwordHash: string }, password: string): Promise<void> {
  const key = `password-check:user:${user.id}`;
  const limited = await isRateLimited(db, key, PASSWORD_CHECK_LIMIT);
  if (limited.limited) {
    throw tooManyRequests("Too many wrong passwords. Please wait a few minutes and try again.", Math.max(1, Math.ceil((limited.resetAt.getTime() - Date.now()) / 1000)));
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    await hitRateLimit(db, key, PASSWORD_CHECK_LIMIT);
    throw badRequest("Your current password is not correct.", "WRONG_PASSWORD");
  }
  await clearRateLimit(db, key);
}

async function storeRecoveryCodes(db: Db, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx.insert(recoveryCodes).values(codes.map((code) => ({ id: uuidv7(), userId, codeHash: hashRecoveryCode(code) })));
  });
  return codes;
}

export type TwoFactorStatus = { enabled: boolean; enabledAt: Date | null; recoveryCodesLeft: number };

export async function twoFactorStatus(db: Db, userId: string): Promise<TwoFactorStatus> {
  const user = await loadUser(db, userId);
  const [left] = await db
    .select({ n: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return { enabled: user.totpEnabledAt !== null, enabledAt: user.totpEnabledAt, recoveryCodesLeft: user.totpEnabledAt ? Number(left?.n ?? 0) : 0 };
}

export type TwoFactorSetup = { secret: string; otpauthUrl: string; qrCode: string };

/**
 * A new secret for the authenticator app, kept on the user until a code confirms it (`enable`).
 * The QR code is an SVG data URL made here, so no third party ever sees the secret.
 */
export async function setupTwoFactor(db: Db, userId: string): Promise<TwoFactorSetup> {
  const user = await loadUser(db, userId);
  if (user.totpEnabledAt) throw conflict("Two-factor login is already on. Turn it off first to set up a new app.");
  const secret = new Secret({ size: 20 }).base32;
  await db.update(users).set({ totpSecret: secret }).where(and(eq(users.id, userId), isNull(users.totpEnabledAt)));
  const otpauthUrl = totpFor(secret, user.email).toString();
  const svg = await QRCode.toString(otpauthUrl, { type: "svg", errorCorrectionLevel: "M", margin: 1, color: { dark: "#17212bff", light: "#ffffffff" } });
  return { secret, otpauthUrl, qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

/** Turns two-factor login on when `code` matches the secret from `setup`; the recovery codes are returned once. */
export async function enableTwoFactor(db: Db, input: { userId: string; code: string }): Promise<{ recoveryCodes: string[] }> {
  const user = await loadUser(db, input.userId);
  if (user.totpEnabledAt) throw conflict("Two-factor login is already on.");
  if (!user.totpSecret) throw badRequest("Start the setup first: there is no secret to check the code against.");
  if (!isTotpShaped(input.code) || totpStep(user.totpSecret, normalizeCode(input.code)) === null) {
    throw badRequest("That code is not right. Check that the app shows “Tablewatch” and your email, and enter the current 6-digit code.", "WRONG_CODE");
  }
  const [enabled] = await db
    .update(users)
    .set({ totpEnabledAt: new Date() })
    .where(and(eq(users.id, user.id), eq(users.totpSecret, user.totpSecret), isNull(users.totpEnabledAt)))
    .returning({ id: users.id });
  if (!enabled) throw conflict("Two-factor login changed meanwhile. Reload the page and try again.");
  return { recoveryCodes: await storeRecoveryCodes(db, user.id) };
}

/**
 * Checks a code for a user with two-factor login: a TOTP code (each step usable once, so a code
 * seen over someone's shoulder cannot be replayed) or an unused recovery code, which is used up.
 */
async function acceptCode(db: Db, user: { id: string; totpSecret: string | null }, code: string): Promise<"totp" | "recovery" | null> {
  const normalized = normalizeCode(code);
  if (isTotpShaped(normalized)) {
    const step = user.totpSecret ? totpStep(user.totpSecret, normalized) : null;
    if (step === null) return null;
    const fresh = await hitRateLimit(db, `totp-used:${user.id}:${step}`, { limit: 1, windowMs: 3 * 30_000 });
    return fresh.allowed ? "totp" : null;
  }
  if (normalized.length !== 10) return null;
  const [used] = await db
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.codeHash, hashRecoveryCode(normalized)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return used ? "recovery" : null;
}

/** Turns two-factor login off; needs the password or a current code (or a recovery code). */
export async function disableTwoFactor(db: Db, input: { userId: string; password?: string; code?: string }): Promise<void> {
  const user = await loadUser(db, input.userId);
  if (!user.totpEnabledAt) throw conflict("Two-factor login is not on.");
  if (input.code) {
    if (!(await acceptCode(db, user, input.code))) throw badRequest("That code is not right, or was already used.", "WRONG_CODE");
  } else if (input.password) {
    await checkPassword(db, user, input.password);
  } else {
    throw badRequest("Enter your password or a code from your app.");
  }
  await db.transaction(async (tx) => {
    await tx.update(users).set({ totpSecret: null, totpEnabledAt: null }).where(eq(users.id, user.id));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    await tx.delete(twoFactorChallenges).where(eq(twoFactorChallenges.userId, user.id));
  });
}

/** New recovery codes (the old ones stop working); needs the password. */
export async function regenerateRecoveryCodes(db: Db, input: { userId: string; password: string }): Promise<{ recoveryCodes: string[] }> {
  const user = await loadUser(db, input.userId);
  if (!user.totpEnabledAt) throw conflict("Two-factor login is not on.");
  await checkPassword(db, user, input.password);
  return { recoveryCodes: await storeRecoveryCodes(db, user.id) };
}

/** After a correct password: the challenge the code form presents (kept as a hash; 10 minutes, 5 codes). */
export async function startTwoFactorChallenge(db: Db, input: { userId: string; remember: boolean }): Promise<TwoFactorRequired> {
  const token = randomToken();
  const now = Date.now();
  // Spent and expired challenges of this user are of no use to anyone.
  await db
    .delete(twoFactorChallenges)
    .where(and(eq(twoFactorChallenges.userId, input.userId), or(isNotNull(twoFactorChallenges.usedAt), lte(twoFactorChallenges.expiresAt, new Date(now)))));
  await db.insert(twoFactorChallenges).values({
    id: uuidv7(),
    userId: input.userId,
    tokenHash: sha256(token),
    remember: input.remember,
    expiresAt: new Date(now + CHALLENGE_TTL_MS),
  });
  return { twoFactorChallenge: token, remember: input.remember };
}

function retryAfter(resetAt: Date): number {
  return Math.max(1, Math.ceil((resetAt.getTime() - Date.now()) / 1000));
}

const CHALLENGE_GONE = "This login has expired or had too many wrong codes. Please log in again.";

/** The second step of a login: a valid code for the challenge makes the session. */
export async function verifyLogin(
  deps: Pick<Deps, "db" | "auth">,
  input: { challenge: string; code: string; ip: string; userAgent?: string },
): Promise<NewSession> {
  const { db } = deps;
  const now = new Date();
  // Each try uses up one of the challenge's attempts, atomically (parallel guesses count too).
  const [challenge] = await db
    .update(twoFactorChallenges)
    .set({ attempts: sql`${twoFactorChallenges.attempts} + 1` })
    .where(
      and(
        eq(twoFactorChallenges.tokenHash, sha256(input.challenge)),
        isNull(twoFactorChallenges.usedAt),
        gt(twoFactorChallenges.expiresAt, now),
        lt(twoFactorChallenges.attempts, CHALLENGE_ATTEMPTS),
      ),
    )
    .returning();
  if (!challenge) throw unauthorized(CHALLENGE_GONE);
  const keys = [`2fa:user:${challenge.userId}`, `login:ip:${input.ip}`];
  for (const key of keys) {
    const { limited, resetAt } = await isRateLimited(db, key, CODE_LIMIT);
    if (limited) throw tooManyRequests("Too many wrong codes. Please wait a few minutes and try again.", retryAfter(resetAt));
  }
  const user = await loadUser(db, challenge.userId);
  const accepted = user.totpEnabledAt ? await acceptCode(db, user, input.code) : "totp";
  if (!accepted) {
    for (const key of keys) await hitRateLimit(db, key, CODE_LIMIT);
    const left = CHALLENGE_ATTEMPTS - challenge.attempts;
    throw unauthorized(
      left > 0
        ? `That code is not right${isTotpShaped(input.code) ? " (or was already used)" : ""}. ${left} ${left === 1 ? "try" : "tries"} left.`
        : CHALLENGE_GONE,
    );
  }
  const [spent] = await db
    .update(twoFactorChallenges)
    .set({ usedAt: now })
    .where(and(eq(twoFactorChallenges.id, challenge.id), isNull(twoFactorChallenges.usedAt)))
    .returning({ id: twoFactorChallenges.id });
  if (!spent) throw unauthorized(CHALLENGE_GONE);
  await clearRateLimit(db, keys[0]!);
  return startSession(deps, user.id, { remember: challenge.remember, userAgent: input.userAgent });
}
