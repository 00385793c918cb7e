import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, isRouteErrorResponse, Link, useActionData, useLoaderData, useNavigation, useRouteError, useSearchParams } from "@remix-run/react";
import { requireAccount } from "~/utils/auth.server";
import { formAction, loaderCall, readForm } from "~/utils/errors.server";
import { formatDay, formatMoney, formatShortDay } from "~/utils/money";

export const meta: MetaFunction = () => [{ title: "Billing · Settings · Tablewatch" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { role } = await requireAccount(context, request);
  if (role !== "owner") {
    const limits = await context.trpc.plan.limits();
    return { owner: false as const, planName: limits.planName };
  }
  const url = new URL(request.url);
  const page = Math.max(1, Math.min(100_000, Number(url.searchParams.get("page")) || 1));
  const chosen = url.searchParams.get("plan");
  const [overview, catalogue] = await Promise.all([loaderCall(() => context.trpc.billing.overview({ page })), context.trpc.plan.list()]);
  const preview = chosen && overview.plans.some((p) => p.code === chosen) ? await loaderCall(() => context.trpc.billing.previewPlan({ planCode: chosen })) : null;
  const limits = Object.fromEntries(
    catalogue.map((p) => [
      p.code,
      [
        `${p.maxReports.toLocaleString("en-US")} reports`,
        `${p.maxDashboards.toLocaleString("en-US")} dashboards`,
        `${p.maxAlarms.toLocaleString("en-US")} alarms`,
        `${p.maxMembers.toLocaleString("en-US")} team members`,
        `${p.retentionDays.toLocaleString("en-US")} days of history`,
      ],
    ]),
  );
  return { owner: true as const, overview, preview, limits, notice: url.searchParams.get("done") };
}

type Intent = "change" | "cancel" | "resume";

export async function action({ request, context }: ActionFunctionArgs) {
  const values = await readForm(request);
  const intent = values.intent as Intent;
  const fail = (result: { response: ReturnType<typeof data> }) => data({ ...(result.response.data as object), intent }, result.response.init ?? undefined);
  switch (intent) {
    case "change": {
      const expected = values.expectedAmountCents === undefined || values.expectedAmountCents === "" ? undefined : Number(values.expectedAmountCents);
      const result = await formAction(() =>
        context.trpc.billing.changePlan({ planCode: values.planCode ?? "", expectedAmountCents: Number.isFinite(expected) ? expected : undefined }),
      );
      return result.ok ? redirect(`/settings/billing?done=${result.value.kind}`) : fail(result);
    }
    case "cancel": {
      const result = await formAction(() => context.trpc.billing.cancel());
      return result.ok ? redirect("/settings/billing?done=cancel") : fail(result);
    }
    case "resume": {
      const result = await formAction(() => context.trpc.billing.resume());
      return result.ok ? redirect("/settings/billing?done=resume") : fail(result);
    }
    default:
      throw new Response("Unknown action", { status: 400 });
  }
}

type Overview = Extract<ReturnType<typeof useLoaderData<typeof loader>>, { owner: true }>["overview"];
type Preview = NonNullable<Extract<ReturnType<typeof useLoaderData<typeof loader>>, { owner: true }>["preview"]>;

export default function BillingOverview() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.owner) return <NotOwner planName={loaded.planName} />;
  return <OwnerView />;
}

function NotOwner({ planName }: { planName: string }) {
  return (
    <div className="stack">
      <section className="card billing-plan-card">
        <div className="billing-plan-main">
          <span className="billing-eyebrow">Plan in effect</span>
          <strong className="billing-plan-name">{planName}</strong>
        </div>
        <div className="card-empty">
          <p>
            <strong>Only owners manage billing.</strong> Ask an owner of this account to change the plan, the card or the invoice data. See what
            the plan includes in <Link to="/settings/plan">Plan &amp; usage</Link>.
          </p>
        </div>
      </section>
    </div>
  );
}

