import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { accounts, memberships, type Role, users } from "../../db/schema";
import { ensureDefaultDashboard } from "../dashboard/service";
import { badRequest, notFound } from "../errors";
import { uuidv7 } from "../tokens";

export type AccountSummary = { id: string; name: string; plan: string };

export async function createAccountWithOwner(db: Db, input: { name: string; ownerId: string }): Promise<AccountSummary> {
  const id = uuidv7();
  const [account] = await db
    .insert(accounts)
    .values({ id, name: input.name })
    .returning({ id: accounts.id, name: accounts.name, plan: accounts.plan });
  await db.insert(memberships).values({ accountId: id, userId: input.ownerId, role: "owner" });
  await ensureDefaultDashboard(db, id);
  return account!;
}

export async function getAccount(db: Db, accountId: string): Promise<AccountSummary> {
  const [account] = await db
    .select({ id: accounts.id, name: accounts.name, plan: accounts.plan })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!account) throw notFound("Account not found");
  return account;
}

/** The user's membership in an account, with the account; null when the user is not a member. */
export async function findMembership(
  db: Db,
  input: { userId: string; accountId: string },
): Promise<{ account: AccountSummary; role: Role } | null> {
  const [row] = await db
    .select({ id: accounts.id, name: accounts.name, plan: accounts.plan, role: memberships.role })
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.accountId))
    .where(and(eq(memberships.userId, input.userId), eq(memberships.accountId, input.accountId)));
  if (!row) return null;
  const { role, ...account } = row;
  return { account, role };
}

/** The account a fresh login acts on: the user's oldest membership. */
export async function defaultAccountId(db: Db, userId: string): Promise<string | null> {
  const [row] = await db
    .select({ accountId: memberships.accountId })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  return row?.accountId ?? null;
}

/** An IANA time zone name this runtime knows (Intl), e.g. Europe/Tallinn. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return value.length > 0;
  } catch {
    return false;
  }
}

export async function updatePreferences(db: Db, input: { userId: string; timeZone: string; hour12: boolean }): Promise<void> {
  if (!isTimeZone(input.timeZone)) throw badRequest(`Unknown time zone ${input.timeZone.slice(0, 100)}`);
  await db.update(users).set({ timeZone: input.timeZone, hour12: input.hour12 }).where(eq(users.id, input.userId));
}
