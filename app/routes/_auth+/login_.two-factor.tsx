import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Field, FormAlert } from "~/components/form";
import { requireAnonymous, safeRedirect } from "~/utils/auth.server";
import { formAction, readForm } from "~/utils/errors.server";
import { clearChallengeCookie, readChallenge } from "~/utils/two-factor.server";

export const meta: MetaFunction = () => [{ title: "Two-factor login · Tablewatch" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireAnonymous(context);
  if (!(await readChallenge(request))) throw redirect("/login");
  const url = new URL(request.url);
  return { recovery: url.searchParams.get("recovery") === "1", redirectTo: url.searchParams.get("redirectTo") ?? "" };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const challenge = await readChallenge(request);
  if (!challenge) throw redirect("/login");
  const result = await formAction(() => context.trpc.twoFactor.verifyLogin({ challenge, code: values.code ?? "" }));
  if (!result.ok) return result.response;
  const headers = new Headers();
  headers.append("Set-Cookie", context.sessionCookie(result.value));
  headers.append("Set-Cookie", await clearChallengeCookie(request));
  throw redirect(safeRedirect(values.redirectTo), { headers });
}

export default function TwoFactorLoginPage() {
  const { recovery, redirectTo } = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.errors;
  const busy = useNavigation().state !== "idle";
  const back = redirectTo ? `&redirectTo=${encodeURIComponent(redirectTo)}` : "";
  return (
    <div className="auth-card">
      <h1>Two-factor login</h1>
      <p className="sub">
        {recovery
          ? "Enter one of the recovery codes you saved when you turned on two-factor login. Each code works once."
          : "Open your authenticator app and enter the 6-digit code it shows for Tablewatch."}
      </p>
      <FormAlert errors={errors} />
      <Form method="post" noValidate>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        {recovery ? (
          <Field
            key="recovery"
            label="Recovery code"
            name="code"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            placeholder="xxxxx-xxxxx"
            required
            autoFocus
            error={errors?.fieldErrors.code}
          />
        ) : (
          <Field
            key="totp"
            label="Authentication code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]*"
            maxLength={7}
            placeholder="123456"
            style={{ fontFamily: "var(--mono)", letterSpacing: "0.2em" }}
            required
            autoFocus
            error={errors?.fieldErrors.code}
          />
        )}
        <button className="button block" type="submit" disabled={busy}>
          {busy ? "Checking…" : "Log in"}
        </button>
      </Form>
      <p className="auth-alt">
        {recovery ? (
          <Link to={`/login/two-factor?recovery=0${back}`}>Use the code from your app instead</Link>
        ) : (
          <Link to={`/login/two-factor?recovery=1${back}`}>Lost your phone? Use a recovery code</Link>
        )}
      </p>
      <p className="auth-alt">
        <Link to="/login">Start over</Link>
      </p>
    </div>
  );
}