function doneText(done: string | null, o: Overview): string | null {
  const sub = o.subscription;
  const end = sub?.currentPeriodEnd ? formatDay(sub.currentPeriodEnd) : "the end of the period";
  switch (done) {
    case "subscribe":
      return `Welcome to ${o.plan.name}! The first month is paid and the invoice is on its way to the owners.`;
    case "upgrade":
      return `You are on ${o.plan.name} now. The prorated amount was charged and its invoice is on its way.`;
    case "downgrade":
      return sub?.pendingPlan ? `${sub.pendingPlan.name} starts on ${end}. Until then nothing changes.` : "The change is scheduled.";
    case "undo-downgrade":
      return `You stay on ${o.plan.name}; the scheduled change was called off.`;
    case "cancel":
      return `Your subscription ends on ${end}; the account then moves to the Free plan. You can resume it until then.`;
    case "resume":
      return `Your ${o.plan.name} subscription goes on. Nothing was charged now; the next month is charged on ${end}.`;
    case "card-recovered":
      return `The new card is saved and the payment that was due is paid. Your ${o.plan.name} plan goes on.`;
    case "card-failed":
      return "The new card is saved, but the payment that is due was declined with it too. We try again as scheduled below; another card can be tried at any time.";
    default:
      return null;
  }
}

