import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formAction } from "~/utils/errors.server";

export const meta: MetaFunction = () => [{ title: "Confirm your new email · Tablewatch" }, { name: "referrer", content: "no-referrer" }];

/** The link emailed to the new address (Settings → Profile → Email): opening it makes the change. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const result = await formAction(() => context.trpc.profile.confirmEmailChange({ token }));
  return result.ok
    ? { changed: true as const, email: result.value.email, loggedIn: Boolean(context.user) }
    : { changed: false as const, message: result.response.data.errors.message, loggedIn: Boolean(context.user) };
}

export default function ConfirmNewEmailPage() {
  const data = useLoaderData<typeof loader>();
  return (
    <div className="auth-card">
      {data.changed ? (
        <>
          <h1>Email changed</h1>
          <p className="sub">
            From now on you log in with <strong>{data.email}</strong>, and notifications go there.
          </p>
        </>
      ) : (
        <>
          <h1>Your email was not changed</h1>
          <p className="sub">{data.message}</p>
        </>
      )}
      <Link className="button block" to={data.loggedIn ? "/settings/profile" : "/login"}>
        {data.loggedIn ? "Back to your profile" : "Log in"}
      </Link>
    </div>
  );
}
