import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { Field, FormAlert } from "~/components/form";
import { RoleBadge, roleInfo, withArticle } from "~/components/role-badge";
import styles from "~/styles/team.css";
import { formAction, readForm } from "~/utils/errors.server";

// "same-origin" keeps the token in the address out of requests to other sites (and keeps
// `Origin` on the form posts, which the CSRF check needs before hydration); never indexed.
export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data && data.status === "pending" && data.accountName ? `Join ${data.accountName} · Tablewatch` : "Invitation · Tablewatch" },
  { name: "referrer", content: "same-origin" },
  { name: "robots", content: "noindex" },
];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

/** Pending: 200; expired, cancelled or used: 410 Gone; unknown (or replaced by a resend): 404. */
export async function loader({ params, request, context }: LoaderFunctionArgs) {
  const token = (params.token ?? "").slice(0, 200);
  const info = await context.trpc.team.invitation({ token });
  const status = info.status === "pending" ? 200 : info.status === "unknown" ? 404 : 410;
  const mode = new URL(request.url).searchParams.has("login") ? ("login" as const) : ("create" as const);
  return data({ ...info, mode, path: `/invite/${encodeURIComponent(token)}` }, { status });
}

export async function action({ params, request, context }: ActionFunctionArgs) {
  const token = (params.token ?? "").slice(0, 200);
  const values = await readForm(request);
  if (values.intent === "accept") {
    const result = await formAction(() => context.trpc.team.acceptInvitation({ token }));
    if (!result.ok) return result.response;
    throw redirect("/dashboard");
  }
  if (values.intent === "create") {
    const result = await formAction(() => context.trpc.team.acceptInvitationAsNewUser({ token, name: values.name ?? "", password: values.password ?? "" }));
    if (!result.ok) return result.response;
    throw redirect("/dashboard", { headers: { "Set-Cookie": context.sessionCookie(result.value) } });
  }
  if (values.intent === "logout") {
    await context.trpc.auth.logout();
    throw redirect(`/invite/${encodeURIComponent(token)}`, { headers: { "Set-Cookie": context.blankSessionCookie() } });
  }
  throw new Response("Unknown action", { status: 400 });
}

function Unavailable({ title, children, loggedIn }: { title: string; children: ReactNode; loggedIn: boolean }) {
  return (
    <div className="auth-card invite-card">
      <div className="invite-icon muted-icon" aria-hidden="true">
        <svg viewBox="0 0 24 24" width="22" height="22">
          <rect x="3.5" y="5.5" width="17" height="13" rx="2" fill="none" stroke="currentColor" strokeWidth="1.8" />
          <path d="M4 7l8 6 8-6" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinejoin="round" />
        </svg>
      </div>
      <h1>{title}</h1>
      <div className="sub">{children}</div>
      <Link className="button block" to={loggedIn ? "/dashboard" : "/login"}>
        {loggedIn ? "Go to your dashboard" : "Log in"}
      </Link>
    </div>
  );
}

