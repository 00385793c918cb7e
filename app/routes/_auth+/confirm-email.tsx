import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formAction } from "~/utils/errors.server";

export const meta: MetaFunction = () => [{ title: "Confirm your email · Tablewatch" }, { name: "referrer", content: "no-referrer" }];

/** Confirmation is idempotent and needs no login, so the link itself confirms (GET). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const result = await formAction(() => context.trpc.auth.confirmEmail({ token }));
  return result.ok
    ? { confirmed: true as const, email: result.value.email, loggedIn: Boolean(context.user) }
    : { confirmed: false as const, loggedIn: Boolean(context.user) };
}

export default function ConfirmEmailPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <div className="auth-card">
      {data.confirmed ? (
        <>
          <h1>Email confirmed</h1>
          <p className="sub">
            Thank you. Notifications such as alarms can now be sent to <strong>{data.email}</strong>.
          </p>
        </>
      ) : (
        <>
          <h1>This link does not work</h1>
          <p className="sub">It may have been used already or expired. Log in to send a new confirmation email.</p>
        </>
      )}
      <Link className="button block" to={data.loggedIn ? "/dashboard" : "/login"}>
        {data.loggedIn ? "Go to your dashboard" : "Log in"}
      </Link>
    </div>
  );
}
