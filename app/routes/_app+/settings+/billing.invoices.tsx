import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import styles from "~/styles/invoices.css";
import { requireAccount } from "~/utils/auth.server";
import { formatMoney as money } from "~/utils/money";

export const meta: MetaFunction = () => [{ title: "Invoices · Billing · Settings · Tablewatch" }];
export const links: LinksFunction = () => [{ rel: "stylesheet", href: styles }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { account } = await requireAccount(context, request);
  const [{ invoices, canDownload }, { data }] = await Promise.all([context.trpc.invoice.list(), context.trpc.invoice.data()]);
  return { accountName: account.name, invoices, canDownload, hasInvoiceData: data !== null };
}

const day = (d: string | Date | null) => (d ? new Date(d).toISOString().slice(0, 10) : "");

const statusText = { issued: "Issued", pending: "Being issued", failed: "Retrying" } as const;
const statusHint = {
  issued: "Issued and emailed to the owners.",
  pending: "The accounting service is issuing it; this takes a moment.",
  failed: "The accounting service did not answer; we retry every few minutes.",
} as const;

export default function InvoicesPage() {
  const { accountName, invoices, canDownload, hasInvoiceData } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <div className="section-head">
        <h2>Invoices</h2>
        <p>
          One invoice for every payment of <strong>{accountName}</strong>, numbered per year. Each is also emailed to the account’s owners with
          the PDF attached.
        </p>
      </div>
      <section className="card" aria-labelledby="invoices-title">
        <div className="card-head row">
          <h2 id="invoices-title">
            Invoices <span className="count">{invoices.length}</span>
          </h2>
          <Link className="small" to="/settings/billing/invoice-data">
            {hasInvoiceData ? "Invoice data" : "Add invoice data"}
          </Link>
        </div>
        {invoices.length === 0 ? (
          <div className="card-empty card-empty-lg">
            <h2>No invoices yet</h2>
            <p>
              Invoices appear here after the first payment for a paid plan: one per charge, with its number, the plan and period, and the net,
              VAT and gross amounts.{" "}
              {hasInvoiceData ? (
                "Your invoice data is ready."
              ) : (
                <>
                  Add your <Link to="/settings/billing/invoice-data">invoice data</Link> first, so they are issued to your company.
                </>
              )}
            </p>
          </div>
        ) : (
          <div className="table-scroll">
            <table className="list-table">
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Date</th>
                  <th scope="col">Plan and period</th>
                  <th scope="col" className="num">
                    Net
                  </th>
                  <th scope="col" className="num">
                    VAT
                  </th>
                  <th scope="col" className="num">
                    Gross
                  </th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">PDF</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {invoices.map((inv) => (
                  <tr key={inv.id} data-testid="invoice-row">
                    <td>
                      <span className="inv-number">{inv.number}</span>
                    </td>
                    <td>{day(inv.issuedAt)}</td>
                    <td>
                      {inv.planName ? `${inv.planName} plan` : "Subscription"}
                      {inv.periodStart && inv.periodEnd ? (
                        <span className="inv-period">
                          {day(inv.periodStart)} – {day(inv.periodEnd)}
                        </span>
                      ) : null}
                    </td>
                    <td className="num">{money(inv.netCents, inv.currency)}</td>
                    <td className="num">
                      {money(inv.vatCents, inv.currency)}
                      <span className="inv-period">{inv.vatRate}</span>
                    </td>
                    <td className="num strong">{money(inv.grossCents, inv.currency)}</td>
                    <td>
                      <span className={`badge inv-status ${inv.status}`} title={statusHint[inv.status]}>
                        {statusText[inv.status]}
                      </span>
                    </td>
                    <td className="actions">
                      {canDownload && inv.status === "issued" ? (
                        <a className="button secondary small inv-download" href={`/settings/billing/invoices/${inv.id}.pdf`} download>
                          <svg viewBox="0 0 20 20" width="14" height="14" aria-hidden="true">
                            <path d="M10 3v10m0 0l-4-4m4 4l4-4M4 16h12" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" />
                          </svg>
                          Download PDF
                        </a>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {canDownload ? null : <p className="small muted">Only owners can download invoice PDFs; they are also emailed to every owner.</p>}
    </div>
  );
}