function OwnerView() {
  const { overview: o, preview, limits, notice } = useLoaderData<typeof loader>() as Extract<ReturnType<typeof useLoaderData<typeof loader>>, { owner: true }>;
  const actionData = useActionData<typeof action>() as { errors?: { message: string }; intent?: Intent } | undefined;
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod === "POST" ? String(navigation.formData?.get("intent") ?? "") : "";
  const sub = o.subscription;
  const done = doneText(notice, o);
  const error = actionData?.errors && actionData.intent !== "change" ? actionData.errors.message : null;
  const periodEnd = sub?.currentPeriodEnd ? formatDay(sub.currentPeriodEnd) : null;

  return (
    <div className="stack">
      {done ? (
        <div className="alert success" role="status">
          {done}
        </div>
      ) : null}
      {error ? (
        <div className="alert error" role="alert">
          {error}
        </div>
      ) : null}
      {sub?.status === "past_due" ? (
        <div className="alert error billing-banner" role="alert">
          <div>
            <strong>Your last payment failed.</strong> {sub.lastFailureMessage ? `The processor said: “${sub.lastFailureMessage}” ` : ""}
            {sub.nextRetryAt ? `We try again on ${formatDay(sub.nextRetryAt)}. ` : ""}
            If the payment still fails a week after the first attempt, the account moves to the Free plan.
          </div>
          <Link className="button small" to="/settings/billing/card">
            Update the card
          </Link>
        </div>
      ) : null}
      {o.graceUntil && new Date(o.graceUntil) > new Date() && !sub ? (
        <div className="alert warn" role="status">
          Data over the {o.plan.name} plan’s limits is read-only until {formatDay(o.graceUntil)}; then it is removed. Choose a paid plan to keep it.
        </div>
      ) : null}

      <section className="card billing-summary" aria-labelledby="plan-title">
        <div className="billing-plan-main">
          <span className="billing-eyebrow" id="plan-title">
            Plan in effect
          </span>
          <div className="billing-plan-line">
            <strong className="billing-plan-name" data-testid="plan-in-effect">
              {o.plan.name}
            </strong>
            {sub ? <StatusBadge status={sub.status} cancel={sub.cancelAtPeriodEnd} /> : <span className="badge billing-badge-free">Free</span>}
          </div>
          <p className="billing-plan-price">
            {o.plan.priceCents > 0 ? (
              <>
                <strong>{formatMoney(o.plan.priceCents, o.plan.currency)}</strong> a month
              </>
            ) : (
              "No charge"
            )}
          </p>
          <p className="billing-next">{nextText(o)}</p>
          {sub?.cancelAtPeriodEnd ? (
            <Form method="post">
              <button className="button secondary small" type="submit" name="intent" value="resume" disabled={busy === "resume"}>
                {busy === "resume" ? "Resuming…" : `Resume ${sub.plan.name}`}
              </button>
            </Form>
          ) : null}
          {sub?.pendingPlan ? (
            <Link className="button secondary small" to={`?plan=${sub.plan.code}#confirm`}>
              Keep {sub.plan.name}
            </Link>
          ) : null}
        </div>
        <dl className="billing-facts">
          <div>
            <dt>Card</dt>
            <dd>
              {o.card ? (
                <>
                  <span className="billing-card-chip">Card</span> •••• {o.card.last4}
                  <Link className="billing-fact-link" to="/settings/billing/card">
                    Replace
                  </Link>
                </>
              ) : (
                <>
                  <span className="muted">No card yet</span>
                  <Link className="billing-fact-link" to="/settings/billing/card">
                    Add a card
                  </Link>
                </>
              )}
            </dd>
          </div>
          <div>
            <dt>Current period</dt>
            <dd>{sub?.currentPeriodStart && sub.currentPeriodEnd ? `${formatShortDay(sub.currentPeriodStart)} – ${formatShortDay(sub.currentPeriodEnd)}` : <span className="muted">—</span>}</dd>
          </div>
          <div>
            <dt>Invoice data</dt>
            <dd>
              {o.hasInvoiceData ? "Saved" : <span className="muted">Not added yet</span>}
              <Link className="billing-fact-link" to="/settings/billing/invoice-data">
                {o.hasInvoiceData ? "Edit" : "Add invoice data"}
              </Link>
            </dd>
          </div>
        </dl>
      </section>

      {preview ? <Confirm preview={preview} error={actionData?.intent === "change" ? actionData.errors?.message ?? null : null} busy={busy === "change"} /> : null}

      <section className="card" aria-labelledby="plans-title">
        <div className="card-head">
          <h2 id="plans-title">Change plan</h2>
          <p>Upgrades start at once and cost only the difference for the rest of this period. Downgrades and cancellations take effect at the end of the period you paid for.</p>
        </div>
        <div className="billing-plans">
          {o.plans.map((p) => {
            const current = sub ? p.code === sub.plan.code : p.code === o.plan.code;
            const pending = sub?.pendingPlan?.code === p.code;
            const base = sub ? sub.plan.priceCents : o.plan.priceCents;
            const label = p.priceCents === 0 ? (sub ? "Cancel subscription" : "") : p.priceCents > base ? `Upgrade to ${p.name}` : `Switch to ${p.name}`;
            return (
              <div key={p.code} className={`billing-plan-option${current ? " current" : ""}${preview?.to.code === p.code ? " chosen" : ""}`} data-testid={`plan-${p.code}`}>
                <div className="billing-plan-option-head">
                  <h3>{p.name}</h3>
                  {current ? <span className="badge billing-badge-current">Current</span> : pending ? <span className="badge billing-badge-pending">From {periodEnd}</span> : null}
                </div>
                <p className="billing-plan-option-price">
                  {p.priceCents === 0 ? (
                    <strong>Free</strong>
                  ) : (
                    <>
                      <strong>{formatMoney(p.priceCents, p.currency)}</strong> / month
                    </>
                  )}
                </p>
                <ul className="billing-plan-limits">{(limits[p.code] ?? []).map((l) => <li key={l}>{l}</li>)}</ul>
                {current || pending || !label || (p.priceCents === 0 && sub?.cancelAtPeriodEnd) ? null : (
                  <Link className={`button ${p.priceCents > base ? "" : "secondary "}small billing-choose`} to={`?plan=${p.code}#confirm`} preventScrollReset>
                    {label}
                  </Link>
                )}
              </div>
            );
          })}
        </div>
      </section>

      <Payments overview={o} />
    </div>
  );
}

