import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useNavigation, useRouteLoaderData, useSubmit } from "@remix-run/react";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { requireAccount } from "~/utils/auth.server";
import { sandboxTestCards } from "~/utils/billing.server";
import { formAction, loaderCall, readForm } from "~/utils/errors.server";

export const meta: MetaFunction = () => [{ title: "Credit card details · Billing · Settings · Tablewatch" }];

const planParam = (v: string | null | undefined) => (v && /^[a-z][a-z0-9_-]{0,49}$/.test(v) ? v : null);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { role } = await requireAccount(context, request);
  if (role !== "owner") return { owner: false as const };
  const form = await loaderCall(() => context.trpc.billing.cardForm());
  const url = new URL(request.url);
  return {
    owner: true as const,
    form,
    testCards: form.library === "sandbox" ? sandboxTestCards() : [],
    plan: planParam(url.searchParams.get("plan")),
    saved: url.searchParams.get("saved") === "1",
    retry: url.searchParams.get("retry"),
  };
}

/**
 * Only the token the processor's script made reaches here (the card inputs have no names, so a
 * browser never submits them); any other field that looks like a card number is refused.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const { token = "", ...extra } = await readForm(request);
  const result = await formAction(() => context.trpc.billing.saveCard({ token, extra }));
  if (!result.ok) return result.response;
  const plan = planParam(extra.plan);
  if (result.value.retry) return redirect(`/settings/billing?done=card-${result.value.retry}`);
  return redirect(plan ? `/settings/billing?plan=${plan}#confirm` : "/settings/billing/card?saved=1");
}

type CardToken = { id?: string; error?: { message?: string } };
type ProcessorLibrary = { setPublicKey(key: string): void; createCardToken(form: HTMLFormElement, callback: (token: CardToken) => void): void };

const processorLibrary = (): ProcessorLibrary | undefined => {
  const w = window as unknown as { SecurionPay?: ProcessorLibrary; Securionpay?: ProcessorLibrary };
  return w.SecurionPay ?? w.Securionpay;
};

export default function CardPage() {
  const loaded = useLoaderData<typeof loader>();
  if (!loaded.owner) {
    return (
      <section className="card">
        <div className="card-empty">
          <p>
            <strong>Only owners manage billing.</strong> Ask an owner of this account to add or replace the card.
          </p>
        </div>
      </section>
    );
  }
  return <CardForm />;
}

function CardForm() {
  const { form, testCards, plan, saved } = useLoaderData<typeof loader>() as Extract<ReturnType<typeof useLoaderData<typeof loader>>, { owner: true }>;
  const actionData = useActionData<typeof action>() as { errors?: { message: string; fieldErrors: Record<string, string> } } | undefined;
  const root = useRouteLoaderData<{ nonce?: string }>("root");
  const navigation = useNavigation();
  const submit = useSubmit();
  const formRef = useRef<HTMLFormElement>(null);
  const [ready, setReady] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [tokenError, setTokenError] = useState<string | null>(null);
  const [tokenizing, setTokenizing] = useState(false);
  const saving = navigation.state === "submitting";
  const card = form.card;

  // The processor's script, from its own origin (allowed by the page's Content-Security-Policy).
  useEffect(() => {
    const setUp = () => {
      const lib = processorLibrary();
      if (!lib) return false;
      lib.setPublicKey(form.publicKey);
      setReady(true);
      return true;
    };
    if (setUp()) return;
    const existing = document.querySelector<HTMLScriptElement>(`script[src="${CSS.escape(form.scriptUrl)}"]`);
    const script = existing ?? document.createElement("script");
    const onLoad = () => {
      if (!setUp()) setLoadError("The payment processor’s card form did not start. Reload the page to try again.");
    };
    const onError = () => setLoadError("The payment processor’s card form could not be loaded. Check your connection and reload the page.");
    script.addEventListener("load", onLoad);
    script.addEventListener("error", onError);
    if (!existing) {
      script.src = form.scriptUrl;
      script.async = true;
      if (root?.nonce) script.nonce = root.nonce;
      document.head.appendChild(script);
    }
    return () => {
      script.removeEventListener("load", onLoad);
      script.removeEventListener("error", onError);
    };
    // The document's nonce at the time: later loads of the root data carry new ones, not the page's.
  }, [form.scriptUrl, form.publicKey]);

  useEffect(() => {
    if (navigation.state === "idle") setTokenizing(false);
  }, [navigation.state]);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const lib = processorLibrary();
    if (!lib || !formRef.current) return;
    setTokenError(null);
    setTokenizing(true);
    // The card fields go from the browser straight to the processor; only its token comes to us.
    lib.createCardToken(formRef.current, (token) => {
      if (!token.id) {
        setTokenizing(false);
        setTokenError(token.error?.message || "The card could not be checked. Please try again.");
        return;
      }
      formRef.current?.reset();
      submit(plan ? { token: token.id, plan } : { token: token.id }, { method: "post", replace: true });
    });
  }

  const serverError = actionData?.errors ? actionData.errors.fieldErrors.token || actionData.errors.message : null;
  const error = tokenError ?? serverError;
  const busy = tokenizing || saving;

  return (
    <div className="stack">
      <div className="section-head">
        <h2>Credit card details</h2>
        <p>
          The card pays for the plan each month, for upgrades and for retried payments. Only owners can change it; invoices go to the owners.
        </p>
      </div>
      {saved && card ? (
        <div className="alert success" role="status">
          Card saved: the card ending in {card.last4}. It is charged from the next payment on.
        </div>
      ) : null}

      <div className="billing-card-grid">
        <section className="card billing-card-form-card" aria-labelledby="card-form-title">
          <div className="card-head">
            <h2 id="card-form-title">{card ? "Replace the card" : "Add a card"}</h2>
            <p>Visa, Mastercard, American Express and other major cards.</p>
          </div>
          <form ref={formRef} method="post" className="billing-card-form" onSubmit={onSubmit} noValidate aria-describedby="card-privacy">
            <noscript>
              <div className="alert warn">
                JavaScript is needed to enter a card: the card form sends the card number straight to our payment processor, so that it never
                reaches our servers. Turn JavaScript on for this page and reload it.
              </div>
            </noscript>
            <div className="field">
              <label htmlFor="card-number">Card number</label>
              <input
                id="card-number"
                data-securionpay="number"
                inputMode="numeric"
                autoComplete="cc-number"
                placeholder="1234 1234 1234 1234"
                maxLength={23}
                disabled={!ready || busy}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? "card-error" : undefined}
              />
            </div>
            <div className="billing-card-row">
              <div className="field">
                <label htmlFor="card-exp-month">Expiry month</label>
                <input id="card-exp-month" data-securionpay="expMonth" inputMode="numeric" autoComplete="cc-exp-month" placeholder="MM" maxLength={2} disabled={!ready || busy} />
              </div>
              <div className="field">
                <label htmlFor="card-exp-year">Expiry year</label>
                <input id="card-exp-year" data-securionpay="expYear" inputMode="numeric" autoComplete="cc-exp-year" placeholder="YY" maxLength={4} disabled={!ready || busy} />
              </div>
              <div className="field">
                <label htmlFor="card-cvc">CVC</label>
                <input id="card-cvc" data-securionpay="cvc" inputMode="numeric" autoComplete="cc-csc" placeholder="123" maxLength={4} disabled={!ready || busy} />
              </div>
            </div>
            <div className="field">
              <label htmlFor="card-name">Name on the card</label>
              <input id="card-name" data-securionpay="cardholderName" autoComplete="cc-name" placeholder="Jane Doe" maxLength={100} disabled={!ready || busy} />
            </div>
            {error ? (
              <div className="alert error" role="alert" id="card-error" data-testid="card-error">
                {error}
              </div>
            ) : null}
            {loadError ? (
              <div className="alert error" role="alert">
                {loadError}
              </div>
            ) : null}
            <div className="billing-card-actions">
              <button className="button" type="submit" disabled={!ready || busy}>
                {busy ? "Saving the card…" : card ? "Replace card" : "Save card"}
              </button>
              {!ready && !loadError ? <span className="muted small billing-js-note">Loading the secure card form…</span> : null}
              {plan ? (
                <Link className="small" to={`/settings/billing?plan=${plan}#confirm`}>
                  Back to the plan
                </Link>
              ) : null}
            </div>
            <p className="billing-privacy" id="card-privacy">
              <svg viewBox="0 0 20 20" width="14" height="14" aria-hidden="true">
                <rect x="4" y="9" width="12" height="8" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.7" />
                <path d="M7 9V6.5a3 3 0 0 1 6 0V9" fill="none" stroke="currentColor" strokeWidth="1.7" />
              </svg>
              The card goes straight from your browser to our payment processor ({new URL(form.scriptUrl).host}). Tablewatch receives only a token and the
              last 4 digits.
            </p>
          </form>
        </section>

        <aside className="stack billing-card-side">
          <section className="card" aria-labelledby="card-current-title">
            <div className="card-head">
              <h2 id="card-current-title">Card on file</h2>
            </div>
            <div className="card-body">
              {card ? (
                <div className="billing-card-visual" data-testid="card-on-file">
                  <span className="billing-card-brand">Card</span>
                  <span className="billing-card-number">•••• •••• •••• {card.last4}</span>
                  <span className="billing-card-exp">Only the last 4 digits are kept here</span>
                </div>
              ) : (
                <p className="muted">No card yet. Add one to choose a paid plan.</p>
              )}
            </div>
          </section>
          {testCards.length ? (
            <section className="card billing-test-cards" aria-labelledby="test-cards-title">
              <div className="card-head">
                <h2 id="test-cards-title">Sandbox test cards</h2>
                <p>Payments go to the local sandbox processor: no real money moves. Use any future expiry date and any 3-digit CVC.</p>
              </div>
              <table className="list-table">
                <tbody>
                  {testCards.map((c) => (
                    <tr key={c.number}>
                      <td className="mono">{c.number}</td>
                      <td className="small">{c.description}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ) : null}
        </aside>
      </div>
    </div>
  );
}
