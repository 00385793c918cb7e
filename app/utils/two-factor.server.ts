import { createCookie, redirect } from "@remix-run/node";
import { safeRedirect } from "~/utils/auth.server";

/**
 * Between a correct password and the code (two-factor login), the browser holds the challenge in
 * this short-lived httpOnly cookie; the challenge itself is checked (and limited) by the server.
 */
const challengeCookie = createCookie("tw_2fa", { httpOnly: true, sameSite: "lax", path: "/", maxAge: 10 * 60 });

const secure = (request: Request) => new URL(request.url).protocol === "https:";

export async function readChallenge(request: Request): Promise<string | null> {
  const value: unknown = await challengeCookie.parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length <= 200 ? value : null;
}

export function clearChallengeCookie(request: Request): Promise<string> {
  return challengeCookie.serialize("", { maxAge: 0, secure: secure(request) });
}

/** After the password: on to the code form, keeping where the user was going. */
export async function redirectToTwoFactor(request: Request, challenge: string, redirectTo: FormDataEntryValue | string | null | undefined): Promise<never> {
  const to = safeRedirect(redirectTo);
  throw redirect(`/login/two-factor${to === "/dashboard" ? "" : `?redirectTo=${encodeURIComponent(to)}`}`, {
    headers: { "Set-Cookie": await challengeCookie.serialize(challenge, { secure: secure(request) }) },
  });
}
