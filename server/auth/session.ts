import { defaultAccountId } from "../account/service";
import type { Deps } from "../deps";

export type NewSession = { sessionId: string; remember: boolean };

/** Longest User-Agent kept with a session (browsers send a few hundred characters). */
const USER_AGENT_MAX = 500;

/**
 * A new session for the user on their default account, recording the browser it was made from
 * (Settings → Profile → Sessions) and when it was last seen (now).
 */
export async function startSession(
  deps: Pick<Deps, "db" | "auth">,
  userId: string,
  opts: { remember: boolean; userAgent?: string | null },
): Promise<NewSession> {
  const accountId = await defaultAccountId(deps.db, userId);
  const session = await deps.auth.createSession(userId, {
    remember: opts.remember,
    accountId,
    userAgent: opts.userAgent ? opts.userAgent.slice(0, USER_AGENT_MAX) : null,
    lastSeenAt: new Date(),
  });
  return { sessionId: session.id, remember: opts.remember };
}