function StatusBadge({ status, cancel }: { status: "active" | "past_due"; cancel: boolean }) {
  if (status === "past_due") return <span className="badge billing-badge-failed">Payment failed</span>;
  if (cancel) return <span className="badge billing-badge-pending">Ends soon</span>;
  return <span className="badge billing-badge-active">Active</span>;
}

function nextText(o: Overview): string {
  const sub = o.subscription;
  if (!sub) return o.card ? "Choose a paid plan below; the card on file is charged when you confirm." : "Add a card and your invoice data, then choose a plan below.";
  const end = sub.currentPeriodEnd ? formatDay(sub.currentPeriodEnd) : "the end of the period";
  if (sub.status === "past_due") return `${formatMoney(sub.plan.priceCents, sub.plan.currency)} is due for the period that started ${sub.currentPeriodStart ? formatDay(sub.currentPeriodStart) : "recently"}.`;
  if (sub.cancelAtPeriodEnd) return `Cancelled: ${sub.plan.name} stays until ${end}, then the account moves to the Free plan. Nothing more is charged.`;
  if (sub.pendingPlan) return `Switches to ${sub.pendingPlan.name} on ${end}; ${formatMoney(sub.pendingPlan.priceCents, sub.pendingPlan.currency)} is charged then, and monthly after.`;
  return `Renews on ${end} for ${formatMoney(sub.plan.priceCents, sub.plan.currency)}.`;
}

const confirmTitle: Record<NonNullable<Preview["kind"]>, (p: Preview) => string> = {
  subscribe: (p) => `Subscribe to ${p.to.name}`,
  upgrade: (p) => `Upgrade to ${p.to.name}`,
  downgrade: (p) => `Switch to ${p.to.name}`,
  "undo-downgrade": (p) => `Keep ${p.to.name}`,
  cancel: () => "Cancel the subscription",
};

function Confirm({ preview: p, error, busy }: { preview: Preview; error: string | null; busy: boolean }) {
  const title = p.kind ? confirmTitle[p.kind](p) : `${p.to.name}`;
  const charged = p.amountCents > 0 && (p.kind === "subscribe" || p.kind === "upgrade");
  return (
    <section className="card billing-confirm" id="confirm" aria-labelledby="confirm-title">
      <div className="card-head">
        <h2 id="confirm-title">{title}</h2>
      </div>
      <div className="billing-confirm-body">
        {p.missing.length ? (
          <div className="billing-missing">
            <p>
              <strong>Before you choose a paid plan:</strong>
            </p>
            <ul>
              {p.missing.includes("card") ? (
                <li>
                  <Link to={`/settings/billing/card?plan=${p.to.code}`}>Add a card</Link> in Credit card details — it goes straight to the payment processor.
                </li>
              ) : null}
              {p.missing.includes("invoiceData") ? (
                <li>
                  Add your <Link to="/settings/billing/invoice-data">invoice data</Link> (Settings → Billing → Invoice data): every payment gets an invoice.
                </li>
              ) : null}
            </ul>
          </div>
        ) : p.blocked ? (
          <p className="billing-blocked">{p.blocked}</p>
        ) : (
          <>
            {charged ? (
              <div className="billing-amount">
                <span>Charged now to your card</span>
                <strong data-testid="charge-now">{formatMoney(p.amountCents, p.currency)}</strong>
                {p.proration ? (
                  <span className="muted small">
                    {formatMoney(p.to.priceCents - p.from.priceCents, p.currency)} × {p.proration.remainingDays}/{p.proration.totalDays} days left in this period
                  </span>
                ) : null}
              </div>
            ) : (
              <div className="billing-amount">
                <span>Takes effect</span>
                <strong>{p.kind === "undo-downgrade" ? "Now" : formatDay(p.effectiveAt)}</strong>
                <span className="muted small">Nothing is charged now.</span>
              </div>
            )}
            <p className="billing-summary-text" data-testid="change-summary">
              {p.summary}
            </p>
          </>
        )}
        {error ? (
          <div className="alert error" role="alert" data-testid="change-error">
            {error}
          </div>
        ) : null}
        <Form method="post" className="billing-confirm-actions" preventScrollReset>
          <input type="hidden" name="planCode" value={p.to.code} />
          <input type="hidden" name="expectedAmountCents" value={String(p.amountCents)} />
          <Link className="button secondary" to="/settings/billing" preventScrollReset>
            {p.kind ? "Not now" : "Back"}
          </Link>
          {p.kind && !p.blocked && !p.missing.length ? (
            <button className={`button${p.kind === "cancel" ? " danger" : ""}`} type="submit" name="intent" value="change" disabled={busy}>
              {busy ? "Working…" : charged ? `Pay ${formatMoney(p.amountCents, p.currency)} and ${p.kind === "upgrade" ? "upgrade" : "subscribe"}` : p.kind === "cancel" ? "Cancel subscription" : "Confirm"}
            </button>
          ) : null}
        </Form>
      </div>
    </section>
  );
}

