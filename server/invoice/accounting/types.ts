/**
 * The accounting service that issues invoices, behind one interface (ADR 23). Two
 * implementations: infakt.ts (Infakt's REST API, which numbers and renders the invoice) and
 * local.ts (numbers the invoice from invoice_counters and renders the PDF itself with a PDF
 * library). The buyer's invoice data is passed here only when an invoice is generated.
 */

export type InvoiceParty = {
  /** Company name, or first and last name. */
  name: string;
  /** The buyer is a company (name = company name) or a person (first and last name); the seller is a company. */
  kind?: "company" | "person";
  firstName?: string | null;
  lastName?: string | null;
  addressLine1: string;
  addressLine2?: string | null;
  postalCode: string;
  city: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  vatId?: string | null;
};

export type InvoiceDraft = {
  /** Our invoice number (sequential per year); a provider that numbers itself may replace it. */
  number: string;
  issuedAt: Date;
  /** The date of sale (the charge's date). */
  saleDate: Date;
  seller: InvoiceParty;
  buyer: InvoiceParty;
  currency: string;
  lines: { description: string; quantity: number; netCents: number; vatRate: string; vatCents: number; grossCents: number }[];
  netCents: number;
  vatCents: number;
  grossCents: number;
  /** e.g. "23%", "0% (reverse charge)": printed on the invoice. */
  vatRate: string;
  /** Printed under the totals, e.g. "Paid by card ending 4242 on 2026-11-29." */
  notes: string;
};

export type IssuedInvoice = {
  /** The number as the accounting service issued it. */
  number: string;
  /** The invoice's id at the service ("local" invoices use our own id). */
  providerInvoiceId: string;
  /** The PDF when the service returns it at once (local); Infakt's is fetched on download. */
  pdf: Buffer | null;
};

export interface AccountingProvider {
  /** "local" or "infakt" — stored with each invoice. */
  readonly name: string;
  issueInvoice(draft: InvoiceDraft): Promise<IssuedInvoice>;
  /** The invoice's PDF (for providers that keep it). */
  fetchPdf(providerInvoiceId: string): Promise<Buffer>;
}
