import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation, useSearchParams } from "@remix-run/react";
import { Field, FormAlert } from "~/components/form";
import { requireAnonymous, safeRedirect } from "~/utils/auth.server";
import { formAction, readForm } from "~/utils/errors.server";
import { redirectToTwoFactor } from "~/utils/two-factor.server";

export const meta: MetaFunction = () => [{ title: "Log in · Tablewatch" }];

export async function loader({ context }: LoaderFunctionArgs) {
  requireAnonymous(context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const result = await formAction(() =>
    context.trpc.auth.login({ email: values.email ?? "", password: values.password ?? "", remember: values.remember === "on" }),
  );
  if (!result.ok) return result.response;
  // Two-factor login: the password was right, a code from the app completes the login.
  if ("twoFactorChallenge" in result.value) return redirectToTwoFactor(request, result.value.twoFactorChallenge, values.redirectTo);
  throw redirect(safeRedirect(values.redirectTo), { headers: { "Set-Cookie": context.sessionCookie(result.value) } });
}

export default function LoginPage() {
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors;
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  return (
    <div className="auth-card">
      <h1>Log in</h1>
      <p className="sub">Welcome back. Your dashboards are waiting.</p>
      {params.get("reset") === "1" ? <div className="alert success">Your password was changed. You are logged in.</div> : null}
      <FormAlert errors={errors} />
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus error={errors?.fieldErrors.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required error={errors?.fieldErrors.password} />
        <div className="row">
          <label className="checkbox">
            <input type="checkbox" name="remember" /> Remember me for 30 days
          </label>
        </div>
        <button className="button block" type="submit" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </Form>
      <p className="auth-alt">
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p className="auth-alt">
        New to Tablewatch? <Link to="/register">Create an account</Link>
      </p>
    </div>
  );
}