function Payments({ overview: o }: { overview: Overview }) {
  const [params] = useSearchParams();
  const { items, total, page, pageSize } = o.payments;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const pageLink = (n: number) => {
    const next = new URLSearchParams(params);
    next.delete("done");
    next.delete("plan");
    next.set("page", String(n));
    return `?${next.toString()}#payments`;
  };
  return (
    <section className="card" id="payments" aria-labelledby="payments-title">
      <div className="card-head row">
        <h2 id="payments-title">
          Payment history <span className="count">{total}</span>
        </h2>
        <Link className="small" to="/settings/billing/invoices">
          Invoices
        </Link>
      </div>
      {items.length === 0 ? (
        <div className="card-empty">
          <p>
            <strong>No payments yet.</strong> Each charge — the monthly price, an upgrade’s difference, a retried payment — appears here with its
            status, and gets an invoice.
          </p>
        </div>
      ) : (
        <div className="table-scroll">
          <table className="list-table billing-payments">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Description</th>
                <th scope="col">Card</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id} data-testid="payment-row">
                  <td>{formatShortDay(p.chargedAt)}</td>
                  <td>
                    {p.description || kindText(p.kind)}
                    {p.periodStart && p.periodEnd ? (
                      <span className="billing-period">
                        {formatShortDay(p.periodStart)} – {formatShortDay(p.periodEnd)}
                      </span>
                    ) : null}
                  </td>
                  <td>{p.cardLast4 ? `•••• ${p.cardLast4}` : <span className="muted">—</span>}</td>
                  <td className="num">{formatMoney(p.amountCents, p.currency)}</td>
                  <td>
                    {p.status === "succeeded" ? (
                      <span className="badge billing-badge-active">Paid</span>
                    ) : (
                      <>
                        <span className="badge billing-badge-failed">Failed</span>
                        {p.failureMessage ? <span className="billing-failure">{p.failureMessage}</span> : null}
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pages > 1 ? (
        <nav className="pager billing-pager" aria-label="Payment pages">
          {page > 1 ? <Link to={pageLink(page - 1)}>← Newer</Link> : <span />}
          <span className="muted small">
            Page {page} of {pages}
          </span>
          {page < pages ? <Link to={pageLink(page + 1)}>Older →</Link> : <span />}
        </nav>
      ) : null}
    </section>
  );
}

const kindText = (kind: string) =>
  ({ subscription: "Monthly subscription", proration: "Upgrade (prorated)", retry: "Payment retry" })[kind] ?? "Charge";

export function ErrorBoundary() {
  const error = useRouteError();
  if (!isRouteErrorResponse(error)) console.error(error);
  const message = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "";
  return (
    <section className="error-panel">
      <h1>The billing overview could not be shown</h1>
      <p>{message || "Please reload the page in a moment; nothing was charged or changed."}</p>
      <div className="error-actions">
        <Link className="button" to="/settings/billing">
          Reload
        </Link>
      </div>
    </section>
  );
}
