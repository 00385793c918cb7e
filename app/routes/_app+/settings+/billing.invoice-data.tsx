import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useState } from "react";
import { Field, FieldError, FormAlert } from "~/components/form";
import styles from "~/styles/invoices.css";
import { requireAccount } from "~/utils/auth.server";
import { countryOptions } from "~/utils/countries.server";
import { formAction, readForm } from "~/utils/errors.server";

export const meta: MetaFunction = () => [{ title: "Invoice data · Billing · Settings · Tablewatch" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { account } = await requireAccount(context, request);
  const { data, canEdit } = await context.trpc.invoice.data();
  return { accountName: account.name, data, canEdit, countries: countryOptions() };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const v = await readForm(request);
  const result = await formAction(() =>
    context.trpc.invoice.saveData({
      kind: (v.kind ?? "") as "company" | "person",
      companyName: v.companyName ?? "",
      firstName: v.firstName ?? "",
      lastName: v.lastName ?? "",
      addressLine1: v.addressLine1 ?? "",
      addressLine2: v.addressLine2 ?? "",
      postalCode: v.postalCode ?? "",
      city: v.city ?? "",
      country: v.country ?? "",
      vatId: v.vatId ?? "",
    }),
  );
  if (!result.ok) return result.response;
  return { saved: true as const, vatId: result.value.vatId };
}

function PrivacyNote() {
  return (
    <div className="inv-privacy">
      <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
        <path d="M10 2l6 2.5v4.8c0 4-2.6 7.2-6 8.7-3.4-1.5-6-4.7-6-8.7V4.5L10 2z" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinejoin="round" />
        <path d="M7 10l2 2 4-4" fill="none" stroke="currentColor" strokeWidth="1.7" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      <p>
        These details are kept only to issue your invoices. They are sent to our accounting service only when an invoice is generated, after
        a payment — never when you save them here. Changes apply to future invoices; issued invoices keep the details they were issued with.
      </p>
    </div>
  );
}

export default function InvoiceDataPage() {
  const { accountName, data, canEdit, countries } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  const errors = result && "errors" in result ? result.errors : undefined;
  const fe = errors?.fieldErrors ?? {};
  const [kind, setKind] = useState<"company" | "person">(data?.kind ?? "company");
  const countryName = (code: string) => countries.find((c) => c.code === code)?.name ?? code;

  if (!canEdit) {
    return (
      <div className="stack">
        <div className="section-head">
          <h2>Invoice data</h2>
          <p>The name, address and VAT ID that invoices of {accountName} are issued to.</p>
        </div>
        <PrivacyNote />
        <section className="card" aria-labelledby="inv-data-title">
          <div className="card-head row">
            <h2 id="inv-data-title">Billing details</h2>
            <span className="small muted">Read-only: only owners can change them.</span>
          </div>
          {data ? (
            <dl className="inv-readonly">
              <dt>{data.kind === "company" ? "Company" : "Name"}</dt>
              <dd>{data.kind === "company" ? data.companyName : `${data.firstName} ${data.lastName}`}</dd>
              <dt>Address</dt>
              <dd>{[data.addressLine1, data.addressLine2, `${data.postalCode} ${data.city}`].filter(Boolean).join("\n")}</dd>
              <dt>Country</dt>
              <dd>{countryName(data.country)}</dd>
              <dt>VAT ID</dt>
              <dd>{data.vatId ?? <span className="muted">none</span>}</dd>
            </dl>
          ) : (
            <div className="card-empty">
              <p>No invoice data yet. An owner of this account enters it before the first payment.</p>
            </div>
          )}
        </section>
      </div>
    );
  }

  return (
    <div className="stack">
      <div className="section-head">
        <h2>Invoice data</h2>
        <p>
          Who invoices of <strong>{accountName}</strong> are issued to. Needed before you choose a paid plan; invoices arrive by email after
          each payment and stay in <Link to="/settings/billing/invoices">Invoices</Link>.
        </p>
      </div>
      <PrivacyNote />
      {result && "saved" in result ? (
        <div className="alert success" role="status">
          Invoice data saved.{result.vatId ? ` VAT ID ${result.vatId} is in the right format for its country.` : ""}
        </div>
      ) : null}
      <FormAlert errors={errors} />
      <section className="card" aria-labelledby="inv-form-title">
        <div className="card-head row">
          <h2 id="inv-form-title">Billing details</h2>
          {data ? <span className="small muted">Last changed {new Date(data.updatedAt).toISOString().slice(0, 10)}</span> : null}
        </div>
        <Form method="post" className="inv-form" noValidate>
          <fieldset className="field">
            <legend>Invoices are issued to</legend>
            <div className="inv-kind">
              <label>
                <input type="radio" name="kind" value="company" checked={kind === "company"} onChange={() => setKind("company")} /> A company
              </label>
              <label>
                <input type="radio" name="kind" value="person" checked={kind === "person"} onChange={() => setKind("person")} /> A person
              </label>
            </div>
            <FieldError id="field-kind-error" error={fe.kind} />
          </fieldset>
          <div className="inv-grid">
            {kind === "company" ? (
              <div className="span-2">
                <Field label="Company name" name="companyName" defaultValue={data?.companyName ?? ""} error={fe.companyName} autoComplete="organization" maxLength={200} />
              </div>
            ) : (
              <>
                <Field label="First name" name="firstName" defaultValue={data?.firstName ?? ""} error={fe.firstName} autoComplete="given-name" maxLength={100} />
                <Field label="Last name" name="lastName" defaultValue={data?.lastName ?? ""} error={fe.lastName} autoComplete="family-name" maxLength={100} />
              </>
            )}
          </div>
          <p className="inv-section-title">Billing address</p>
          <div className="inv-grid">
            <div className="span-2">
              <Field label="Address" name="addressLine1" defaultValue={data?.addressLine1 ?? ""} error={fe.addressLine1} autoComplete="address-line1" placeholder="Street and number" maxLength={200} />
            </div>
            <div className="span-2">
              <Field
                label="Address line 2 (optional)"
                name="addressLine2"
                defaultValue={data?.addressLine2 ?? ""}
                error={fe.addressLine2}
                autoComplete="address-line2"
                placeholder="Apartment, suite, floor"
                maxLength={200}
              />
            </div>
            <Field label="Postal code" name="postalCode" defaultValue={data?.postalCode ?? ""} error={fe.postalCode} autoComplete="postal-code" maxLength={20} />
            <Field label="City" name="city" defaultValue={data?.city ?? ""} error={fe.city} autoComplete="address-level2" maxLength={100} />
            <div className="field span-2">
              <label htmlFor="field-country">Country</label>
              <select
                id="field-country"
                name="country"
                defaultValue={data?.country ?? ""}
                autoComplete="country"
                aria-invalid={fe.country ? true : undefined}
                aria-describedby={fe.country ? "field-country-error" : undefined}
              >
                <option value="" disabled>
                  Choose a country…
                </option>
                {countries.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
              <FieldError id="field-country-error" error={fe.country} />
            </div>
            <div className="span-2">
              <Field
                label="VAT ID (optional)"
                name="vatId"
                defaultValue={data?.vatId ?? ""}
                error={fe.vatId}
                maxLength={40}
                placeholder="e.g. DE123456789"
                hint="For EU businesses: with your VAT ID, invoices to a business in another EU country are issued under the reverse charge (0 % VAT). The format is checked for the country chosen above."
              />
            </div>
          </div>
          <div className="inv-actions">
            <button className="button primary" type="submit" disabled={busy}>
              {busy ? "Saving…" : "Save invoice data"}
            </button>
            <span className="small muted">Only owners can change invoice data.</span>
          </div>
        </Form>
      </section>
    </div>
  );
}