export default function InvitationPage() {
  const info = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.errors;
  const busy = useNavigation().state !== "idle";
  const loggedIn = info.loggedInAs !== null;
  const inviter = info.inviterName ?? "A member";

  if (info.status === "unknown") {
    return (
      <Unavailable title="This invitation link does not work" loggedIn={loggedIn}>
        <p>It is incomplete, or it was replaced by a newer invitation. If you received more than one invitation email, use the newest one.</p>
      </Unavailable>
    );
  }
  if (info.status === "expired") {
    return (
      <Unavailable title="This invitation has expired" loggedIn={loggedIn}>
        <p>
          Invitations to <strong>{info.accountName}</strong> work for 7 days. Ask {info.inviterName ?? "the person who invited you"} to send a
          new one.
        </p>
      </Unavailable>
    );
  }
  if (info.status === "cancelled") {
    return (
      <Unavailable title="This invitation was cancelled" loggedIn={loggedIn}>
        <p>
          The invitation to <strong>{info.accountName}</strong> was withdrawn. Ask {info.inviterName ?? "the person who invited you"} if you
          still need access.
        </p>
      </Unavailable>
    );
  }
  if (info.status === "accepted") {
    return (
      <Unavailable title="This invitation was already used" loggedIn={loggedIn}>
        <p>
          It has been accepted. {loggedIn ? "Open your dashboard" : "Log in"} to work in <strong>{info.accountName}</strong>.
        </p>
      </Unavailable>
    );
  }

  const role = info.role!;
  const email = info.email!;
  const sameUser = loggedIn && info.loggedInAs!.toLowerCase() === email.toLowerCase();
  const mode = info.hasLogin ? "login" : info.mode;

  return (
    <div className="auth-card invite-card">
      <div className="invite-icon" aria-hidden="true">
        {(info.accountName ?? "?").slice(0, 1).toUpperCase()}
      </div>
      <h1>Join {info.accountName}</h1>
      <p className="sub">
        {`${inviter} invited `}
        <strong>{email}</strong>
        {" to join "}
        <strong>{info.accountName}</strong>
        {` on Tablewatch as ${withArticle(role)}.`}
      </p>
      <div className="invite-role">
        <RoleBadge role={role} />
        <span>{roleInfo[role].summary}</span>
      </div>
      <FormAlert errors={errors} />

      {sameUser ? (
        <>
          <Form method="post">
            <input type="hidden" name="intent" value="accept" />
            <button className="button block" type="submit" disabled={busy}>
              {busy ? "Joining…" : `Accept and join ${info.accountName}`}
            </button>
          </Form>
          <p className="auth-alt">You are logged in as {info.loggedInAs}.</p>
        </>
      ) : loggedIn ? (
        <>
          {errors ? null : (
            <div className="alert error" role="alert">
              {`This invitation is for ${email}; you are logged in as ${info.loggedInAs} — log out and open the link again.`}
            </div>
          )}
          <Form method="post">
            <input type="hidden" name="intent" value="logout" />
            <button className="button block secondary" type="submit" disabled={busy}>
              Log out
            </button>
          </Form>
        </>
      ) : (
        <>
          {info.hasLogin ? null : (
            <div className="segmented invite-modes" role="tablist" aria-label="How to accept">
              <Link to={info.path} className={mode === "create" ? "active" : undefined} role="tab" aria-selected={mode === "create"} replace>
                Create your login
              </Link>
              <Link to={`${info.path}?login`} className={mode === "login" ? "active" : undefined} role="tab" aria-selected={mode === "login"} replace>
                I already have a login
              </Link>
            </div>
          )}
          {mode === "create" ? (
            <>
              <Form method="post" noValidate>
                <input type="hidden" name="intent" value="create" />
                <div className="field">
                  <label htmlFor="field-email">Email</label>
                  <input id="field-email" type="email" value={email} readOnly aria-describedby="field-email-hint" />
                  <span className="hint" id="field-email-hint">
                    The invited address. Accepting confirms it.
                  </span>
                </div>
                <Field label="Your name" name="name" autoComplete="name" required autoFocus maxLength={100} error={errors?.fieldErrors.name} />
                <Field
                  label="Password"
                  name="password"
                  type="password"
                  autoComplete="new-password"
                  required
                  minLength={8}
                  hint="At least 8 characters."
                  error={errors?.fieldErrors.password}
                />
                <button className="button block" type="submit" disabled={busy}>
                  {busy ? "Joining…" : "Create login and join"}
                </button>
              </Form>
            </>
          ) : (
            <div className="invite-login">
              <p>
                {info.hasLogin ? "You already have a Tablewatch login" : "Log in with your Tablewatch login"} as <strong>{email}</strong>. Log
                in, and you come back here to accept.
              </p>
              <Link className="button block" to={`/login?redirectTo=${encodeURIComponent(info.path)}`}>
                Log in to accept
              </Link>
              <p className="auth-alt">
                <Link to="/forgot-password">Forgot your password?</Link>
              </p>
            </div>
          )}
        </>
      )}
      <p className="invite-foot small muted">
        {info.expiresAt ? <>This invitation expires on {new Date(info.expiresAt).toISOString().slice(0, 16).replace("T", " ")} UTC.</> : null}
      </p>
    </div>
  );
}
