import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { Field, FormAlert } from "~/components/form";
import { requireAnonymous } from "~/utils/auth.server";
import { formAction, readForm } from "~/utils/errors.server";

export const meta: MetaFunction = () => [{ title: "Create your account · Tablewatch" }];

export async function loader({ context }: LoaderFunctionArgs) {
  requireAnonymous(context);
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const result = await formAction(() =>
    context.trpc.auth.register({ name: values.name ?? "", email: values.email ?? "", password: values.password ?? "" }),
  );
  if (!result.ok) return result.response;
  throw redirect("/dashboard?welcome=1", { headers: { "Set-Cookie": context.sessionCookie(result.value) } });
}

export default function RegisterPage() {
  const actionData = useActionData<typeof action>();
  const errors = actionData?.errors;
  const busy = useNavigation().state !== "idle";
  return (
    <div className="auth-card">
      <h1>Create your account</h1>
      <p className="sub">
        Free to start, no card needed — <Link to="/pricing">see the plans</Link>. Your first dashboard is one curl away.
      </p>
      <FormAlert errors={errors} />
      <Form method="post" noValidate>
        <Field label="Your name" name="name" autoComplete="name" required autoFocus error={errors?.fieldErrors.name} />
        <Field label="Work email" name="email" type="email" autoComplete="email" required error={errors?.fieldErrors.email} />
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
          {busy ? "Creating your account…" : "Create account"}
        </button>
        <p className="auth-legal">
          By creating an account you agree to the <Link to="/terms">Terms of Service</Link> and acknowledge the{" "}
          <Link to="/privacy">Privacy Policy</Link>.
        </p>
      </Form>
      <p className="auth-alt">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </div>
  );
}
