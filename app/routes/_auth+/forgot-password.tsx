import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { Field, FormAlert } from "~/components/form";
import { formAction, readForm } from "~/utils/errors.server";

export const meta: MetaFunction = () => [{ title: "Reset your password · Tablewatch" }];

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const result = await formAction(() => context.trpc.auth.requestPasswordReset({ email: values.email ?? "" }));
  if (!result.ok) return result.response;
  return { sent: true as const, email: values.email ?? "" };
}

export default function ForgotPasswordPage() {
  const actionData = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  if (actionData && "sent" in actionData) {
    return (
      <div className="auth-card">
        <h1>Check your inbox</h1>
        <p className="sub">
          If <strong>{actionData.email}</strong> belongs to a Tablewatch login, we have sent it a link to choose a new
          password. The link is valid for one hour.
        </p>
        <p className="auth-alt">
          <Link to="/login">Back to log in</Link>
        </p>
      </div>
    );
  }
  const errors = actionData && "errors" in actionData ? actionData.errors : undefined;
  return (
    <div className="auth-card">
      <h1>Forgot your password?</h1>
      <p className="sub">Enter your email and we will send you a link to choose a new one.</p>
      <FormAlert errors={errors} />
      <Form method="post" noValidate>
        <Field label="Email" name="email" type="email" autoComplete="email" required autoFocus error={errors?.fieldErrors.email} />
        <button className="button block" type="submit" disabled={busy}>
          {busy ? "Sending…" : "Send reset link"}
        </button>
      </Form>
      <p className="auth-alt">
        Remembered it? <Link to="/login">Log in</Link>
      </p>
    </div>
  );
}
