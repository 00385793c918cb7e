import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormAlert } from "~/components/form";
import { formAction, readForm } from "~/utils/errors.server";
import { redirectToTwoFactor } from "~/utils/two-factor.server";

// "same-origin" keeps the token in the address out of requests to other sites, and unlike
// "no-referrer" it keeps `Origin` on the form's post, which the CSRF check needs (before hydration).
export const meta: MetaFunction = () => [{ title: "Choose a new password · Tablewatch" }, { name: "referrer", content: "same-origin" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const { usable } = await context.trpc.auth.checkResetToken({ token: token.slice(0, 200) });
  return { token, usable };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  if (values.password !== values.confirm) {
    const fieldErrors: Record<string, string> = { confirm: "The two passwords differ" };
    return data({ errors: { message: "Please correct the highlighted fields.", fieldErrors } }, { status: 400 });
  }
  const result = await formAction(() => context.trpc.auth.resetPassword({ token: values.token ?? "", password: values.password ?? "" }));
  if (!result.ok) return result.response;
  // With two-factor login the new password alone does not log in: a code from the app does.
  if ("twoFactorChallenge" in result.value) return redirectToTwoFactor(request, result.value.twoFactorChallenge, "/dashboard?reset=1");
  throw redirect("/dashboard?reset=1", { headers: { "Set-Cookie": context.sessionCookie(result.value) } });
}

export default function ResetPasswordPage() {
  const { token, usable } = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.errors;
  const busy = useNavigation().state !== "idle";
  if (!usable) {
    return (
      <div className="auth-card">
        <h1>This link has expired</h1>
        <p className="sub">Reset links work once and for one hour. Ask for a new one and use the newest email.</p>
        <Link className="button block" to="/forgot-password">
          Send a new link
        </Link>
      </div>
    );
  }
  return (
    <div className="auth-card">
      <h1>Choose a new password</h1>
      <p className="sub">After the change you are logged out everywhere else.</p>
      <FormAlert errors={errors} />
      <Form method="post" noValidate>
        <input type="hidden" name="token" value={token} />
        <Field label="New password" name="password" type="password" autoComplete="new-password" required minLength={8} autoFocus hint="At least 8 characters." error={errors?.fieldErrors.password} />
        <Field label="Repeat the new password" name="confirm" type="password" autoComplete="new-password" required error={errors?.fieldErrors.confirm} />
        <button className="button block" type="submit" disabled={busy}>
          {busy ? "Saving…" : "Set new password"}
        </button>
      </Form>
    </div>
  );
}
