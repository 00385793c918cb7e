import { type ActionFunctionArgs, data, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { FieldError } from "~/components/form";
import { formatPrice } from "~/components/plan/plan-cards";
import styles from "~/styles/plan.css";
import { requireAdmin } from "~/utils/admin.server";
import { formAction, readForm } from "~/utils/errors.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];
export const meta: MetaFunction = () => [{ title: "Plans · Admin · Tablewatch" }];

/** A refusal (the admin flag was just removed) is the area's 404, as adminCall does. */
async function asAdmin<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Error && error.name === "TRPCError" && "code" in error && (error.code === "FORBIDDEN" || error.code === "UNAUTHORIZED")) {
      throw new Response("Not found", { status: 404 });
    }
    throw error;
  }
}

export async function loader({ context }: LoaderFunctionArgs) {
  requireAdmin(context);
  return { plans: await asAdmin(() => context.trpc.plan.adminList()) };
}

const limitFields = [
  { name: "maxReports", label: "Reports" },
  { name: "maxInstancesPerMonth", label: "Instances a month" },
  { name: "retentionDays", label: "History kept (days)" },
  { name: "maxMembers", label: "Team members" },
  { name: "maxDashboards", label: "Dashboards" },
  { name: "maxShareLinks", label: "Live share links" },
  { name: "maxAlarms", label: "Alarms" },
  { name: "apiRequestsPerMinute", label: "API requests a minute, per key" },
] as const;

export async function action({ request, context }: ActionFunctionArgs) {
  requireAdmin(context);
  const values = await readForm(request);
  const code = values.code ?? "";
  const result = await asAdmin(() =>
    formAction(() =>
      context.trpc.plan.adminUpdate({
        code,
        name: values.name ?? "",
        price: values.price ?? "",
        isPublic: values.isPublic === "on",
        position: values.position ?? "",
        ...Object.fromEntries(limitFields.map((f) => [f.name, values[f.name] ?? ""])),
      } as never),
    ),
  );
  if (!result.ok) return data({ code, ...(result.response.data as { errors: { message: string; fieldErrors: Record<string, string> } }) }, result.response.init ?? undefined);
  return { code, saved: result.value.name };
}

/** A labelled input whose id is unique on the page (one form per plan). */
function PlanField({ plan, name, label, error, ...input }: { plan: string; name: string; label: string; error?: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  const id = `plan-${plan}-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...input} />
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

export default function AdminPlans() {
  const { plans } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const busyCode = navigation.state !== "idle" ? navigation.formData?.get("code") : null;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Plans</h1>
          <p className="page-sub">
            Prices and limits of every plan, as the pricing page, Settings → Plan and the limits use them. Changes apply at once to every account on
            the plan. Lowering a limit deletes nothing: accounts over it can no longer create more (history beyond a shorter retention is removed by
            the next daily run).
          </p>
        </div>
      </div>
      {plans.length === 0 ? <p className="muted">There are no plans.</p> : null}
      {plans.map((plan) => {
        const mine = actionData?.code === plan.code ? actionData : null;
        const errors = mine && "errors" in mine ? mine.errors : null;
        const fe = errors?.fieldErrors ?? {};
        return (
          <section key={plan.code} className="card admin-plan" aria-labelledby={`admin-plan-${plan.code}`}>
            <div className="admin-plan-head">
              <h2 id={`admin-plan-${plan.code}`}>
                {plan.name} <code>{plan.code}</code>
              </h2>
              <span className="muted small">
                {formatPrice(plan.priceCents, plan.currency)} a month · {plan.isPublic ? "public" : "private (not on the pricing page)"}
              </span>
            </div>
            <Form method="post" className="card-body" noValidate aria-label={`Edit ${plan.name}`}>
              <input type="hidden" name="code" value={plan.code} />
              {mine && "saved" in mine ? (
                <div className="alert success" role="status">
                  Saved {mine.saved}. The new values apply now.
                </div>
              ) : null}
              {errors && !Object.keys(fe).length ? (
                <div className="alert error" role="alert">
                  {errors.message}
                </div>
              ) : null}
              {errors && Object.keys(fe).length ? (
                <div className="alert error" role="alert">
                  Please correct the highlighted fields.
                </div>
              ) : null}
              <div className="admin-plan-grid">
                <PlanField plan={plan.code} label="Name" name="name" defaultValue={plan.name} maxLength={50} required error={fe.name} />
                <PlanField
                  plan={plan.code}
                  label={`Price a month (${plan.currency}, VAT incl.)`}
                  name="price"
                  inputMode="decimal"
                  defaultValue={(plan.priceCents / 100).toFixed(plan.priceCents % 100 ? 2 : 0)}
                  required
                  error={fe.price}
                />
                <PlanField plan={plan.code} label="Position on the pricing page" name="position" inputMode="numeric" defaultValue={String(plan.position)} required error={fe.position} />
                <div className="field" />
                {limitFields.map((f) => (
                  <PlanField key={f.name} plan={plan.code} label={f.label} name={f.name} inputMode="numeric" defaultValue={String(plan[f.name])} required error={fe[f.name]} />
                ))}
              </div>
              <div className="admin-plan-actions">
                <label className="checkbox">
                  <input type="checkbox" name="isPublic" defaultChecked={plan.isPublic} /> Public: shown on the pricing page and offered in Settings → Plan
                </label>
                <button className="button" type="submit" disabled={busyCode === plan.code}>
                  {busyCode === plan.code ? "Saving…" : `Save ${plan.name}`}
                </button>
              </div>
            </Form>
          </section>
        );
      })}
    </div>
  );
}
